import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import type { DeviceHealthScriptRunState } from '../../../src/fleet/graph/graph-types.js';
import {
  type LabTenant,
  SEEDED_EVIDENCE_SCRIPT_NAME,
  startLabTenant,
} from '../../../src/lab/tenant/index.js';
import { ManualClock } from '../../../src/lab/tenant/lab-clock.js';
import { INTUNE_DETECTION_OUTPUT_LIMIT, parseCompactEvidence } from '../../../src/probe/windows/compact.js';
import { allPages, deviceWith, graph, labToken } from './lab-http.js';

const SYNC_DELAY = 30;
const COMPLIANCE_DELAY = 50;
const RUN_STATES =
  '?$select=id,detectionState,lastStateUpdateDateTime,preRemediationDetectionScriptOutput&$expand=managedDevice($select=id)';

describe('lab tenant: devices evolve and report evidence', () => {
  const clock = new ManualClock(Date.parse('2025-01-15T12:00:00Z'));
  let lab: LabTenant;
  let token: string;
  beforeAll(async () => {
    lab = await startLabTenant({
      devices: 3000,
      seed: 11,
      syncDelayMs: SYNC_DELAY,
      complianceDelayMs: COMPLIANCE_DELAY,
      clock,
    });
    token = await labToken(lab);
  });
  afterAll(() => lab.close());

  const device = async (index: number) =>
    (
      await graph<{ lastSyncDateTime: string; complianceState: string }>(
        lab,
        token,
        `/v1.0/deviceManagement/managedDevices/${lab.devices.fleet.ids[index]}?$select=id,lastSyncDateTime,complianceState`,
      )
    ).body;
  const post = (index: number, action: string, body?: unknown) =>
    graph(lab, token, `/beta/deviceManagement/managedDevices/${lab.devices.fleet.ids[index]}/${action}`, {
      method: 'POST',
      ...(body === undefined ? {} : { body }),
    });

  it('moves lastSyncDateTime after the sync delay; a sync-stale device then turns compliant', async () => {
    const index = deviceWith(lab, 'sync-stale');
    const before = await device(index);
    expect(before.complianceState).toBe('noncompliant');
    expect((await post(index, 'syncDevice')).status).toBe(204);
    expect((await device(index)).lastSyncDateTime).toBe(before.lastSyncDateTime);
    clock.advance(SYNC_DELAY);
    const synced = await device(index);
    expect(Date.parse(synced.lastSyncDateTime)).toBe(Math.floor(clock.now() / 1000) * 1000);
    expect(synced.complianceState).toBe('noncompliant');
    clock.advance(COMPLIANCE_DELAY);
    expect((await device(index)).complianceState).toBe('compliant');
  });

  it('never changes a stays-broken device', async () => {
    const index = deviceWith(lab, 'stays-broken');
    const before = await device(index);
    expect((await post(index, 'syncDevice')).status).toBe(204);
    expect((await post(index, 'rebootNow')).status).toBe(204);
    clock.advance(10 * (SYNC_DELAY + COMPLIANCE_DELAY));
    expect(await device(index)).toEqual(before);
    expect(before.complianceState).toBe('noncompliant');
  });

  it('fixes attestation-stale only with a reboot before the sync', async () => {
    const index = deviceWith(lab, 'attestation-stale');
    await post(index, 'syncDevice');
    clock.advance(SYNC_DELAY + COMPLIANCE_DELAY);
    expect((await device(index)).complianceState).toBe('noncompliant');
    await post(index, 'rebootNow');
    clock.advance(SYNC_DELAY);
    await post(index, 'syncDevice');
    clock.advance(SYNC_DELAY + COMPLIANCE_DELAY);
    expect((await device(index)).complianceState).toBe('compliant');
  });

  it('seeds Remediations evidence that parses into the device state, escrow match included', async () => {
    const found = await graph<{ value: { id: string }[] }>(
      lab,
      token,
      `/beta/deviceManagement/deviceHealthScripts?$filter=${encodeURIComponent(`displayName eq '${SEEDED_EVIDENCE_SCRIPT_NAME}'`)}`,
    );
    const scriptId = found.body.value[0]!.id;
    const pages = await allPages<DeviceHealthScriptRunState>(
      lab,
      token,
      `/beta/deviceManagement/deviceHealthScripts/${scriptId}/deviceRunStates${RUN_STATES}`,
    );
    const runs = new Map(pages.flatMap((p) => p.value).map((r) => [r.managedDevice!.id, r]));
    const evidenceOf = (condition: string) => {
      for (let i = 0; i < lab.devices.size; i++) {
        const run = runs.get(lab.devices.fleet.ids[i]!);
        if (lab.devices.condition(i) === condition && run) return { index: i, run };
      }
      throw new Error(`no evidence for ${condition}`);
    };

    const clear = evidenceOf('tpm-needs-clear');
    const output = clear.run.preRemediationDetectionScriptOutput!;
    expect(output.length).toBeLessThanOrEqual(INTUNE_DETECTION_OUTPUT_LIMIT);
    expect(clear.run.detectionState).toBe('fail');
    const w = parseCompactEvidence(JSON.parse(output), 'lab');
    expect(w.isReady?.information).toBe(0x900);
    expect(w.getTpm?.tpmReady).toBe(false);
    expect(w.tpmtool?.clearNeededToRecover).toBe(true);
    expect(w.computerName).toBe(lab.devices.profile(clear.index).deviceName);
    const recovery = w.bitlocker?.[0]?.keyProtectors.find((k) => k.type === 'RecoveryPassword');
    const keys = lab.views.recoveryKeys(clear.index).map((k) => k.id.toLowerCase());
    expect(keys).toContain(recovery?.id);
    const verdict = diagnose({
      schema: 'tpm-doctor/snapshot/v1',
      takenAt: '',
      tpm: null,
      windows: w,
    }).verdict;
    expect(verdict.status).toBe('errors');

    const noEscrow = evidenceOf('tpm-needs-clear-no-escrow');
    const w2 = parseCompactEvidence(JSON.parse(noEscrow.run.preRemediationDetectionScriptOutput!), 'lab');
    const id2 = w2.bitlocker?.[0]?.keyProtectors.find((k) => k.type === 'RecoveryPassword')?.id;
    expect(lab.views.recoveryKeys(noEscrow.index).map((k) => k.id.toLowerCase())).not.toContain(id2);

    const lockout = evidenceOf('tpm-lockout');
    const w3 = parseCompactEvidence(JSON.parse(lockout.run.preRemediationDetectionScriptOutput!), 'lab');
    expect(w3.getTpm?.lockedOut).toBe(true);
    const lockoutVerdict = diagnose({
      schema: 'tpm-doctor/snapshot/v1',
      takenAt: '',
      tpm: null,
      windows: w3,
    }).verdict;
    expect(lockoutVerdict.clearRecommended).toBe(false);

    const vulnerable = evidenceOf('tpm-vulnerable-firmware');
    const w4 = parseCompactEvidence(JSON.parse(vulnerable.run.preRemediationDetectionScriptOutput!), 'lab');
    const findings = diagnose({
      schema: 'tpm-doctor/snapshot/v1',
      takenAt: '',
      tpm: null,
      windows: w4,
    }).findings;
    expect(findings.map((f) => f.id)).toContain('tpm.firmware-vulnerable');

    const healthy = evidenceOf('healthy');
    expect(healthy.run.detectionState).toBe('success');
    const w5 = parseCompactEvidence(JSON.parse(healthy.run.preRemediationDetectionScriptOutput!), 'lab');
    const healthyFindings = diagnose({
      schema: 'tpm-doctor/snapshot/v1',
      takenAt: '',
      tpm: null,
      windows: w5,
    }).findings;
    expect(healthyFindings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('turns a tpm-needs-clear device compliant only after our clear script and a reboot', async () => {
    const index = deviceWith(lab, 'tpm-needs-clear', 1);
    const created = await graph<{ id: string; displayName: string }>(
      lab,
      token,
      '/beta/deviceManagement/deviceHealthScripts',
      {
        method: 'POST',
        body: {
          displayName: 'tpm-doctor clear (LAB test)',
          publisher: 'tests',
          runAsAccount: 'system',
          detectionScriptContent: Buffer.from('collect-evidence.ps1 -Compact').toString('base64'),
          remediationScriptContent: Buffer.from('tpm-doctor clear --yes --purpose repair').toString('base64'),
        },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.displayName).toBe('tpm-doctor clear (LAB test)');
    const scriptId = created.body.id;

    await post(index, 'rebootNow');
    clock.advance(SYNC_DELAY + COMPLIANCE_DELAY);
    expect((await device(index)).complianceState).toBe('noncompliant');

    expect(
      (await post(index, 'initiateOnDemandProactiveRemediation', { scriptPolicyId: scriptId })).status,
    ).toBe(204);
    const runsPath = `/beta/deviceManagement/deviceHealthScripts/${scriptId}/deviceRunStates${RUN_STATES}`;
    const pending = await graph<{ value: DeviceHealthScriptRunState[] }>(lab, token, runsPath);
    expect(pending.body.value).toMatchObject([
      { detectionState: 'pending', preRemediationDetectionScriptOutput: null },
    ]);
    clock.advance(SYNC_DELAY);
    const done = await graph<{ value: DeviceHealthScriptRunState[] }>(lab, token, runsPath);
    expect(done.body.value[0]).toMatchObject({
      detectionState: 'fail',
      managedDevice: { id: lab.devices.fleet.ids[index] },
    });
    clock.advance(COMPLIANCE_DELAY);
    expect((await device(index)).complianceState).toBe('noncompliant');

    await post(index, 'rebootNow');
    clock.advance(SYNC_DELAY);
    expect((await device(index)).complianceState).toBe('noncompliant');
    clock.advance(COMPLIANCE_DELAY);
    expect((await device(index)).complianceState).toBe('compliant');
  });

  it('refuses the clear on a device whose recovery key is not escrowed', async () => {
    const index = deviceWith(lab, 'tpm-needs-clear-no-escrow');
    const created = await graph<{ id: string }>(lab, token, '/beta/deviceManagement/deviceHealthScripts', {
      method: 'POST',
      body: {
        displayName: 'clear 2',
        detectionScriptContent: '',
        remediationScriptContent: Buffer.from('Clear-Tpm').toString('base64'),
      },
    });
    await post(index, 'initiateOnDemandProactiveRemediation', { scriptPolicyId: created.body.id });
    clock.advance(SYNC_DELAY);
    await post(index, 'rebootNow');
    clock.advance(SYNC_DELAY + COMPLIANCE_DELAY);
    expect((await device(index)).complianceState).toBe('noncompliant');
  });

  it('rejects a malformed script upload with a message that says what was expected', async () => {
    const r = await graph<{ error: { message: string } }>(
      lab,
      token,
      '/beta/deviceManagement/deviceHealthScripts',
      {
        method: 'POST',
        body: { displayName: 42 },
      },
    );
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/displayName.*expected a string/);
  });
});

describe('lab tenant: real clock', () => {
  it('moves lastSyncDateTime after a real sync delay of tens of ms', async () => {
    const lab = await startLabTenant({ devices: 20, syncDelayMs: 20, complianceDelayMs: 20 });
    try {
      const token = await labToken(lab);
      const id = lab.devices.fleet.ids[0]!;
      const read = async () =>
        (
          await graph<{ lastSyncDateTime: string }>(
            lab,
            token,
            `/v1.0/deviceManagement/managedDevices/${id}?$select=lastSyncDateTime`,
          )
        ).body.lastSyncDateTime;
      const before = await read();
      const posted = Date.now();
      await graph(lab, token, `/v1.0/deviceManagement/managedDevices/${id}/syncDevice`, { method: 'POST' });
      let after = before;
      for (let tries = 0; tries < 200 && after === before; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        after = await read();
      }
      expect(after).not.toBe(before);
      expect(Date.parse(after)).toBeGreaterThanOrEqual(Math.floor(posted / 1000) * 1000);
    } finally {
      await lab.close();
    }
  });
});
