import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import { JsonReportWriter } from '../../../src/fleet/triage/report-json.js';
import { type TriageProgress, triageFleet } from '../../../src/fleet/triage/triage.js';
import type { TriageResult } from '../../../src/fleet/triage/triage-result.js';
import type { TriageSummary } from '../../../src/fleet/triage/triage-summary.js';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { labGraphClient } from '../../support/lab-graph.js';

/** The whole pipeline over real HTTP against the lab tenant on a loopback port. */
describe('triageFleet against the lab tenant', () => {
  let lab: LabTenant;
  let graph: GraphClient;
  const results: TriageResult[] = [];
  const progress: TriageProgress[] = [];
  let summary: TriageSummary;
  let json = '';

  beforeAll(async () => {
    lab = await startLabTenant({ devices: 2000, seed: 11, pageSize: 300, omitRetryAfterRate: 0 });
    graph = labGraphClient(lab);
    const writer = new JsonReportWriter(
      (chunk) => {
        json += chunk;
      },
      { description: lab.url, lab: true },
    );
    summary = await triageFleet(new IntuneClient(graph), {
      queueSize: 40,
      onResult: async (r) => {
        results.push(r);
        await writer.write(r);
      },
      onProgress: (p) => progress.push(p),
      requestStats: () => graph.stats,
    });
    await writer.end(summary);
  });

  afterAll(async () => {
    await lab?.close();
  });

  test('every device is classified exactly once and counted', () => {
    expect(summary.devices).toBe(lab.devices.size);
    expect(new Set(results.map((r) => r.deviceId)).size).toBe(lab.devices.size);
    const counted = Object.values(summary.byClass).reduce((a, b) => a + b, 0);
    expect(counted).toBe(lab.devices.size);
    expect(progress.at(-1)).toMatchObject({
      listed: lab.devices.size,
      classified: lab.devices.size,
      queued: 0,
    });
  });

  test('each seeded condition lands in the class that names its remedy', () => {
    const byCondition = new Map<string, Map<string, number>>();
    for (const r of results) {
      const condition = lab.devices.condition(lab.devices.indexOf(r.deviceId)!);
      const row = byCondition.get(condition) ?? new Map<string, number>();
      row.set(`${r.class}/${r.clearSafety}`, (row.get(`${r.class}/${r.clearSafety}`) ?? 0) + 1);
      byCondition.set(condition, row);
    }
    const table = Object.fromEntries([...byCondition].map(([c, m]) => [c, Object.fromEntries(m)]));
    const only = (condition: string) => Object.keys(table[condition] ?? {});
    expect(only('healthy')).toEqual(['healthy/not-the-remedy']);
    // Safe only with the device's own evidence (its protector matches the escrowed key); without
    // evidence the fleet side cannot tell an old escrowed key from the right one: unknown.
    expect(only('tpm-needs-clear').sort()).toEqual([
      'tpm-clear-candidate/safe',
      'tpm-clear-candidate/unknown',
    ]);
    for (const r of results.filter((x) => x.clearSafety === 'safe')) {
      expect({ escrow: r.escrow, evidence: r.evidenceAt !== null }).toEqual({
        escrow: 'matched',
        evidence: true,
      });
    }
    // A device whose escrowed key is an old one can only be told apart with its evidence (the local
    // protector id): without it, it is unknown, never safe.
    const noEscrow = results.filter(
      (r) => lab.devices.condition(lab.devices.indexOf(r.deviceId)!) === 'tpm-needs-clear-no-escrow',
    );
    expect(noEscrow.length).toBeGreaterThan(0);
    for (const r of noEscrow) {
      expect(r.class).toBe('tpm-clear-candidate');
      expect(r.clearSafety).not.toBe('safe');
      if (r.clearSafety === 'unknown')
        expect({ escrow: r.escrow, evidenceAt: r.evidenceAt }).toEqual({
          escrow: 'escrowed',
          evidenceAt: null,
        });
      else
        expect(r.clearBlockedBy.map((b) => b.code)).toEqual([
          expect.stringMatching(/^escrow\.(missing|mismatch)$/),
        ]);
    }
    expect(noEscrow.filter((r) => r.clearSafety === 'blocked').length).toBeGreaterThan(0);
    expect(results.some((r) => r.escrow === 'matched')).toBe(true);
    expect(only('tpm-lockout')).toEqual(['tpm-wait/not-the-remedy']);
    expect(only('tpm-vulnerable-firmware')[0]).toMatch(/^tpm-firmware\//);
    expect(only('secure-boot-off')).toEqual(['secure-boot/not-the-remedy']);
    expect(only('bitlocker-off')).toEqual(['bitlocker/not-the-remedy']);
    expect(only('sync-stale')).toEqual(['sync-stale/not-the-remedy']);
    expect(only('attestation-stale')).toEqual(['attestation/not-the-remedy']);
  });

  test('cheap in Graph requests: per-device reads only for devices that need them', () => {
    const stats = summary.graphRequests!;
    expect(stats.httpRequests / summary.devices).toBeLessThanOrEqual(0.1);
    expect(summary.lookups.details).toBeLessThan(summary.needingAction + 1);
    expect(summary.lookups.details).toBeGreaterThan(0);
    expect(summary.evidence.scriptFound).toBe(true);
    expect(summary.warnings).toEqual([]);
  });

  test('the JSON report is valid and holds no secret of the tenant', () => {
    const doc = JSON.parse(json);
    expect(doc.devices).toHaveLength(lab.devices.size);
    expect(json).not.toContain(lab.clientSecret);
    expect(json).not.toMatch(/\d{6}(-\d{6}){7}/);
  });
});
