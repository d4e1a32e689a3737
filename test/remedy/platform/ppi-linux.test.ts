import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PpiError,
  readPhysicalPresenceResponse,
  requestPhysicalPresenceClear,
} from '../../../src/remedy/platform/ppi.js';
import {
  RESPONSE_BIOS_FAILURE,
  RESPONSE_USER_ABORT,
  UNKNOWN_TRANSITION_INSTRUCTION,
} from '../../../src/remedy/platform/ppi-codes.js';
import { parseOperations, parseSysfsResponse } from '../../../src/remedy/platform/ppi-linux.js';
import { type FakeSysfs, fakeSysfs, permissionCheckedSysfs, refusingSysfs, TYPICAL } from './fake-sysfs.js';

let sys: FakeSysfs | undefined;
afterEach(() => {
  sys?.cleanup();
  sys = undefined;
});

async function ppiError(p: Promise<unknown>): Promise<PpiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PpiError);
  return e as PpiError;
}

describe('requestPhysicalPresenceClear on Linux (temp sysfs)', () => {
  it('writes 14, reads it back, and says to restart and accept the prompt', async () => {
    sys = fakeSysfs();
    const r = await requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root });
    expect(readFileSync(path.join(sys.ppiDir, 'request'), 'utf8')).toBe('14\n');
    expect(r).toMatchObject({
      platform: 'linux',
      operation: 14,
      pending: 14,
      dryRun: false,
      version: '1.3',
      confirmation: 'user-required',
      transition: { code: 2, action: 'reboot' },
    });
    expect(r.message).toMatch(/Restart the machine/);
    expect(r.message).toMatch(/accept the firmware prompt/);
  });

  it('falls back to 5 when the firmware implements 5 but not 14, and finds the pre-4.11 device/ppi', async () => {
    sys = fakeSysfs(
      { ...TYPICAL, tcg_operations: '5 4: User not required\n', transition_action: '1: Shutdown\n' },
      'device/ppi',
    );
    const r = await requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root });
    expect(readFileSync(path.join(sys.ppiDir, 'request'), 'utf8')).toBe('5\n');
    expect(r).toMatchObject({
      operation: 5,
      pending: 5,
      confirmation: 'user-not-required',
      transition: { action: 'shutdown' },
    });
    expect(r.message).toMatch(/Shut the machine down completely/);
  });

  it('without transition_action the transition is unknown, never assumed a restart', async () => {
    const { transition_action: _none, ...withoutTransition } = TYPICAL;
    sys = fakeSysfs(withoutTransition);
    const r = await requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root });
    expect(r.transition).toBeNull();
    expect(r.message).toContain(UNKNOWN_TRANSITION_INSTRUCTION);
    expect(r.message).not.toMatch(/Restart the machine/);
  });

  it('goes ahead with 14 when tcg_operations is absent (the firmware lacks function 8)', async () => {
    const { tcg_operations: _, ...noOps } = TYPICAL;
    sys = fakeSysfs(noOps);
    const r = await requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root });
    expect(r).toMatchObject({ operation: 14, confirmation: 'unknown' });
  });

  it('refuses before writing, dry run included, when tcg_operations is readable but empty (no operation implemented)', async () => {
    sys = fakeSysfs({ ...TYPICAL, tcg_operations: '' });
    for (const dryRun of [false, true]) {
      const e = await ppiError(
        requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root, dryRun }),
      );
      expect(e.code).toBe('ppi-refused-by-firmware');
      expect(e.message).toMatch(/implements no physical-presence operation/);
      expect(e.message).toMatch(/tcg_operations is empty; firmware PPI 1\.3/);
    }
    expect(readFileSync(path.join(sys.ppiDir, 'request'), 'utf8')).toBe('0\n');
  });

  it('a dry run writes nothing', async () => {
    sys = fakeSysfs();
    const r = await requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root, dryRun: true });
    expect(r).toMatchObject({ dryRun: true, operation: 14, pending: null });
    expect(readFileSync(path.join(sys.ppiDir, 'request'), 'utf8')).toBe('0\n');
  });

  it('a read-only request file: EACCES becomes "you must be an administrator", with sudo', async () => {
    sys = fakeSysfs();
    chmodSync(path.join(sys.ppiDir, 'request'), 0o444);
    const e = await ppiError(
      requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root, files: permissionCheckedSysfs }),
    );
    expect(e.code).toBe('ppi-not-elevated');
    expect(e.message).toMatch(/^You must be an administrator to perform this task\./);
    expect(e.message).toMatch(/sudo/);
    expect(e.message).toMatch(/EACCES/);
  });

  it('no ppi directory: the firmware offers no ACPI PPI', async () => {
    sys = fakeSysfs(null);
    const e = await ppiError(requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root }));
    expect(e.code).toBe('ppi-no-ppi');
    expect(e.message).toMatch(/firmware does not provide the ACPI PPI/);
    expect(e.message).toMatch(/firmware setup screen/);
  });

  it('a request file missing from a ppi directory is also no PPI', async () => {
    const { request: _, ...noRequest } = TYPICAL;
    sys = fakeSysfs(noRequest);
    const e = await ppiError(requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root }));
    expect(e.code).toBe('ppi-no-ppi');
  });

  it('refuses before writing when the firmware blocks the operation for the OS or allows it from setup only', async () => {
    sys = fakeSysfs({ ...TYPICAL, tcg_operations: '14 2: Blocked for OS by BIOS\n5 1: BIOS only\n' });
    const e = await ppiError(requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root }));
    expect(e.code).toBe('ppi-refused-by-firmware');
    expect(e.message).toMatch(/block operation 14/);
    expect(readFileSync(path.join(sys.ppiDir, 'request'), 'utf8')).toBe('0\n');
    const e5 = await ppiError(
      requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root, operation: 5 }),
    );
    expect(e5.message).toMatch(/only from its own setup screen/);
  });

  it.each([
    ['EPERM', 'ppi-refused-by-firmware', /does not implement it/],
    ['EFAULT', 'ppi-refused-by-firmware', /general failure, or blocked/],
    ['ENXIO', 'ppi-firmware-failure', /ACPI physical-presence method failed/],
  ] as const)('the kernel store failing with %s is explained', async (errno, code, text) => {
    sys = fakeSysfs();
    const e = await ppiError(
      requestPhysicalPresenceClear({ platform: 'linux', sysfsRoot: sys.root, files: refusingSysfs(errno) }),
    );
    expect(e.code).toBe(code);
    expect(e.message).toMatch(text);
  });
});

describe('the PPI response', () => {
  it.each([
    ['14 0: Success\n', 14, 0, 'success', /successfully/],
    ['14 0xFFFFFFF0: User Abort\n', 14, RESPONSE_USER_ABORT, 'user-aborted', /declined/],
    ['5 0xFFFFFFF1: BIOS Failure\n', 5, RESPONSE_BIOS_FAILURE, 'firmware-failure', /0xFFFFFFF1/],
    ['14 2310: Corresponding TPM error\n', 14, 2310, 'tpm-error', /0x00000906/],
    ['14 4096: Error\n', 14, 4096, 'error', /0x00001000/],
  ] as const)('%j', async (text, operation, result, outcome, message) => {
    sys = fakeSysfs({ ...TYPICAL, response: text });
    const r = await readPhysicalPresenceResponse({ platform: 'linux', sysfsRoot: sys.root });
    expect(r).toMatchObject({ operation, result, outcome });
    expect(r.message).toMatch(message);
  });

  it('"0: No Recent Request"', () => {
    expect(parseSysfsResponse('0: No Recent Request\n')).toMatchObject({
      operation: null,
      result: null,
      outcome: 'no-request',
    });
  });

  it('rejects text that is not a response', () => {
    expect(() => parseSysfsResponse('garbage')).toThrow(PpiError);
  });

  it('reading the response with no PPI says so', async () => {
    sys = fakeSysfs(null);
    await expect(
      readPhysicalPresenceResponse({ platform: 'linux', sysfsRoot: sys.root }),
    ).rejects.toMatchObject({ code: 'ppi-no-ppi' });
  });
});

describe('tcg_operations', () => {
  it('parses "<op> <status>: <text>" lines', () => {
    const ops = parseOperations(
      '5 3: User required\n14 4: User not required\n23 2: Blocked for OS by BIOS\n',
    );
    expect([...ops]).toEqual([
      [5, 'user-required'],
      [14, 'user-not-required'],
      [23, 'blocked-by-firmware'],
    ]);
  });
});

describe('this machine', () => {
  it('reading the real /sys is read-only and either parses or says there is no PPI', async () => {
    const r = await readPhysicalPresenceResponse({ platform: 'linux' }).then(
      (v) => v,
      (e: unknown) => e,
    );
    if (r instanceof PpiError)
      expect(['ppi-no-ppi', 'ppi-firmware-failure', 'ppi-not-elevated']).toContain(r.code);
    else expect(r).toHaveProperty('outcome');
  });
});
