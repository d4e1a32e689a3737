/**
 * The TPM-status paths of the tpm.* rules that tpm2-tools cannot put a swtpm into (failure mode,
 * a TPM 1.2, a certificate of another TPM, MAX_AUTH_FAIL 0, full object slots, no PCR bank), with
 * typed TpmStatus objects as probeTpmStatus returns them.
 */
import { describe, expect, it } from 'vitest';
import { TPM_RULES } from '../../../src/diagnose/rules/tpm/index.js';
import { unreadTpmStatus } from '../../../src/probe/tpm-status.js';
import type { TpmStatus } from '../../../src/snapshot/tpm-status.js';
import { diagnoseTpm, healthyStatus, ids, snapshot } from './support.js';

function status(change: (s: TpmStatus) => void): TpmStatus {
  const s = healthyStatus();
  change(s);
  return s;
}

describe('tpm.* rules on TPM status', () => {
  it('every rule has exactly one stable tpm.* ID, and the 17 IDs of the contract are all there', () => {
    const all = TPM_RULES.flatMap((r) => r.ids);
    expect(TPM_RULES.every((r) => r.ids.length === 1)).toBe(true);
    expect([...all].sort()).toEqual([
      'tpm.absent',
      'tpm.clear-disabled',
      'tpm.ek-cert-mismatch',
      'tpm.ek-cert-missing',
      'tpm.firmware-vulnerable',
      'tpm.hierarchy-disabled',
      'tpm.lockout',
      'tpm.lockout-counter-high',
      'tpm.not-ready',
      'tpm.persistent-space-low',
      'tpm.reduced-functionality',
      'tpm.restart-pending',
      'tpm.selftest-failed',
      'tpm.sha256-bank-missing',
      'tpm.stale-objects',
      'tpm.transient-leak',
      'tpm.version-unsupported',
    ]);
  });

  it('no snapshot at all: nothing, and the verdict is undiagnosable', () => {
    const d = diagnoseTpm(snapshot(null));
    expect(d.findings).toEqual([]);
    expect(d.verdict.status).toBe('undiagnosable');
  });

  it('no TPM answered: tpm.absent with the transport error as evidence', () => {
    // This machine's own TPM: its silence is a finding (a simulator's would not be).
    const tpm = unreadTpmStatus('device:/dev/tpmrm0', false, new Date());
    tpm.errors.push({ section: 'selfTest', code: 'TPM_ABSENT', message: 'cannot open /dev/tpmrm0: ENOENT' });
    const d = diagnoseTpm(snapshot(tpm));
    expect(ids(d)).toEqual(['tpm.absent']);
    expect(d.findings[0]!.evidence).toEqual([
      { source: 'tpm', field: 'present', value: false },
      { source: 'tpm', field: 'selfTest error', value: 'TPM_ABSENT: cannot open /dev/tpmrm0: ENOENT' },
    ]);
  });

  it('failure mode (GetTestResult TPM_RC_FAILURE, other sections TPM_RC_FAILURE): error, restart, blocks a clear', () => {
    const tpm = status((s) => {
      s.selfTest = {
        ok: false,
        code: '0x101',
        name: 'TPM_RC_FAILURE',
        message: 'commands not being accepted because of a TPM failure',
      };
      s.errors = [{ section: 'pcrBanks', code: 'TPM_RC_FAILURE', message: 'TPM_RC_FAILURE (0x101)' }];
    });
    const d = diagnoseTpm(snapshot(tpm));
    expect(ids(d)).toEqual(['tpm.selftest-failed']);
    const f = d.findings[0]!;
    expect(f.title).toBe('The TPM is in failure mode');
    expect(f.remedy.step).toBe('restart');
    expect(f.blocksClear).toBeDefined();
    expect(d.verdict).toMatchObject({ status: 'errors', nextStep: 'restart', clearRecommended: false });
  });

  it('TPM_RC_NEEDS_TEST and TPM_RC_TESTING are not failures', () => {
    for (const name of ['TPM_RC_NEEDS_TEST', 'TPM_RC_TESTING']) {
      const tpm = status((s) => {
        s.selfTest = { ok: false, code: '0x153', name, message: '' };
      });
      expect(ids(diagnoseTpm(snapshot(tpm)))).toEqual([]);
    }
  });

  it('a TPM 1.2 answering TPM 2.0 commands with TPM_BADTAG: version-unsupported', () => {
    const tpm = status((s) => {
      s.selfTest = null;
      s.errors = [{ section: 'selfTest', code: 'TPM_RC_BAD_TAG', message: 'TPM_RC_BAD_TAG (0x01e)' }];
    });
    expect(ids(diagnoseTpm(snapshot(tpm)))).toEqual(['tpm.version-unsupported']);
  });

  it('an EK certificate whose key is not the EK: ek-cert-mismatch, update, does not block a clear', () => {
    const tpm = status((s) => {
      s.endorsement!.certificates[0] = {
        ...s.endorsement!.certificates[0]!,
        matches: false,
        reason: 'the certificate key modulus differs from the EK',
      };
    });
    const d = diagnoseTpm(snapshot(tpm));
    expect(ids(d)).toEqual(['tpm.ek-cert-mismatch']);
    const f = d.findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.remedy.step).toBe('update');
    expect(f.blocksClear).toBeUndefined();
    expect(f.evidence).toContainEqual({
      source: 'tpm',
      field: 'EK certificate 0x01c00002 (L-1) compared with',
      value: 'persistent EK 0x81010001',
    });
  });

  it('a certificate that could not be compared (matches null) is not a mismatch', () => {
    const tpm = status((s) => {
      s.endorsement!.certificates[0] = {
        ...s.endorsement!.certificates[0]!,
        matches: null,
        ek: { source: 'none', handle: null },
      };
    });
    expect(ids(diagnoseTpm(snapshot(tpm)))).toEqual([]);
  });

  it('MAX_AUTH_FAIL 0: locked out for good, reset-lockout with new DA parameters', () => {
    const tpm = status((s) => {
      s.dictionaryAttack = { ...s.dictionaryAttack!, inLockout: true, failedTries: 0, maxTries: 0 };
    });
    const d = diagnoseTpm(snapshot(tpm));
    expect(ids(d)).toEqual(['tpm.lockout']);
    expect(d.findings[0]!.remedy.step).toBe('reset-lockout');
    expect(d.findings[0]!.remedy.action).toMatch(/^MAX_AUTH_FAIL is 0/);
  });

  it('lockout wait time: (failedTries - maxTries + 1) x LOCKOUT_INTERVAL', () => {
    const tpm = status((s) => {
      s.dictionaryAttack = {
        ...s.dictionaryAttack!,
        inLockout: true,
        failedTries: 34,
        maxTries: 32,
        recoveryTimeSeconds: 600,
      };
    });
    expect(diagnoseTpm(snapshot(tpm)).findings[0]!.remedy.action).toMatch(/^Wait about 30 min /);
  });

  it('TPM_RC_LOCKOUT in a section error is lockout evidence too', () => {
    const tpm = status((s) => {
      s.errors = [{ section: 'endorsement', code: 'TPM_RC_LOCKOUT', message: 'TPM_RC_LOCKOUT (0x921)' }];
    });
    expect(ids(diagnoseTpm(snapshot(tpm)))).toEqual(['tpm.lockout']);
  });

  it('no transient slot left: transient-leak is an error', () => {
    const tpm = status((s) => {
      s.transientHandles = ['0x80000000', '0x80000001', '0x80000002'];
      s.capacity = { ...s.capacity!, transientAvailable: 0 };
    });
    const d = diagnoseTpm(snapshot(tpm));
    expect(ids(d)).toEqual(['tpm.transient-leak']);
    expect(d.findings[0]!.severity).toBe('error');
    expect(d.verdict).toMatchObject({ status: 'errors', nextStep: 'restart' });
  });

  it('no persistent slot left: persistent-space-low is an error', () => {
    const tpm = status((s) => {
      s.capacity = { ...s.capacity!, persistentAvailable: 0 };
    });
    expect(diagnoseTpm(snapshot(tpm)).findings.map((f) => [f.id, f.severity])).toEqual([
      ['tpm.persistent-space-low', 'error'],
    ]);
  });

  it('no PCR bank allocated at all: sha256-bank-missing is an error', () => {
    const tpm = status((s) => {
      s.pcrBanks = [];
    });
    const d = diagnoseTpm(snapshot(tpm));
    expect(d.findings.map((f) => [f.id, f.severity, f.title])).toEqual([
      ['tpm.sha256-bank-missing', 'error', 'No PCR bank is allocated'],
    ]);
  });

  it('PCR banks not readable (null): no finding', () => {
    const tpm = status((s) => {
      s.pcrBanks = null;
    });
    expect(ids(diagnoseTpm(snapshot(tpm)))).toEqual([]);
  });

  it('stale objects: SRKs, EK-like objects in the EK block, platform objects and the Linux NV block are expected', () => {
    const object = (handle: string, attributes: string) => ({
      handle,
      hierarchy: 'owner' as const,
      purpose: 'test',
      type: 'rsa',
      nameAlg: 'sha256',
      attributes,
      attributesValue: '0x00030072',
      keyBits: 2048,
      curve: null,
      name: '00',
    });
    const srk = 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda|restricted|decrypt';
    const ek = 'fixedtpm|fixedparent|sensitivedataorigin|adminwithpolicy|restricted|decrypt';
    const nv = (index: string, platformCreated: boolean) => ({
      index,
      hierarchy: platformCreated ? ('platform' as const) : ('owner' as const),
      platformCreated,
      purpose: 'test',
      type: 'ordinary',
      nameAlg: 'sha256',
      attributes: 'ownerread|ownerwrite',
      attributesValue: '0x00020002',
      size: 8,
      authPolicy: '',
      name: '00',
    });
    const tpm = status((s) => {
      s.persistentObjects = [
        object('0x81000001', srk),
        object('0x81000002', srk),
        object('0x81010001', ek),
        object('0x81010002', ek),
        object('0x81010099', srk), // in the EK block but not an EK
        object('0x81000010', srk), // an extra storage primary
        object('0x81800000', srk), // platform range
      ];
      s.nvIndices = [nv('0x01c00002', true), nv('0x01d10200', false), nv('0x01800001', false)];
    });
    const f = diagnoseTpm(snapshot(tpm)).findings;
    expect(f.map((x) => x.id)).toEqual(['tpm.stale-objects']);
    expect(f[0]!.evidence.map((e) => e.field)).toEqual([
      'persistent object 0x81010099',
      'persistent object 0x81000010',
      'owner NV index 0x01800001',
    ]);
    expect(f[0]!.remedy.step).toBe('none');
  });

  it('stale objects: an unreadable object in an EK slot gets the benefit of the doubt; elsewhere it is listed', () => {
    const unreadable = (handle: string) => ({
      handle,
      hierarchy: 'endorsement' as const,
      purpose: 'test',
      type: '',
      nameAlg: '',
      attributes: '',
      attributesValue: '',
      keyBits: null,
      curve: null,
      name: '',
      error: 'TPM2_ReadPublic: TPM_RC_HANDLE (handle 1, 0x18B)',
    });
    const tpm = status((s) => {
      s.persistentObjects = [unreadable('0x81010001'), unreadable('0x81000007')];
    });
    const f = diagnoseTpm(snapshot(tpm)).findings;
    expect(f.map((x) => x.id)).toEqual(['tpm.stale-objects']);
    expect(f[0]!.evidence).toEqual([
      {
        source: 'tpm',
        field: 'persistent object 0x81000007',
        value:
          'unreadable: TPM2_ReadPublic: TPM_RC_HANDLE (handle 1, 0x18B) (endorsement hierarchy range: test)',
      },
    ]);
  });

  it('ownerAuthSet / endorsementAuthSet / lockoutAuthSet alone are not findings', () => {
    const tpm = status((s) => {
      s.permanent = {
        value: '0x00000407',
        set: ['ownerAuthSet', 'endorsementAuthSet', 'lockoutAuthSet', 'tpmGeneratedEPS'],
        flags: {
          ownerAuthSet: true,
          endorsementAuthSet: true,
          lockoutAuthSet: true,
          disableClear: false,
          inLockout: false,
          tpmGeneratedEPS: true,
        },
      };
    });
    expect(ids(diagnoseTpm(snapshot(tpm)))).toEqual([]);
  });

  it('no rule throws on a status where every section is null', () => {
    const tpm: TpmStatus = {
      ...healthyStatus(),
      started: false,
      identity: null,
      selfTest: null,
      permanent: null,
      startupClear: null,
      dictionaryAttack: null,
      pcrBanks: null,
      persistentObjects: null,
      transientHandles: null,
      nvIndices: null,
      capacity: null,
      clock: null,
      endorsement: null,
      properties: null,
      errors: [{ section: 'properties', code: 'TPM_RC_INITIALIZE', message: 'TPM_RC_INITIALIZE (0x100)' }],
    };
    const d = diagnoseTpm(snapshot(tpm));
    expect(d.ruleErrors).toEqual([]);
    expect(ids(d)).toEqual(['tpm.not-ready']);
  });
});
