/** The clear plan: the method, the simulator and the keep-open rules, decided before any TPM I/O. */
import { describe, expect, it } from 'vitest';
import { planClear } from '../../src/plan/clear-plan.js';
import { defaultClearMethod } from '../../src/plan/default-clear-method.js';
import { keepRunOpen } from '../../src/plan/keep-run-open.js';
import { isSimulatorTarget } from '../../src/plan/tpm-simulator.js';
import { windowsEvidenceSource } from '../../src/plan/windows-evidence-source.js';

const machine = { uri: 'device:/dev/tpmrm0', lab: null };
const swtpm = { uri: 'swtpm://127.0.0.1:2321', lab: null };
const mssim = { uri: 'mssim://127.0.0.1:2321', lab: null };
const lab = { uri: 'swtpm://127.0.0.1:40000', lab: ['healthy'] };

describe('isSimulatorTarget', () => {
  it('a lab TPM and swtpm:// or mssim:// are simulators; a device or TBS is not', () => {
    expect(isSimulatorTarget(lab)).toBe(true);
    expect(isSimulatorTarget(swtpm)).toBe(true);
    expect(isSimulatorTarget(mssim)).toBe(true);
    expect(isSimulatorTarget(machine)).toBe(false);
    expect(isSimulatorTarget({ uri: 'tbs:', lab: null })).toBe(false);
    // Only the scheme counts, not a host that happens to contain the word.
    expect(isSimulatorTarget({ uri: 'device:/dev/swtpm://x', lab: null })).toBe(false);
  });
});

describe('defaultClearMethod', () => {
  it('platform for a simulator on any OS: no firmware holds its platform auth', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      expect(defaultClearMethod(swtpm, platform)).toBe('platform');
      expect(defaultClearMethod(lab, platform)).toBe('platform');
    }
  });
  it('ppi on Windows, lockout elsewhere, for a real TPM', () => {
    expect(defaultClearMethod({ uri: 'tbs:', lab: null }, 'win32')).toBe('ppi');
    expect(defaultClearMethod(machine, 'linux')).toBe('lockout');
  });
});

describe('keepRunOpen', () => {
  it("only on Windows, where the post-clear runbook follows in the same journal, and only for the machine's own TPM", () => {
    expect(keepRunOpen({ platform: 'win32', simulator: false })).toBe(true);
    expect(keepRunOpen({ platform: 'linux', simulator: false })).toBe(false);
    // A swtpm cleared from Windows: nothing Windows provisioned changed, no runbook to follow.
    expect(keepRunOpen({ platform: 'win32', simulator: true })).toBe(false);
  });
});

describe('planClear', () => {
  it('takes --method when given, the default otherwise', () => {
    expect(planClear({ target: machine, method: 'platform', platform: 'linux' })).toEqual({
      method: 'platform',
      simulator: false,
      keepOpen: false,
    });
    // A lab swtpm cleared on Windows: the run ends with the proof (no runbook for a software TPM).
    expect(planClear({ target: lab, method: undefined, platform: 'win32' })).toEqual({
      method: 'platform',
      simulator: true,
      keepOpen: false,
    });
    expect(planClear({ target: { uri: 'tbs:', lab: null }, method: undefined, platform: 'win32' })).toEqual({
      method: 'ppi',
      simulator: false,
      keepOpen: true,
    });
  });
});

describe('windowsEvidenceSource', () => {
  it('a bundle when given; live only on Windows for its own TPM; otherwise none', () => {
    expect(windowsEvidenceSource({ evidencePath: 'b', tpmFlag: 'swtpm://h:1', platform: 'linux' })).toEqual({
      kind: 'bundle',
      path: 'b',
    });
    expect(windowsEvidenceSource({ evidencePath: undefined, tpmFlag: undefined, platform: 'win32' })).toEqual(
      {
        kind: 'live',
      },
    );
    expect(windowsEvidenceSource({ evidencePath: undefined, tpmFlag: 'tbs:', platform: 'win32' })).toEqual({
      kind: 'none',
    });
    expect(windowsEvidenceSource({ evidencePath: undefined, tpmFlag: undefined, platform: 'linux' })).toEqual(
      {
        kind: 'none',
      },
    );
  });
});
