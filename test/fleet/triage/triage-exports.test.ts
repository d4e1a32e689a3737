/**
 * Triage from the report exports (src/fleet/triage/fleet-exports.ts) against the lab tenant over
 * real HTTP: the same classes as the per-call path in fewer requests, every device's hardware
 * facts read, the failing settings with Intune's error codes; and, when Graph refuses the
 * exports or one is larger than the reader keeps, one warning and the per-call path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import type { ReportExportOptions } from '../../../src/fleet/graph/report-export.js';
import { triageFleet } from '../../../src/fleet/triage/triage.js';
import type { TriageResult } from '../../../src/fleet/triage/triage-result.js';
import type { TriageSummary } from '../../../src/fleet/triage/triage-summary.js';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { labGraphClient } from '../../support/lab-graph.js';

let lab: LabTenant;

async function triage(
  reportExports: boolean,
  exportOptions: ReportExportOptions = {},
): Promise<{
  results: Map<string, TriageResult>;
  summary: TriageSummary;
  requests: number;
}> {
  const graph: GraphClient = labGraphClient(lab);
  const results = new Map<string, TriageResult>();
  const summary = await triageFleet(new IntuneClient(graph, exportOptions), {
    reportExports,
    onResult: (r) => void results.set(r.deviceId, r),
    requestStats: () => graph.stats,
  });
  return { results, summary, requests: graph.stats.httpRequests };
}

let perCall: Awaited<ReturnType<typeof triage>>;
let exported: Awaited<ReturnType<typeof triage>>;
let created: number;

beforeAll(async () => {
  lab = await startLabTenant({ devices: 1500, seed: 21, pageSize: 500, omitRetryAfterRate: 0 });
  perCall = await triage(false);
  const before = lab.exports.counts.created;
  exported = await triage(true);
  created = lab.exports.counts.created - before;
});
afterAll(async () => {
  await lab?.close();
});

describe('triage from the report exports', () => {
  it('classifies every device as the per-call path does, from two exports and fewer requests', () => {
    expect(created).toBe(2);
    expect(exported.summary.warnings).toEqual([]);
    expect(exported.results.size).toBe(lab.devices.size);
    for (const [id, r] of perCall.results) {
      const e = exported.results.get(id)!;
      expect({ id, class: e.class, clearSafety: e.clearSafety, failing: e.failingSettings }).toEqual({
        id,
        class: r.class,
        clearSafety: r.clearSafety,
        failing: r.failingSettings,
      });
    }
    expect(exported.requests).toBeLessThan(perCall.requests);
  });

  it("gives every device its model, TPM maker and version and firmware, as the lab's devices have them", () => {
    for (const r of exported.results.values()) {
      const index = lab.devices.indexOf(r.deviceId)!;
      const hw = lab.views.hardwareInformation(index);
      expect(r.facts).toMatchObject({
        manufacturer: lab.devices.profile(index).manufacturer,
        model: lab.devices.profile(index).model,
        tpmManufacturer: hw.tpmManufacturer,
        tpmVersion: hw.tpmVersion,
        firmware: hw.systemManagementBIOSVersion,
      });
    }
  });

  it("the per-call path reads the TPM facts only where it fetched a device's details: the others are unknown, never guessed", () => {
    const healthy = [...perCall.results.values()].filter((r) => r.class === 'healthy');
    expect(healthy.length).toBeGreaterThan(0);
    for (const r of healthy) {
      expect(r.facts).toMatchObject({
        tpmManufacturer: 'unknown',
        tpmVersion: 'unknown',
        firmware: 'unknown',
      });
      expect(r.facts.model).not.toBe('unknown');
    }
  });

  it("carries each failing TPM setting with Intune's error code, on both paths", () => {
    const failing = [...exported.results.values()].filter((r) => r.failingSettings.length > 0);
    expect(failing.length).toBeGreaterThan(0);
    const perCallCodes = [...perCall.results.values()].flatMap((r) =>
      r.facts.settingErrors.map((e) => e.errorCode),
    );
    expect(perCallCodes).toContain('-2016281112');
    for (const r of failing) {
      expect(r.facts.settingErrors.map((e) => e.setting)).toEqual(r.failingSettings);
      for (const e of r.facts.settingErrors) expect(e.errorCode).toBe('-2016281112');
      const lockout = lab.devices.condition(lab.devices.indexOf(r.deviceId)!) === 'tpm-lockout';
      // The export's status code is read only where known ("4", Not compliant); the lab's error
      // state has none, so it is not read as nonCompliant.
      for (const e of r.facts.settingErrors) expect(e.status).toBe(lockout ? 'Error' : 'nonCompliant');
      // The per-call path reads the codes with the policy states of the devices it looks into
      // further; a device decided from its list fields alone has them unknown, never another code.
      const p = perCall.results.get(r.deviceId)!;
      expect(p.facts.settingErrors.map((e) => e.setting)).toEqual(r.failingSettings);
      for (const e of p.facts.settingErrors) expect(['-2016281112', 'unknown']).toContain(e.errorCode);
    }
  });

  it('when Graph refuses the exports (403), says so once and reads per call, with the same results', async () => {
    lab.exports.refused = true;
    try {
      const refused = await triage(true);
      expect(refused.summary.warnings).toEqual([
        expect.stringMatching(/^Graph refused the report exports \(403/),
      ]);
      expect(refused.results.size).toBe(lab.devices.size);
      for (const [id, r] of perCall.results) {
        const x = refused.results.get(id)!;
        expect([x.class, x.clearSafety, x.facts]).toEqual([r.class, r.clearSafety, r.facts]);
      }
    } finally {
      lab.exports.refused = false;
    }
  });

  it('when an export is larger than the reader keeps, refuses it in one line, says so once and reads per call, with the same results', async () => {
    const before = lab.exports.counts.downloaded;
    const capped = await triage(true, { limits: { maxRows: lab.devices.size - 1 } });
    expect(lab.exports.counts.downloaded).toBe(before + 1);
    expect(capped.summary.warnings).toEqual([
      `the DevicesWithInventory export is larger than tpm-doctor reads (more than ${
        lab.devices.size - 1
      } rows): refused: triage read the failing settings per setting and their error codes per device instead.`,
    ]);
    expect(capped.results.size).toBe(lab.devices.size);
    for (const [id, r] of perCall.results) {
      const x = capped.results.get(id)!;
      expect([x.class, x.clearSafety, x.facts]).toEqual([r.class, r.clearSafety, r.facts]);
    }
  });
});
