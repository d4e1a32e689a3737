import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import type { Finding, RemedyStep, Severity } from '../../src/diagnose/finding.js';
import { decideVerdict } from '../../src/diagnose/verdict.js';
import { unreadTpmStatus } from '../../src/probe/tpm-status.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import type { TpmStatus } from '../../src/snapshot/tpm-status.js';

function finding(id: string, severity: Severity, step: RemedyStep, blocksClear?: string): Finding {
  return {
    id,
    severity,
    title: id,
    why: 'test',
    impacts: [],
    evidence: [],
    remedy: { step, action: `do ${step} for ${id}`, destroysKeys: step === 'clear' },
    ...(blocksClear ? { blocksClear } : {}),
  };
}

describe('decideVerdict', () => {
  it('recommends a clear only when it is the lowest rung and nothing blocks it', () => {
    const v = decideVerdict([finding('tpm.reduced-functionality', 'error', 'clear')], true);
    expect(v).toMatchObject({ status: 'errors', nextStep: 'clear', clearRecommended: true });
  });

  it('takes the lowest rung first', () => {
    const v = decideVerdict(
      [finding('a', 'error', 'clear'), finding('b', 'error', 'restart'), finding('c', 'error', 'update')],
      true,
    );
    expect(v).toMatchObject({ nextStep: 'restart', because: ['b'], clearRecommended: false });
  });

  it('a warning-level blocker still decides the next step when the errors reach a clear', () => {
    const v = decideVerdict(
      [finding('needs-clear', 'error', 'clear'), finding('blocker', 'warning', 'update', 'firmware first')],
      true,
    );
    expect(v).toMatchObject({
      nextStep: 'update',
      because: ['blocker'],
      clearRecommended: false,
      clearBlockedBy: [{ finding: 'blocker', reason: 'firmware first' }],
    });
  });

  it('says so when a clear is needed but a blocker offers no step of its own', () => {
    const v = decideVerdict(
      [finding('needs-clear', 'error', 'clear'), finding('blocker', 'info', 'none', 'not now')],
      true,
    );
    expect(v).toMatchObject({ nextStep: 'none', clearRecommended: false, because: ['blocker'] });
    expect(v.action).toMatch(/not now/);
  });

  it('healthy with only notes; warnings without an actionable step', () => {
    expect(decideVerdict([finding('n', 'info', 'none')], true)).toMatchObject({
      status: 'healthy',
      nextStep: 'none',
    });
    expect(decideVerdict([finding('w', 'warning', 'none')], true)).toMatchObject({
      status: 'warnings',
      nextStep: 'none',
    });
  });
});

function unreachable(uri: string, code = 'TPM_TRANSPORT', message = 'connection refused'): TpmStatus {
  const status = unreadTpmStatus(uri, false, new Date('2026-11-24T00:00:00.000Z'));
  status.errors.push({ section: 'selfTest', code, message });
  return status;
}

describe('diagnose() on nothing readable', () => {
  const snapshot = (tpm: TpmStatus | null): Snapshot => ({
    schema: 'tpm-doctor/snapshot/v1',
    takenAt: '2026-11-24T00:00:00.000Z',
    tpm,
    windows: null,
  });

  it('a simulator that does not answer says nothing about a device: undiagnosable, no findings', () => {
    const d = diagnose(snapshot(unreachable('swtpm://127.0.0.1:1')));
    expect(d.verdict.status).toBe('undiagnosable');
    expect(d.findings).toEqual([]);
  });

  it('no TPM device on this machine is a finding: tpm.absent', () => {
    const d = diagnose(
      snapshot(unreachable('device:/dev/tpmrm0', 'TPM_ABSENT', 'cannot open /dev/tpmrm0: no such device')),
    );
    expect(d.verdict.status).toBe('errors');
    expect(d.findings.map((f) => f.id)).toContain('tpm.absent');
    expect(d.verdict.clearRecommended).toBe(false);
  });

  it('a TPM device we may not open (permission denied) is not "absent": undiagnosable', () => {
    const d = diagnose(
      snapshot(
        unreachable('device:/dev/tpmrm0', 'TPM_TRANSPORT', 'cannot open /dev/tpmrm0: permission denied'),
      ),
    );
    expect(d.verdict.status).toBe('undiagnosable');
    expect(d.findings).toEqual([]);
    expect(d.verdict.clearBlockedBy).toEqual([]);
  });

  it('a busy /dev/tpm0 is undiagnosable with the reason status gives (EBUSY), not only "nothing could be read"', () => {
    const busy =
      'cannot open /dev/tpm0: the device is busy (another program holds /dev/tpm0; use /dev/tpmrm0)';
    const d = diagnose(snapshot(unreachable('device:/dev/tpm0', 'TPM_TRANSPORT', busy)));
    expect(d.verdict.status).toBe('undiagnosable');
    expect(d.verdict.action).toContain(busy);
    expect(d.verdict.action).toContain('device:/dev/tpm0');
    expect(d.verdict.unknown).toContainEqual(expect.objectContaining({ fact: 'tpm-state' }));
  });

  it('no source at all is undiagnosable', () => {
    expect(diagnose(snapshot(null)).verdict.status).toBe('undiagnosable');
  });
});
