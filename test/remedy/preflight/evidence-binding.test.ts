/**
 * `clear --evidence`: the bundle is bound to the TPM being cleared (src/remedy/preflight/
 * evidence-binding.ts). Another TPM's bundle fails, whatever is acknowledged; a bundle that names
 * nothing about its TPM is unknown; the same TPM passes.
 */
import { describe, expect, it } from 'vitest';
import { bindEvidenceToTpm } from '../../../src/remedy/preflight/evidence-binding.js';
import type { GateOptions } from '../../../src/remedy/preflight/gate.js';
import { runPreflight } from '../../../src/remedy/preflight/run-preflight.js';
import type { TpmStatus } from '../../../src/snapshot/tpm-status.js';
import type { WindowsEvidence } from '../../../src/snapshot/windows-evidence.js';
import { ekInfo, getTpm, tpmtool, win32Tpm } from '../../diagnose/tpm/support.js';
import {
  byId,
  clearDiagnosis,
  healthyStatus,
  healthyWindows,
  osVolume,
  RECOVERY_ID,
  snapshot,
} from './support.js';

const EK = 'ab'.repeat(32);
const OTHER_EK = 'cd'.repeat(32);

/** This TPM: an Intel PTT, firmware 600.18.0.0 (the Windows builders' device). */
function intelTpm(overrides: Partial<NonNullable<TpmStatus['identity']>> = {}): TpmStatus {
  const status = healthyStatus();
  return {
    ...status,
    identity: {
      ...status.identity!,
      manufacturer: { id: 'INTC', name: 'Intel', code: '0x494e5443' },
      firmwareVersion: '600.18.0.0',
      firmwareVersionRaw: ['0x02580012', '0x00000000'],
      ...overrides,
    },
  };
}

/** The Intel device's bundle: Get-Tpm, Win32_Tpm and tpmtool name INTC 600.18.0.0, and its EK hash. */
function bundle(sections: Partial<WindowsEvidence> = {}): WindowsEvidence {
  return healthyWindows({ origin: 'bundle/PC-0042', ekInfo: ekInfo({ publicKeyHash: EK }), ...sections });
}

const NAMES_NOTHING: Partial<WindowsEvidence> = {
  getTpm: getTpm({
    manufacturerId: null,
    manufacturerIdTxt: null,
    manufacturerVersion: null,
    manufacturerVersionFull20: null,
  }),
  win32Tpm: win32Tpm({ manufacturerId: null, manufacturerIdTxt: null, manufacturerVersion: null }),
  tpmtool: tpmtool({ manufacturerId: null, manufacturerVersion: null }),
  ekInfo: ekInfo({ publicKeyHash: null }),
};

describe('bindEvidenceToTpm', () => {
  it('the same TPM: manufacturer, firmware version and EK hash all match', () => {
    const b = bindEvidenceToTpm(bundle(), intelTpm(), [OTHER_EK, EK]);
    expect(b).toMatchObject({
      status: 'same',
      compared: ['manufacturer', 'firmware version', 'EK public key hash'],
    });
  });

  it('another manufacturer is another TPM: each fact once, with the sources that gave it', () => {
    const b = bindEvidenceToTpm(bundle(), healthyStatus(), null);
    expect(b.status).toBe('different');
    if (b.status !== 'different') return;
    expect(b.differences).toEqual([
      'manufacturer INTC, 0x494e5443 (Get-Tpm, Win32_Tpm, tpmtool getdeviceinformation), this TPM IBM (0x49424d00)',
      'firmware version 600.18.0.0 (Get-Tpm, Win32_Tpm, tpmtool getdeviceinformation), this TPM 8217.4131.22.13878',
    ]);
    expect(b.evidence).toContainEqual({ source: 'Win32_Tpm', field: 'ManufacturerId', value: '1229870147' });
  });

  it('the same model with another EK is another TPM', () => {
    const b = bindEvidenceToTpm(bundle(), intelTpm(), [OTHER_EK]);
    expect(b.status).toBe('different');
    if (b.status !== 'different') return;
    expect(b.differences).toEqual([
      `EK public key hash ${EK} (Get-TpmEndorsementKeyInfo), this TPM ${OTHER_EK}`,
    ]);
  });

  it('firmware: a shorter Windows form is compared on its parts; an update since the bundle differs', () => {
    const short = bundle({
      getTpm: getTpm({ manufacturerVersion: '600.18', manufacturerVersionFull20: null }),
    });
    expect(bindEvidenceToTpm(short, intelTpm(), [EK]).status).toBe('same');
    const updated = bindEvidenceToTpm(bundle(), intelTpm({ firmwareVersion: '600.19.0.0' }), [EK]);
    expect(updated.status).toBe('different');
    const tpm12 = bundle({
      getTpm: getTpm({ manufacturerVersionFull20: 'Not Supported for TPM 1.2' }),
    });
    expect(bindEvidenceToTpm(tpm12, intelTpm(), [EK]).status).toBe('same');
  });

  it('a bundle that names nothing about its TPM, or a TPM that could not be read: unknown', () => {
    const nothing = bindEvidenceToTpm(bundle(NAMES_NOTHING), intelTpm(), [EK]);
    expect(nothing).toMatchObject({ status: 'unknown' });
    if (nothing.status === 'unknown') expect(nothing.problem).toContain('names nothing about its TPM');
    const unread = bindEvidenceToTpm(bundle(), { ...intelTpm(), identity: null }, null);
    expect(unread).toMatchObject({ status: 'unknown' });
    // The EK alone still binds when the TPM's identity could not be read.
    expect(bindEvidenceToTpm(bundle(), { ...intelTpm(), identity: null }, [EK]).status).toBe('same');
    expect(bindEvidenceToTpm(bundle(), { ...intelTpm(), identity: null }, [OTHER_EK]).status).toBe(
      'different',
    );
  });
});

describe('the gate with a bundle (check evidence.same-tpm)', () => {
  const OPTIONS: GateOptions = {
    method: 'platform',
    purpose: 'decommission',
    evidenceBundle: { tpmEkPublicKeyHashes: [EK] },
  };

  it("another TPM's bundle fails with one line naming what differs; no acknowledgement passes it", () => {
    const s = snapshot(healthyStatus(), bundle());
    const r = runPreflight(s, clearDiagnosis(), {
      ...OPTIONS,
      evidenceBundle: { tpmEkPublicKeyHashes: [OTHER_EK] },
    });
    const c = byId(r, 'evidence.same-tpm');
    expect(c.status).toBe('fail');
    expect(c.message).not.toContain('\n');
    expect(c.message).toMatch(
      /^The evidence bundle is of another TPM: manufacturer INTC, 0x494e5443 \(Get-Tpm, Win32_Tpm, tpmtool getdeviceinformation\), this TPM IBM \(0x49424d00\); firmware version /,
    );
    expect(c.message).toContain('EK public key hash');
    expect(c.message).toContain('collect the evidence on this device');
    expect(r.passed).toBe(false);
    const everything = r.checks.map((x) => x.id);
    expect(runPreflight(s, clearDiagnosis(), { ...OPTIONS, acknowledged: everything }).passed).toBe(false);
  });

  it('the same TPM passes and is listed first, with what was compared', () => {
    const r = runPreflight(snapshot(intelTpm(), bundle()), clearDiagnosis(), OPTIONS);
    expect(r.checks[0]).toMatchObject({ id: 'evidence.same-tpm', status: 'pass' });
    expect(r.checks[0]?.evidence).toContainEqual({
      source: 'Get-TpmEndorsementKeyInfo',
      field: 'PublicKeyHash',
      value: EK,
    });
    expect(r.checks[0]?.message).toBe(
      'The evidence bundle is of this TPM: its manufacturer, firmware version, EK public key hash match.',
    );
    const noEk = runPreflight(snapshot(intelTpm(), bundle({ ekInfo: ekInfo() })), clearDiagnosis(), OPTIONS);
    expect(byId(noEk, 'evidence.same-tpm').message).toContain(
      'another TPM of the same model would match too',
    );
  });

  it('a bundle that names nothing about its TPM is unknown: it blocks unless acknowledged', () => {
    const s = snapshot(
      intelTpm(),
      bundle({
        ...NAMES_NOTHING,
        bitlocker: [osVolume({ protectionStatus: 'Off', suspendedRebootCount: 2 })],
      }),
    );
    const options: GateOptions = { ...OPTIONS, escrowedProtectorIds: [RECOVERY_ID] };
    const r = runPreflight(s, clearDiagnosis(), options);
    expect(byId(r, 'evidence.same-tpm').status).toBe('unknown');
    expect(byId(r, 'evidence.same-tpm').message).toContain('--acknowledge evidence.same-tpm');
    expect(r.passed).toBe(false);
    const acknowledged = runPreflight(s, clearDiagnosis(), {
      ...options,
      acknowledged: r.checks.filter((c) => c.status === 'unknown').map((c) => c.id),
    });
    expect(acknowledged.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(acknowledged.passed).toBe(true);
  });

  it('without a bundle (live evidence, the lab, no evidence) there is no such check', () => {
    const r = runPreflight(snapshot(healthyStatus(), bundle()), clearDiagnosis(), {
      method: 'platform',
      purpose: 'decommission',
    });
    expect(r.checks.map((c) => c.id)).not.toContain('evidence.same-tpm');
  });
});
