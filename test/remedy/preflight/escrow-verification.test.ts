/**
 * backup.escrow with a clear campaign's escrow verification (--escrow-verified ...): accepted only
 * for the device's own OS-volume recovery-password protectors, with the approval, while recent.
 * Pure: no TPM.
 */
import { describe, expect, it } from 'vitest';
import {
  type EscrowVerification,
  parseEscrowVerification,
} from '../../../src/remedy/preflight/escrow-verification.js';
import type { GateOptions } from '../../../src/remedy/preflight/gate.js';
import { runPreflight } from '../../../src/remedy/preflight/run-preflight.js';
import type { WindowsEvidence } from '../../../src/snapshot/windows-evidence.js';
import {
  byId,
  clearDiagnosis,
  healthyStatus,
  healthyWindows,
  INTUNE,
  osVolume,
  pcStatus,
  RECOVERY_ID,
  snapshot,
} from './support.js';

function readyPc(windows: Partial<WindowsEvidence> = {}) {
  return snapshot(
    pcStatus({}, healthyStatus()),
    healthyWindows({
      bitlocker: [osVolume({ protectionStatus: 'Off', suspendedRebootCount: 2 })],
      enrollments: [INTUNE],
      ...windows,
    }),
  );
}

const HOUR = 3_600_000;
const s = readyPc();
const at = (offsetMs: number) => new Date(Date.parse(s.takenAt) + offsetMs).toISOString();
const verification = (v: Partial<EscrowVerification> = {}): EscrowVerification => ({
  protectorIds: [RECOVERY_ID],
  verifiedAt: at(-HOUR),
  verifiedBy: 'c-20261207-120000-abc123',
  ...v,
});
/** What the fleet clear script passes: PPI, the approval, the verification; no --escrowed. */
const FLEET: GateOptions = {
  method: 'ppi',
  purpose: 'repair',
  approvedBy: 'A. Admin',
  ticket: 'CHG-77',
};
const escrow = (options: GateOptions, snap = s) =>
  byId(runPreflight(snap, clearDiagnosis(), options), 'backup.escrow');

describe('backup.escrow from a campaign verification', () => {
  it("the device's own protector, recent, with the approval: passes, and the whole gate passes", () => {
    const r = runPreflight(s, clearDiagnosis(), { ...FLEET, escrowVerification: verification() });
    expect(byId(r, 'backup.escrow').status).toBe('pass');
    expect(byId(r, 'backup.escrow').message).toContain('campaign c-20261207-120000-abc123');
    expect(byId(r, 'rights.clear-authorization').status).toBe('pass');
    expect(r.passed).toBe(true);
  });

  it('no verification: unknown, as before (a device has no Graph credentials)', () => {
    expect(escrow(FLEET).status).toBe('unknown');
    expect(runPreflight(s, clearDiagnosis(), FLEET).passed).toBe(false);
  });

  it('IDs the device does not read for its OS volume: fail, naming both', () => {
    const other = '0badc0de-0000-4000-8000-000000000001';
    const c = escrow({ ...FLEET, escrowVerification: verification({ protectorIds: [other] }) });
    expect(c.status).toBe('fail');
    expect(c.message).toContain(`{${other}} is not a recovery password protector this device reads`);
    expect(c.message).toContain(`{${RECOVERY_ID}}`);
    // One foreign ID among matching ones is still a mismatch.
    const mixed = escrow({
      ...FLEET,
      escrowVerification: verification({ protectorIds: [RECOVERY_ID, other] }),
    });
    expect(mixed.status).toBe('fail');
  });

  it("the device's protectors unknown: never accepted on the campaign's word", () => {
    const unread = readyPc({ bitlocker: null });
    const c = escrow({ ...FLEET, escrowVerification: verification() }, unread);
    expect(c.status).toBe('unknown');
    const cut = readyPc({
      bitlocker: [
        osVolume({ protectionStatus: 'Off', suspendedRebootCount: 2, protectorsUnknown: 'cut off' }),
      ],
    });
    const d = escrow({ ...FLEET, escrowVerification: verification() }, cut);
    expect(d.status).toBe('unknown');
    expect(d.message).toContain('is not accepted without the device');
  });

  it('too old, or from the future (beyond the clock skew): fail', () => {
    const old = escrow({ ...FLEET, escrowVerification: verification({ verifiedAt: at(-25 * HOUR) }) });
    expect(old.status).toBe('fail');
    expect(old.message).toMatch(/25 h ago \(the limit is 24 h\)/);
    expect(
      escrow({ ...FLEET, escrowVerification: verification({ verifiedAt: at(-23 * HOUR) }) }).status,
    ).toBe('pass');
    const future = escrow({ ...FLEET, escrowVerification: verification({ verifiedAt: at(HOUR) }) });
    expect(future.status).toBe('fail');
    expect(future.message).toContain("after this check's time");
    expect(escrow({ ...FLEET, escrowVerification: verification({ verifiedAt: at(60_000) }) }).status).toBe(
      'pass',
    );
  });

  it('without the approval: fail', () => {
    const { approvedBy: _by, ticket: _ticket, ...unapproved } = FLEET;
    const c = escrow({ ...unapproved, escrowVerification: verification() });
    expect(c.status).toBe('fail');
    expect(c.message).toContain('without the approval the campaign ran under');
  });
});

describe('parseEscrowVerification (the flags)', () => {
  const ok = { ids: RECOVERY_ID, at: '2026-12-07T12:00:00Z', by: 'c-20261207-120000-abc123' };
  it('all three or none; strict shapes', () => {
    expect(parseEscrowVerification({ ids: undefined, at: undefined, by: undefined })).toEqual({
      verification: undefined,
    });
    expect(parseEscrowVerification(ok)).toEqual({
      verification: { protectorIds: [RECOVERY_ID], verifiedAt: ok.at, verifiedBy: ok.by },
    });
    expect(parseEscrowVerification({ ...ok, by: undefined })).toEqual({
      error: expect.stringMatching(/go together/),
    });
    for (const ids of [`{${RECOVERY_ID}}`, 'not-a-guid', `${RECOVERY_ID},`, "x';calc;'"]) {
      expect(parseEscrowVerification({ ...ok, ids })).toEqual({
        error: expect.stringMatching(/^--escrow-verified: expected/),
      });
    }
    for (const when of ['yesterday', '2026-12-07', '2026-12-07T12:00:00+01:00', '2026-13-45T99:00:00Z']) {
      expect(parseEscrowVerification({ ...ok, at: when })).toEqual({
        error: expect.stringMatching(/^--escrow-verified-at/),
      });
    }
    for (const by of ['', 'a b', "c'1", 'x'.repeat(65)]) {
      expect(parseEscrowVerification({ ...ok, by })).toEqual({
        error: expect.stringMatching(/^--escrow-verified-by/),
      });
    }
  });
});
