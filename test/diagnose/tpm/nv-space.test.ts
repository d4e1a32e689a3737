/**
 * NV exhaustion read from what the TPM refuses: an NV index is refused (TPM_RC_NV_SPACE) when it
 * would eat into the room the TPM keeps for TPM_PT_HR_PERSISTENT_MIN persistent objects, although
 * TPM_PT_HR_PERSISTENT_AVAIL is not low.
 */
import { describe, expect, it } from 'vitest';
import { nvIndexRoom } from '../../../src/diagnose/rules/tpm/persistent-space-low.js';
import type { WindowsEvent } from '../../../src/snapshot/windows-evidence.js';
import { diagnoseTpm, healthyStatus, healthyWindows, snapshot } from './support.js';

function withCapacity(persistentAvailable: number, persistentLoaded: number, persistentMin: number) {
  const s = healthyStatus();
  s.capacity = { ...s.capacity!, persistentAvailable, persistentLoaded, persistentMin };
  return s;
}

const finding = (d: ReturnType<typeof diagnoseTpm>) =>
  d.findings.find((f) => f.id === 'tpm.persistent-space-low');

describe('tpm.persistent-space-low from what the TPM refuses', () => {
  it('room for an NV index = free persistent slots minus those reserved for PERSISTENT_MIN', () => {
    expect(
      nvIndexRoom({
        ...healthyStatus().capacity!,
        persistentAvailable: 5,
        persistentLoaded: 2,
        persistentMin: 7,
      }),
    ).toBe(0);
    expect(
      nvIndexRoom({
        ...healthyStatus().capacity!,
        persistentAvailable: 5,
        persistentLoaded: 9,
        persistentMin: 7,
      }),
    ).toBe(5);
    expect(nvIndexRoom({ ...healthyStatus().capacity!, persistentMin: null })).toBeNull();
  });

  it('5 slots free but all 5 reserved (2 of 7 minimum objects stored): an NV index is refused, an error', () => {
    const f = finding(diagnoseTpm(snapshot(withCapacity(5, 2, 7))));
    expect(f?.severity).toBe('error');
    expect(f?.title).toBe('The TPM has no NV room left for a new NV index');
    expect(f?.evidence).toContainEqual({ source: 'tpm', field: 'TPM_PT_HR_PERSISTENT_MIN', value: 7 });
  });

  it('room beyond the reservation: nothing to report', () => {
    expect(finding(diagnoseTpm(snapshot(withCapacity(10, 2, 7))))).toBeUndefined();
  });

  it('a section refused with TPM_RC_NV_SPACE: reported as what the TPM refused', () => {
    const s = healthyStatus();
    s.errors = [{ section: 'nv', code: 'TPM_RC_NV_SPACE', message: 'TPM_RC_NV_SPACE (0x14b)' }];
    const f = finding(diagnoseTpm(snapshot(s)));
    expect(f?.severity).toBe('error');
    expect(f?.title).toMatch(/refused/);
  });

  it('Windows logged TPM_20_E_NV_SPACE (0x8028014B): reported from the evidence', () => {
    const event: WindowsEvent = {
      log: 'System',
      provider: 'Microsoft-Windows-TPM-WMI',
      id: 1026,
      level: 'error',
      timeCreated: '2026-11-20T08:00:00Z',
      message:
        'The Trusted Platform Module (TPM) hardware on this computer cannot be provisioned for use automatically. Error: 0x8028014B',
    };
    const f = finding(diagnoseTpm(snapshot(null, healthyWindows({ events: [event] }))));
    expect(f?.evidence).toContainEqual(expect.objectContaining({ value: '0x8028014b' }));
  });
});
