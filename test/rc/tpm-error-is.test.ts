import { describe, expect, it } from 'vitest';
import { RC } from '../../src/tpm/rc/decode-response-code.js';
import { TpmError } from '../../src/tpm/rc/tpm-error.js';

function error(rc: number): TpmError {
  return new TpmError(rc, { command: 'TPM2_Clear', commandCode: 0x126, authHandles: [0x4000000a] });
}

describe('TpmError.is', () => {
  it('a format-one code matches whichever handle, session or parameter it names', () => {
    for (const rc of [0x08e, 0x98e, 0x18e, 0x28e, 0x9ce, 0x1ce, 0xfce]) {
      expect(error(rc).is(RC.AUTH_FAIL), `0x${rc.toString(16)}`).toBe(true);
    }
    expect(error(0x98e).is(0x18e)).toBe(true);
    expect(error(0x98e).is(RC.BAD_AUTH)).toBe(false);
    expect(error(0x9a2).is(RC.BAD_AUTH)).toBe(true);
  });

  it('a format-zero code, warnings included, matches exactly', () => {
    expect(error(0x921).is(RC.LOCKOUT)).toBe(true);
    expect(error(0x921).is(RC.RETRY)).toBe(false);
    expect(error(0x120).is(RC.DISABLED)).toBe(true);
    expect(error(0x100).is(RC.INITIALIZE)).toBe(true);
    expect(error(0x101).is(RC.INITIALIZE)).toBe(false);
    expect(error(0x1e).is(RC.BAD_TAG)).toBe(true);
  });

  it('the warning (S) and format-one bits are part of the code', () => {
    expect(error(0x921).is(0x121)).toBe(false);
    expect(error(0x08e).is(0x00e)).toBe(false);
  });

  it('matches any of several codes', () => {
    expect(error(0x98e).is(RC.AUTH_FAIL, RC.BAD_AUTH)).toBe(true);
    expect(error(0x9a2).is(RC.AUTH_FAIL, RC.BAD_AUTH)).toBe(true);
    expect(error(0x921).is(RC.AUTH_FAIL, RC.BAD_AUTH)).toBe(false);
    expect(error(0x921).is()).toBe(false);
  });
});
