/**
 * The fleet clear's script, run on a swtpm-backed lab device exactly as the tenant's device runs
 * it (its `tpm-doctor clear` command line, through the device's own gate): each reason a real
 * device refuses for is shown, with the TPM untouched (read by tpm2-tools), and a device whose
 * escrow verification matches its own protectors is cleared and proven.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseClearReport } from '../../../src/fleet/campaign/clear-report.js';
import {
  type CampaignEscrow,
  type ClearApproval,
  clearRemediationScript,
} from '../../../src/fleet/campaign/clear-script.js';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { type SwtpmDevice, SwtpmDevices } from '../../../src/lab/tenant/swtpm-devices.js';
import { assertSwtpmAvailable } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';

const STALE_HANDLES = [0x81000010, 0x81000011];
const APPROVAL: ClearApproval = { approvedBy: 'A. Admin', ticket: 'CHG-77' };
const HOUR = 3_600_000;

let lab: LabTenant;
let devices: SwtpmDevices;
let device: SwtpmDevice;
let pid = 0;

beforeAll(async () => {
  assertSwtpmAvailable();
  lab = await startLabTenant({ devices: 200, seed: 5 });
  devices = await SwtpmDevices.start(lab.devices, 1);
  device = devices.list()[0]!;
  pid = device.pid;
}, 120_000);

afterAll(async () => {
  await devices?.close();
  await lab?.close();
  expect(() => process.kill(pid, 0)).toThrow();
});

const entraId = () => lab.devices.fleet.aadIds[device.index]!.toLowerCase();
/** The OS volume's RecoveryPassword protector ID as the device reads it (the lab escrows exactly it). */
const ownProtector = () =>
  lab.devices.keyIds(device.index).recoveryProtectorId.toLowerCase().replace(/[{}]/g, '');

function escrow(overrides: Partial<CampaignEscrow> = {}, ids: string[] = [ownProtector()]): CampaignEscrow {
  return {
    campaignId: 'c-20261207-120000-abc123',
    verifiedAt: new Date().toISOString(),
    devices: [{ azureAdDeviceId: entraId(), protectorIds: ids }],
    ...overrides,
  };
}

async function persistent(): Promise<number[]> {
  return (parse((await tpm2(device, ['tpm2_getcap', 'handles-persistent'])).stdout) as number[] | null) ?? [];
}

async function runScript(script: string, evidenceLine = lab.devices.evidenceLine(device.index)) {
  const out = await devices.clear(device.index, {
    evidenceLine,
    entraDeviceId: lab.devices.fleet.aadIds[device.index] ?? null,
    remediationScript: script,
  });
  return { cleared: out.cleared, report: parseClearReport(out.output), powerAction: out.powerAction };
}

async function expectUntouched(): Promise<void> {
  expect(await persistent()).toEqual(expect.arrayContaining(STALE_HANDLES));
  await expect(readdir(device.journalDir)).rejects.toThrow(/ENOENT/);
}

function check(report: ReturnType<typeof parseClearReport>, id: string): string {
  const found = new RegExp(
    `${id.replace('.', '\\.')} \\((fail|unknown)\\): ([^]*?)(?= [a-z.-]+ \\((?:fail|unknown)\\):|$)`,
  ).exec(report?.message ?? '');
  return found === null ? '' : `${found[1]}: ${found[2]}`;
}

describe("the fleet clear script on a lab device, through the device's own gate", () => {
  it('no verified escrow passed (the device is not in the script table): refused, TPM untouched', async () => {
    const { cleared, report } = await runScript(
      clearRemediationScript(APPROVAL, { ...escrow(), devices: [] }),
    );
    expect(cleared).toBe(false);
    expect(report).toMatchObject({ result: 'refused', reason: 'gate-not-passed' });
    expect(report?.blocking).toEqual(['backup.escrow']);
    expect(check(report, 'backup.escrow')).toMatch(
      /^unknown: .*not shown escrowed \(no escrow record was checked/,
    );
    await expectUntouched();
  }, 60_000);

  it("protector IDs that are not the device's own: refused naming the mismatch, TPM untouched", async () => {
    const other = '0badc0de-0000-4000-8000-000000000001';
    const { report } = await runScript(clearRemediationScript(APPROVAL, escrow({}, [other])));
    expect(report).toMatchObject({ result: 'refused', reason: 'gate-not-passed' });
    expect(report?.blocking).toEqual(['backup.escrow']);
    const message = check(report, 'backup.escrow');
    expect(message).toMatch(/^fail: Not accepting the escrow verified in Entra ID by campaign c-20261207/);
    expect(message).toContain(
      `{${other}} is not a recovery password protector this device reads for its OS volume`,
    );
    expect(message).toContain(`{${ownProtector()}}`);
    await expectUntouched();
  }, 60_000);

  it("the device's protectors unknown (BitLocker not read): refused, never accepted on the campaign's word", async () => {
    const evidence = JSON.parse(lab.devices.evidenceLine(device.index)) as Record<string, unknown>;
    delete evidence.bl;
    const { report } = await runScript(clearRemediationScript(APPROVAL, escrow()), JSON.stringify(evidence));
    expect(report).toMatchObject({ result: 'refused', reason: 'gate-not-passed' });
    expect(report?.blocking).toEqual(
      expect.arrayContaining(['backup.recovery-password', 'backup.escrow', 'backup.bitlocker-suspended']),
    );
    expect(check(report, 'backup.escrow')).toMatch(/^unknown: /);
    await expectUntouched();
  }, 60_000);

  it('a verification older than the limit, or from the future: refused, TPM untouched', async () => {
    const old = await runScript(
      clearRemediationScript(
        APPROVAL,
        escrow({ verifiedAt: new Date(Date.now() - 25 * HOUR).toISOString() }),
      ),
    );
    expect(old.report?.blocking).toEqual(['backup.escrow']);
    expect(check(old.report, 'backup.escrow')).toMatch(
      /^fail: Not accepting .*, 25 h ago \(the limit is 24 h\)/,
    );
    const future = await runScript(
      clearRemediationScript(APPROVAL, escrow({ verifiedAt: new Date(Date.now() + HOUR).toISOString() })),
    );
    expect(future.report?.blocking).toEqual(['backup.escrow']);
    expect(check(future.report, 'backup.escrow')).toMatch(/^fail: Not accepting .*after this check's time/);
    await expectUntouched();
  }, 60_000);

  it('the approval missing from the command line: refused (approval, PPI rights and escrow), TPM untouched', async () => {
    const unapproved = clearRemediationScript(APPROVAL, escrow()).replace(
      / --approved-by '[^']*' --ticket '[^']*'/,
      '',
    );
    expect(unapproved).toMatch(/& \$exe clear --method ppi --purpose repair --yes @escrowArgs --json/);
    const { report } = await runScript(unapproved);
    expect(report?.blocking).toEqual(['backup.escrow', 'rights.clear-authorization', 'approval']);
    expect(check(report, 'backup.escrow')).toMatch(/without the approval the campaign ran under/);
    expect(check(report, 'approval')).toMatch(/^fail: This device is managed by Intune/);
    await expectUntouched();
  }, 60_000);

  it('a malformed flag in the script is a wrong command line: refused before the gate, TPM untouched', async () => {
    const script = clearRemediationScript(APPROVAL, escrow()).replace(
      /'--escrow-verified-at', '[^']*'/,
      "'--escrow-verified-at', 'yesterday'",
    );
    const { report } = await runScript(script);
    expect(report).toMatchObject({ result: 'refused', reason: 'usage' });
    expect(report?.message).toMatch(/--escrow-verified-at: expected a UTC time/);
    await expectUntouched();
  }, 60_000);

  it("the escrow verified for the device's own protector, with the approval: cleared and proven", async () => {
    // A non-ASCII approver, as the ASCII script builds the name from its code points.
    // The firmware answers "unknown" (3): the script shuts the device down rather than restart it.
    devices.setFirmwareTransition(device.index, 3);
    const { cleared, report, powerAction } = await runScript(
      clearRemediationScript({ approvedBy: 'José Ñuñez', ticket: 'CHG-77' }, escrow()),
    );
    expect(cleared).toBe(true);
    expect(powerAction).toBe('shutdown');
    expect(report).toMatchObject({ result: 'cleared', proven: true, reason: null });
    const left = await persistent();
    for (const handle of STALE_HANDLES) expect(left).not.toContain(handle);
    const journals = (await readdir(device.journalDir)).filter((f) => f.endsWith('.jsonl'));
    expect(journals).toHaveLength(1);
    const journal = await readFile(path.join(device.journalDir, journals[0]!), 'utf8');
    expect(journal).toContain('"approvedBy":"José Ñuñez"');
  }, 60_000);
});
