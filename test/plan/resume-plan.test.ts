/** Resume's rules: which TPM, whether it can be resumed on, and whether a clear is still to come. */
import { describe, expect, it } from 'vitest';
import { clearStillToCome } from '../../src/plan/resume-consent.js';
import { resumeTargetRefusal, resumeTpmUri } from '../../src/plan/resume-target.js';

describe('resumeTpmUri', () => {
  const machineDefault = () => 'device:/dev/tpmrm0';
  it('--tpm first, then the TPM the run recorded, then TPM_DOCTOR_TPM, then this machine', () => {
    const recorded = 'swtpm://127.0.0.1:2321';
    expect(resumeTpmUri({ flag: 'tbs:', recorded, env: 'mssim://h:1', machineDefault })).toBe('tbs:');
    expect(resumeTpmUri({ flag: undefined, recorded, env: 'mssim://h:1', machineDefault })).toBe(recorded);
    expect(resumeTpmUri({ flag: undefined, recorded: null, env: 'mssim://h:1', machineDefault })).toBe(
      'mssim://h:1',
    );
    expect(resumeTpmUri({ flag: undefined, recorded: null, env: undefined, machineDefault })).toBe(
      'device:/dev/tpmrm0',
    );
  });
});

describe('resumeTargetRefusal', () => {
  it('a lab TPM lived for one command: nothing to resume on it', () => {
    expect(resumeTargetRefusal('lab')).toMatch(/lives only for one command/);
    expect(resumeTargetRefusal('lab:stale-objects')).toMatch(/lives only for one command/);
    expect(resumeTargetRefusal('swtpm://127.0.0.1:2321')).toBeUndefined();
  });
});

describe('clearStillToCome', () => {
  it('a running run before its clear (or PPI request) still sends one', () => {
    expect(clearStillToCome({ status: 'running', completedSteps: [] })).toBe(true);
    expect(
      clearStillToCome({ status: 'running', completedSteps: ['gate-recorded', 'fingerprint-before'] }),
    ).toBe(true);
  });
  it('past the clear, past the PPI request, or ended: nothing destructive is left', () => {
    expect(clearStillToCome({ status: 'running', completedSteps: ['gate-recorded', 'clear'] })).toBe(false);
    expect(clearStillToCome({ status: 'running', completedSteps: ['ppi-requested'] })).toBe(false);
    expect(clearStillToCome({ status: 'finished', completedSteps: [] })).toBe(false);
    expect(clearStillToCome({ status: 'abandoned', completedSteps: [] })).toBe(false);
  });
});
