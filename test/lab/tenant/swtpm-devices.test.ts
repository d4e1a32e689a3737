/**
 * Lab devices backed by a real swtpm: a clear script the lab runs on one is a real, gated,
 * journaled TPM2_Clear, checked with tpm2-tools; a refused one leaves the TPM as it was; the
 * device turns compliant only after a proven clear and a restart.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseClearReport } from '../../../src/fleet/campaign/clear-report.js';
import { type CampaignEscrow, clearScriptPackage } from '../../../src/fleet/campaign/clear-script.js';
import { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import type { DeviceHealthScriptRunState } from '../../../src/fleet/graph/graph-types.js';
import { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import { LabCredential } from '../../../src/fleet/graph/lab-credential.js';
import { type LabTenant, type SwtpmDevice, startLabTenant } from '../../../src/lab/tenant/index.js';
import { assertSwtpmAvailable } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';

const STALE_HANDLES = [0x81000010, 0x81000011];
let lab: LabTenant;
let intune: IntuneClient;
let pids: number[] = [];

beforeAll(async () => {
  assertSwtpmAvailable();
  lab = await startLabTenant({
    devices: 400,
    seed: 3,
    swtpmDevices: 2,
    syncDelayMs: 20,
    complianceDelayMs: 20,
  });
  pids = lab.swtpmDevices.map((d) => d.pid);
  intune = new IntuneClient(
    new GraphClient({
      baseUrl: lab.url,
      credential: new LabCredential({
        labUrl: lab.url,
        tenantId: lab.tenantId,
        clientId: lab.clientId,
        clientSecret: lab.clientSecret,
      }),
      scopes: ['https://graph.microsoft.com/.default'],
      limits: lab.limits,
    }),
  );
}, 120_000);

afterAll(async () => {
  await lab?.close();
  expect(pids).toHaveLength(2);
  for (const pid of pids) {
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow();
  }
});

async function persistent(device: SwtpmDevice): Promise<number[]> {
  return (parse((await tpm2(device, ['tpm2_getcap', 'handles-persistent'])).stdout) as number[] | null) ?? [];
}

/** Runs a script on the device and waits (polling Graph, no fixed sleep) for its run to finish. */
async function runAndWait(deviceId: string, scriptId: string): Promise<DeviceHealthScriptRunState> {
  await intune.runHealthScriptOnDevice(deviceId, scriptId);
  for (;;) {
    await lab.clearsSettled();
    for await (const page of intune.healthScriptRunStates(scriptId)) {
      const run = page.find((r) => r.managedDevice?.id === deviceId);
      if (run && run.detectionState !== 'pending') return run;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The escrow a clear campaign verifies for the device (its own OS-volume protector, escrowed). */
function escrowOf(device: SwtpmDevice): CampaignEscrow {
  return {
    campaignId: 'c-lab-swtpm',
    verifiedAt: new Date().toISOString(),
    devices: [
      {
        azureAdDeviceId: lab.devices.fleet.aadIds[device.index]!.toLowerCase(),
        protectorIds: [lab.devices.keyIds(device.index).recoveryProtectorId.toLowerCase()],
      },
    ],
  };
}

async function compliance(deviceId: string): Promise<string | null> {
  const read = await intune.managedDevicesById([deviceId]);
  const answer = read.get(deviceId);
  return answer?.ok ? answer.value.complianceState : null;
}

describe('swtpm-backed lab devices', () => {
  it('refuses more swtpm devices than the fleet has devices that need a clear, starting none', async () => {
    await expect(startLabTenant({ devices: 50, swtpmDevices: 40 })).rejects.toThrow(
      /40 asked, but the fleet has only \d+ tpm-needs-clear devices/,
    );
  });

  it('shows as a lab device with its own TPM, no secret in the lab description', () => {
    const [device] = lab.swtpmDevices;
    expect(device?.uri).toMatch(/^swtpm:\/\/127\.0\.0\.1:\d+$/);
    expect(lab.devices.condition(device!.index)).toBe('tpm-needs-clear');
    const shown = JSON.stringify(lab);
    expect(shown).toContain(device!.deviceId);
    expect(shown).not.toContain(lab.clientSecret);
  });

  it('a clear script without an approval is refused by the device gate; the TPM is untouched', async () => {
    const [device] = lab.swtpmDevices;
    if (device === undefined) throw new Error('no swtpm device');
    const pkg = clearScriptPackage('# LAB detection', { approvedBy: 'x', ticket: 'y' }, escrowOf(device));
    // The same clear command line with the approval taken out.
    const unapproved = Buffer.from(pkg.remediationScriptContent ?? '', 'base64')
      .toString('utf8')
      .replace(/ --approved-by '[^']*' --ticket '[^']*'/, '');
    expect(unapproved).toMatch(/& \$exe clear --method ppi/);
    const script = await intune.createHealthScript({
      ...pkg,
      displayName: 'LAB unapproved clear',
      remediationScriptContent: Buffer.from(unapproved).toString('base64'),
    });
    const run = await runAndWait(device.deviceId, script.id);
    expect(run.detectionState).toBe('fail');
    const report = parseClearReport(run.preRemediationDetectionScriptOutput);
    expect(report).toMatchObject({ result: 'refused', reason: 'gate-not-passed', runId: null });
    // Without the approval the campaign's escrow verification and the PPI rights are not accepted either.
    expect(report?.blocking).toEqual(['backup.escrow', 'rights.clear-authorization', 'approval']);
    expect(await persistent(device)).toEqual(expect.arrayContaining(STALE_HANDLES));
    await expect(readdir(device.journalDir)).rejects.toThrow(/ENOENT/);
    expect(await compliance(device.deviceId)).toBe('noncompliant');
  }, 60_000);

  it('an approved clear script clears the TPM for real, once; the device turns compliant only after a restart', async () => {
    const [device] = lab.swtpmDevices;
    if (device === undefined) throw new Error('no swtpm device');
    const pkg = clearScriptPackage(
      '# LAB detection',
      { approvedBy: "Ann O'Neil", ticket: 'CHG-9' },
      escrowOf(device),
    );
    // Without the script's own restart: the clear alone does not make the device compliant.
    const noRestart = Buffer.from(pkg.remediationScriptContent ?? '', 'base64')
      .toString('utf8')
      .replace(/^if \(\$code -eq 0[\s\S]*?\r\n\}\r\n/m, '');
    expect(noRestart).not.toMatch(/shutdown\.exe/);
    const script = await intune.createHealthScript({
      ...pkg,
      remediationScriptContent: Buffer.from(noRestart).toString('base64'),
    });
    const run = await runAndWait(device.deviceId, script.id);
    expect(run.detectionState).toBe('success');
    const report = parseClearReport(run.preRemediationDetectionScriptOutput);
    expect(report).toMatchObject({ result: 'cleared', proven: true });
    expect(report?.srkNameAfter).not.toBe(report?.srkNameBefore);
    const left = await persistent(device);
    for (const handle of STALE_HANDLES) expect(left).not.toContain(handle);
    const journals = (await readdir(device.journalDir)).filter((f) => f.endsWith('.jsonl'));
    expect(journals).toHaveLength(1);
    // The approval the script carried, as PowerShell would pass it, is in the run's journal.
    const journal = await readFile(path.join(device.journalDir, journals[0]!), 'utf8');
    expect(journal).toContain('"approvedBy":"Ann O\'Neil"');
    expect(journal).toContain('"ticket":"CHG-9"');
    // The device's detection output from now on carries the receipt the run wrote (`clr`), made
    // as the evidence script makes it on a PC (src/fleet/campaign/receipt-report.ts).
    const receipts = (await readdir(device.journalDir)).filter((f) => f.endsWith('.receipt.json'));
    expect(receipts).toHaveLength(1);
    const detection = lab.devices.evidenceLine(device.index);
    expect(parseClearReport(detection)).toMatchObject({
      result: 'cleared',
      proven: true,
      runId: report?.runId,
      srkNameBefore: report?.srkNameBefore,
      srkNameAfter: report?.srkNameAfter,
      finishedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(detection.length).toBeLessThanOrEqual(2048);
    expect(detection).not.toContain("Ann O'Neil");
    expect(detection).not.toContain('CHG-9');

    // Cleared, not restarted: Intune still sees the TPM as it was until Windows re-provisions it.
    expect(await compliance(device.deviceId)).toBe('noncompliant');
    // Running the script again does not clear again: the device's own gate finds no reason to.
    const again = await runAndWait(device.deviceId, script.id);
    const second = parseClearReport(again.preRemediationDetectionScriptOutput);
    expect(second).toMatchObject({ result: 'refused', reason: 'gate-not-passed' });
    expect(second?.blocking).toContain('reason');
    expect((await readdir(device.journalDir)).filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);

    await intune.rebootNow(device.deviceId);
    for (;;) {
      if ((await compliance(device.deviceId)) === 'compliant') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(run.preRemediationDetectionScriptOutput).not.toContain(lab.clientSecret);
  }, 60_000);

  it('a firmware that asks for a full shutdown: the script shuts the device down, and it is compliant after it is powered on', async () => {
    const device = lab.swtpmDevices[1];
    if (device === undefined) throw new Error('no second swtpm device');
    lab.setFirmwareTransition(device.deviceId, 1);
    const script = await intune.createHealthScript(
      clearScriptPackage('# LAB detection', { approvedBy: 'A. Admin', ticket: 'CHG-10' }, escrowOf(device)),
    );
    const restartsBefore = lab.devices.restartCount(device.index);
    const run = await runAndWait(device.deviceId, script.id);
    const report = parseClearReport(run.preRemediationDetectionScriptOutput);
    expect(report).toMatchObject({ result: 'cleared', proven: true });
    expect(report?.message).toMatch(/the PC shuts down, as its firmware asked: power it on to re-provision/);
    for (;;) {
      if ((await compliance(device.deviceId)) === 'compliant') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // One boot, and it followed a full shutdown, not a restart.
    expect(lab.devices.shutdownCount(device.index)).toBe(1);
    expect(lab.devices.restartCount(device.index)).toBe(restartsBefore + 1);
    expect(lab.devices.shutdownCount(lab.swtpmDevices[0]!.index)).toBe(0);
  }, 60_000);
});
