/**
 * The gate over the saved Windows evidence of test/fixtures/synthetic/windows/ (read with readEvidenceBundle,
 * diagnosed with every rule), as `tpm-doctor clear --evidence PATH` would see it.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/diagnose.js';
import { readEvidenceBundle } from '../../../src/probe/windows/evidence-bundle.js';
import type { GateOptions } from '../../../src/remedy/preflight/gate.js';
import { runPreflight } from '../../../src/remedy/preflight/run-preflight.js';
import type { Snapshot } from '../../../src/snapshot/snapshot.js';
import type { WindowsEvidence } from '../../../src/snapshot/windows-evidence.js';
import { byId, expectActionable, expectNoRecoveryPassword } from './support.js';

const FIXTURES = 'test/fixtures/synthetic/windows';
/** The 0x900 device's RecoveryPassword protector ID (bitlocker.json / manage-bde.txt). */
const RF_RECOVERY_ID = '93f1b7d2-0e4c-4a68-b5d9-2c7e1a3f8b06';

/**
 * A helpdesk gating on the bundle an hour after the device collected it (fresh evidence), unless
 * `takenAt` says when the gate runs.
 */
async function load(
  name: string,
  takenAt?: string,
): Promise<{ snapshot: Snapshot; windows: WindowsEvidence }> {
  const windows = await readEvidenceBundle(`${FIXTURES}/${name}`);
  const when = takenAt ?? new Date(Date.parse(windows.collectedAt!) + 3_600_000).toISOString();
  return { windows, snapshot: { schema: 'tpm-doctor/snapshot/v1', takenAt: when, tpm: null, windows } };
}

function gate(snapshot: Snapshot, options: GateOptions) {
  const result = runPreflight(snapshot, diagnose(snapshot), options);
  expectActionable(result);
  expectNoRecoveryPassword(result);
  return result;
}

/** The same evidence after `Suspend-BitLocker -MountPoint C: -RebootCount 2`. */
function suspended(s: Snapshot, count = 2): Snapshot {
  const w = s.windows!;
  return {
    ...s,
    windows: {
      ...w,
      bitlocker: w.bitlocker!.map((v) => ({
        ...v,
        protectionStatus: 'Off' as const,
        suspendedRebootCount: count,
      })),
    },
  };
}

describe('reduced-functionality-0x900 (the seed scenario)', () => {
  const ppi: GateOptions = { method: 'ppi', purpose: 'repair' };

  it('repair reason passes: the diagnosis reaches a clear', async () => {
    const { snapshot } = await load('reduced-functionality-0x900');
    const c = byId(gate(snapshot, ppi), 'reason');
    expect(c.status).toBe('pass');
    expect(c.message).toContain('tpm.reduced-functionality');
  });

  it('approval fails without --approved-by on this Intune-managed PC, and passes with it and a ticket', async () => {
    const { snapshot } = await load('reduced-functionality-0x900');
    const fail = byId(gate(snapshot, ppi), 'approval');
    expect(fail.status).toBe('fail');
    expect(fail.message).toContain('--approved-by NAME --ticket ID');
    expect(fail.evidence).toContainEqual({
      source: 'Enrollments',
      field: 'C3D4E5F6-0718-4293-A4B5-C6D7E8F90A1B ProviderID',
      value: 'MS DM Server',
    });
    expect(byId(gate(snapshot, { ...ppi, approvedBy: '田中', ticket: 'INC-42' }), 'approval').status).toBe(
      'pass',
    );
  });

  it('escrow is unknown without escrowed IDs, and passes when the recovery password ID is escrowed', async () => {
    const { snapshot } = await load('reduced-functionality-0x900');
    const unknown = byId(gate(snapshot, ppi), 'backup.escrow');
    expect(unknown.status).toBe('unknown');
    expect(unknown.message).toContain(`{${RF_RECOVERY_ID}}`);
    expect(
      byId(gate(snapshot, { ...ppi, escrowedProtectorIds: [RF_RECOVERY_ID] }), 'backup.escrow').status,
    ).toBe('pass');
    expect(byId(gate(snapshot, ppi), 'backup.recovery-password').status).toBe('pass');
  });

  it('suspension fails with the exact command until BitLocker is suspended for 2 reboots', async () => {
    const { snapshot } = await load('reduced-functionality-0x900');
    const fail = byId(gate(snapshot, ppi), 'backup.bitlocker-suspended');
    expect(fail.status).toBe('fail');
    expect(fail.message).toContain('Suspend-BitLocker -MountPoint C: -RebootCount 2');
    expect(byId(gate(suspended(snapshot, 1), ppi), 'backup.bitlocker-suspended').status).toBe('fail');
    expect(byId(gate(suspended(snapshot), ppi), 'backup.bitlocker-suspended').status).toBe('pass');
  });

  it('lockout authorisation is refused (IsReadyInformation 0x100: not in the registry), pointing to PPI', async () => {
    const { snapshot } = await load('reduced-functionality-0x900');
    const c = byId(gate(snapshot, { ...ppi, method: 'lockout' }), 'rights.clear-authorization');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('--method ppi');
  });

  it('everything done: the gate passes once what evidence cannot list is acknowledged (PPI authorised by the approval)', async () => {
    const { snapshot } = await load('reduced-functionality-0x900');
    const options: GateOptions = {
      ...ppi,
      approvedBy: '田中',
      ticket: 'INC-42',
      escrowedProtectorIds: [RF_RECOVERY_ID],
    };
    const before = gate(suspended(snapshot), options);
    expect(before.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status}`)).toEqual([
      // Evidence alone does not list the TPM's persistent objects and NV indices.
      'inventory:unknown',
    ]);
    expect(byId(before, 'rights.clear-authorization').message).toContain('approved by 田中 (ticket INC-42)');
    expect(byId(before, 'inventory').message).toContain(
      'What the clear will destroy could not be listed: the TPM was not read directly',
    );
    expect(before.passed).toBe(false);
    const rightsOnly = gate(suspended(snapshot), {
      ...options,
      acknowledged: ['rights.clear-authorization'],
    });
    expect(rightsOnly.passed).toBe(false);
    // The PPI firmware prompt without an approval is still an unknown.
    const { approvedBy: _by, ticket: _ticket, ...unapproved } = options;
    expect(byId(gate(suspended(snapshot), unapproved), 'rights.clear-authorization').status).toBe('unknown');
    const after = gate(suspended(snapshot), {
      ...options,
      acknowledged: ['rights.clear-authorization', 'inventory'],
    });
    expect(after.passed).toBe(true);
    expect(after.inventory.windows[0]).toContain('Windows Hello PIN and keys');
    expect(after.inventory.windows.at(-1)).toContain(
      'unknown: check certmgr for the Microsoft Platform Crypto Provider',
    );
  });

  it('the compact detection-script form gives the same gate', async () => {
    const { snapshot } = await load('compact/reduced-functionality-0x900.json');
    const r = gate(snapshot, ppi);
    expect(byId(r, 'reason').status).toBe('pass');
    expect(byId(r, 'backup.bitlocker-suspended').status).toBe(
      byId(gate((await load('reduced-functionality-0x900')).snapshot, ppi), 'backup.bitlocker-suspended')
        .status,
    );
  });
});

describe('evidence freshness (a bundle gated days after it was collected)', () => {
  const done: GateOptions = {
    method: 'ppi',
    purpose: 'repair',
    approvedBy: '田中',
    ticket: 'INC-42',
    escrowedProtectorIds: [RF_RECOVERY_ID],
    acknowledged: ['rights.clear-authorization', 'inventory'],
  };

  it('older than 24 h: the backup checks that passed become unknown, saying when it was collected', async () => {
    const { snapshot } = await load('reduced-functionality-0x900', '2024-05-20T00:00:00Z');
    const r = gate(suspended(snapshot), done);
    for (const id of ['backup.recovery-password', 'backup.escrow', 'backup.bitlocker-suspended'] as const) {
      const c = byId(r, id);
      expect(c.status, id).toBe('unknown');
      expect(c.message).toContain(
        'the evidence was collected at 2024-05-15T00:40:21.100Z, 119 h ago (the limit is 24 h): collect again on the device',
      );
      expect(c.message).toContain(`--acknowledge ${id}`);
      expect(c.evidence).toContainEqual({ source: 'preflight', field: 'evidenceAgeHours', value: 119.3 });
    }
    // The approval is recorded with --approved-by and --ticket: it does not rely on the evidence.
    expect(byId(r, 'approval').status).toBe('pass');
    expect(r.passed).toBe(false);
    const acknowledged = gate(suspended(snapshot), {
      ...done,
      acknowledged: [
        ...done.acknowledged!,
        'backup.recovery-password',
        'backup.escrow',
        'backup.bitlocker-suspended',
      ],
    });
    expect(acknowledged.passed).toBe(true);
  });

  it('a fail on stale evidence stays a fail, and says how old the evidence is', async () => {
    const { snapshot } = await load('reduced-functionality-0x900', '2024-05-20T00:00:00Z');
    const c = byId(gate(snapshot, done), 'backup.bitlocker-suspended');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('Suspend-BitLocker -MountPoint C: -RebootCount 2');
    expect(c.message).toContain('119 h ago');
  });

  it('within 24 h the evidence is fresh: the gate passes as before', async () => {
    const { snapshot } = await load('reduced-functionality-0x900', '2024-05-15T23:40:21Z');
    expect(gate(suspended(snapshot), done).passed).toBe(true);
  });
});

describe('bitlocker-no-recovery-password', () => {
  it('backup fails naming C: (TPM protector only); the data volume D: is not in question', async () => {
    const { snapshot } = await load('bitlocker-no-recovery-password');
    for (const purpose of ['repair', 'decommission'] as const) {
      const r = gate(snapshot, { method: 'ppi', purpose, approvedBy: 'a', ticket: 't' });
      const c = byId(r, 'backup.recovery-password');
      expect(c.status).toBe('fail');
      expect(c.message).toMatch(/^C: has a TPM protector but no recovery password/);
      expect(c.message).not.toContain('D:');
      expect(r.passed).toBe(false);
    }
  });
});

describe('lockout', () => {
  it('blocker.lockout fails with the time remaining (tpmtool: 32/32, one forgiven every 7200 s)', async () => {
    const { snapshot } = await load('lockout');
    const r = gate(snapshot, { method: 'lockout', purpose: 'repair' });
    const c = byId(r, 'blocker.lockout');
    expect(c.status).toBe('fail');
    expect(c.message).toContain('about 2 h remain');
    expect(c.message).toContain('Unblock-Tpm');
    expect(c.message).toContain('Never clear the TPM to escape a lockout');
    expect(byId(r, 'reason').status).toBe('fail');
    expect(byId(r, 'reason').message).toContain('"wait"');
    // Decommissioning does not get around it either.
    expect(gate(snapshot, { method: 'ppi', purpose: 'decommission' }).passed).toBe(false);
  });
});
