/**
 * The PPI clear's authorisation on Linux, decided by the gate from the kernel's PPI files read as
 * snapshot facts (src/probe/linux-ppi.ts, src/remedy/preflight/rights.ts), on a fake sysfs
 * folder: nothing listed refuses before anything is written, a clear operation the OS may request
 * passes, an unreadable list is unknown (which blocks).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ppiChipOf, readLinuxPpiFacts } from '../../../src/probe/linux-ppi.js';
import { runPreflight } from '../../../src/remedy/preflight/run-preflight.js';
import type { LinuxPpiFacts } from '../../../src/snapshot/linux-ppi.js';
import { type FakePpi, type FakeSysfs, fakeSysfs, TYPICAL } from '../platform/fake-sysfs.js';
import { byId, clearDiagnosis, healthyStatus, snapshot } from './support.js';

const made: FakeSysfs[] = [];
afterEach(() => {
  for (const s of made.splice(0)) s.cleanup();
});

function facts(ppi: FakePpi | null, where: 'ppi' | 'device/ppi' = 'ppi'): LinuxPpiFacts {
  const sys = fakeSysfs(ppi, where);
  made.push(sys);
  return readLinuxPpiFacts({ sysfsRoot: sys.root });
}

function authorization(linuxPpi: LinuxPpiFacts) {
  const s = { ...snapshot({ ...healthyStatus(), tpm: { uri: 'device:/dev/tpmrm0', lab: false } }), linuxPpi };
  const gate = runPreflight(s, clearDiagnosis(), {
    method: 'ppi',
    purpose: 'decommission',
    elevated: true,
    acknowledged: [],
  });
  return { gate, check: byId(gate, 'rights.clear-authorization') };
}

describe('the Linux PPI files as gate facts', () => {
  it('an empty but readable tcg_operations (SeaBIOS): the gate fails, naming the file', () => {
    const f = facts({ ...TYPICAL, tcg_operations: '' });
    expect(f.operations).toEqual([]);
    const { gate, check } = authorization(f);
    expect(gate.passed).toBe(false);
    expect(check.status).toBe('fail');
    expect(check.message).toMatch(/implements no physical-presence operation/);
    expect(check.message).toContain(path.join(f.dir!, 'tcg_operations'));
    expect(check.evidence).toContainEqual({ source: 'sysfs', field: 'ppi/tcg_operations', value: '' });
  });

  it('operation 14 listed as "user required" (OVMF): rights known, the check passes', () => {
    const f = facts(TYPICAL);
    expect(f.version).toBe('1.3');
    expect(f.operations).toContainEqual({ operation: 14, status: 3 });
    const { check } = authorization(f);
    expect(check.status).toBe('pass');
    expect(check.message).toMatch(/operation 14 and asks the person at the machine/);
  });

  it('only operation 5 usable: passes with 5; clear reserved to the setup screen or blocked: fails', () => {
    expect(
      authorization(facts({ ...TYPICAL, tcg_operations: '5 4: User not required\n' })).check,
    ).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/operation 5 and runs it without asking/),
    });
    expect(authorization(facts({ ...TYPICAL, tcg_operations: '14 1: BIOS only\n' })).check).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/only from its own setup screen/),
    });
    expect(
      authorization(facts({ ...TYPICAL, tcg_operations: '14 2: Blocked for OS by BIOS\n' })).check,
    ).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/block operation 14/),
    });
    expect(authorization(facts({ ...TYPICAL, tcg_operations: '23 3: User required\n' })).check).toMatchObject(
      {
        status: 'fail',
        message: expect.stringMatching(/does not implement physical-presence operation 14/),
      },
    );
  });

  it('no ppi folder fails; the pre-4.11 place (device/ppi) is read too', () => {
    const none = facts(null);
    expect(none.dir).toBeNull();
    expect(authorization(none).check.status).toBe('fail');
    expect(authorization(facts(TYPICAL, 'device/ppi')).check.status).toBe('pass');
  });

  it('an unreadable tcg_operations is unknown, which blocks unless acknowledged', () => {
    const { tcg_operations: _, ...withoutOperations } = TYPICAL;
    const f = facts(withoutOperations);
    expect(f.operations).toBeNull();
    expect(f.error).toMatch(/tcg_operations: ENOENT/);
    const { gate, check } = authorization(f);
    expect(check.status).toBe('unknown');
    expect(gate.passed).toBe(false);
  });

  it('reads the chip of the device URI', () => {
    expect(ppiChipOf('device:/dev/tpmrm1')).toBe('tpm1');
    expect(ppiChipOf('device:/dev/tpm0')).toBe('tpm0');
    expect(ppiChipOf('device:')).toBe('tpm0');
  });
});
