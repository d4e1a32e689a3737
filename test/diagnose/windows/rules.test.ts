import { describe, expect, it } from 'vitest';
import { REMEDY_LADDER } from '../../../src/diagnose/finding.js';
import { RULES } from '../../../src/diagnose/rules/index.js';
import { WINDOWS_RULES } from '../../../src/diagnose/rules/windows/index.js';
import { device, snapshotOf } from './support.js';

const WINDOWS_IDS = [
  'entra.device-key-unusable',
  'entra.device-key-not-in-tpm',
  'entra.no-prt',
  'hello.not-provisioned',
  'bitlocker.no-recovery-password',
  'bitlocker.not-read',
  'bitlocker.recovery-backup-failed',
  'bitlocker.tpm-protector-missing',
  'bitlocker.suspended',
  'mdm.not-enrolled',
  'mdm.sync-failing',
  'autopilot.attestation-failed',
  'secureboot.ca-update-pending',
];

describe('WINDOWS_RULES', () => {
  it('lists one rule per Windows finding ID of docs/findings.md, each ID once', () => {
    expect(WINDOWS_RULES.flatMap((r) => r.ids)).toEqual(WINDOWS_IDS);
  });

  it('is part of RULES', () => {
    for (const rule of WINDOWS_RULES) expect(RULES).toContain(rule);
  });

  it('says nothing on a healthy device, or without Windows evidence', () => {
    for (const rule of WINDOWS_RULES) {
      expect(rule.evaluate(device()), rule.ids[0]).toEqual([]);
      expect(rule.evaluate(snapshotOf(null)), rule.ids[0]).toEqual([]);
    }
  });

  it('says only that BitLocker is unknown when every Windows section is missing (nothing parsed)', () => {
    const empty = device((w) => {
      w.getTpm = null;
      w.win32Tpm = null;
      w.isReady = null;
      w.ekInfo = null;
      w.tpmtool = null;
      w.dsregcmd = null;
      w.bitlocker = null;
      w.enrollments = null;
      w.mdmSync = null;
      w.events = null;
    });
    for (const rule of WINDOWS_RULES) {
      const ids = rule.evaluate(empty).map((f) => f.id);
      // Unknown BitLocker protectors block a clear: the one thing an empty bundle must say.
      expect(ids, rule.ids[0]).toEqual(rule.ids[0] === 'bitlocker.not-read' ? ['bitlocker.not-read'] : []);
    }
  });

  it('bitlocker.not-read blocks a clear that Windows asks for; manage-bde volumes (type Unknown) count as OS volumes', () => {
    const unread = device((w) => {
      w.bitlocker = null;
    });
    const [finding] = WINDOWS_RULES.flatMap((r) => r.evaluate(unread)).filter(
      (f) => f.id === 'bitlocker.not-read',
    );
    expect(finding?.blocksClear).toMatch(/unknown/);
    const fromManageBde = device((w) => {
      w.bitlocker = [
        {
          mountPoint: 'C:',
          volumeType: 'Unknown',
          volumeStatus: null,
          protectionStatus: 'Unknown',
          suspendedRebootCount: null,
          keyProtectors: [{ id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' }],
        },
      ];
    });
    const ids = WINDOWS_RULES.flatMap((r) => r.evaluate(fromManageBde)).map((f) => f.id);
    expect(ids).toContain('bitlocker.no-recovery-password');
  });

  it('stays pure: evaluating twice gives the same findings and leaves the snapshot unchanged', () => {
    const s = device((w) => {
      w.dsregcmd!.keySignTest = 'FAILED';
      w.bitlocker![0]!.protectionStatus = 'Off';
    });
    const before = JSON.stringify(s);
    for (const rule of WINDOWS_RULES) expect(rule.evaluate(s)).toEqual(rule.evaluate(s));
    expect(JSON.stringify(s)).toBe(before);
  });
});

describe('every Windows finding', () => {
  const broken = device((w) => {
    w.dsregcmd!.keySignTest = 'FAILED';
    w.dsregcmd!.azureAdPrt = false;
    w.dsregcmd!.ngcSet = false;
    w.dsregcmd!.tpmProtected = false;
    w.bitlocker![0]!.protectionStatus = 'Off';
    w.bitlocker![0]!.keyProtectors = [{ id: '8a5d13d6-7ed9-46c8-a74f-ac3adf016ec8', type: 'Tpm' }];
  });
  const findings = WINDOWS_RULES.flatMap((rule) => rule.evaluate(broken).map((f) => ({ rule, f })));

  it('fired in this sample', () => {
    expect(findings.length).toBeGreaterThanOrEqual(6);
  });

  for (const { rule, f } of findings) {
    it(`${f.id}: is declared by its rule, has evidence, a ladder step and Microsoft references`, () => {
      expect(rule.ids).toContain(f.id);
      expect(f.title.length).toBeGreaterThan(0);
      expect(f.why.length).toBeGreaterThan(0);
      expect(f.impacts.length).toBeGreaterThan(0);
      expect(f.evidence.length).toBeGreaterThan(0);
      for (const e of f.evidence) expect(e.source.length).toBeGreaterThan(0);
      expect(REMEDY_LADDER).toContain(f.remedy.step);
      expect(f.remedy.destroysKeys).toBe(f.remedy.step === 'clear');
      expect(f.references!.length).toBeGreaterThan(0);
      for (const r of f.references!) expect(r).toMatch(/^https:\/\/(learn|support)\.microsoft\.com\//);
    });
  }
});
