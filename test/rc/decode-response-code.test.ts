import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baseCode,
  decodeResponseCode,
  formatResponseCode,
  isWarning,
  RC,
} from '../../src/tpm/rc/decode-response-code.js';
import { RESPONSE_CODE_TABLE, TSS2_BASE_CODE_TABLE } from '../../src/tpm/rc/response-code-table.js';

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
/** A layer-0 format-1 code: bit 7 set, anything in the other low 12 bits. */
const fmt1 = fc.integer({ min: 0, max: 0xfff }).map((c) => c | 0x080);

describe('decodeResponseCode: research vectors', () => {
  it('0x98E is TPM_RC_AUTH_FAIL on session 1', () => {
    const d = decodeResponseCode(0x98e);
    expect(d).toMatchObject({
      code: 0x98e,
      base: 0x08e,
      name: 'TPM_RC_AUTH_FAIL',
      kind: 'error',
      format: 'format-1',
      layer: 0,
      subject: { kind: 'session', index: 1 },
    });
    expect(formatResponseCode(0x98e)).toMatch(/^TPM_RC_AUTH_FAIL \(session 1, 0x98E\): \S/);
  });

  it('0x9A2 is TPM_RC_BAD_AUTH on session 1', () => {
    expect(decodeResponseCode(0x9a2)).toMatchObject({
      base: RC.BAD_AUTH,
      name: 'TPM_RC_BAD_AUTH',
      format: 'format-1',
      subject: { kind: 'session', index: 1 },
    });
  });

  it('0x1D5 is TPM_RC_SIZE on parameter 1', () => {
    expect(decodeResponseCode(0x1d5)).toMatchObject({
      base: 0x095,
      name: 'TPM_RC_SIZE',
      format: 'format-1',
      subject: { kind: 'parameter', index: 1 },
    });
    expect(formatResponseCode(0x1d5)).toContain('(parameter 1, 0x1D5)');
  });

  it('0x18B is TPM_RC_HANDLE on handle 1, and 0x08B has no subject', () => {
    expect(decodeResponseCode(0x18b)).toMatchObject({
      base: RC.HANDLE,
      name: 'TPM_RC_HANDLE',
      subject: { kind: 'handle', index: 1 },
    });
    const bare = decodeResponseCode(0x08b);
    expect(bare).toMatchObject({ base: 0x08b, name: 'TPM_RC_HANDLE', format: 'format-1' });
    expect(bare.subject).toBeUndefined();
    expect(formatResponseCode(0x08b)).toMatch(/^TPM_RC_HANDLE \(0x08B\): /);
  });

  it('0x921 is the TPM_RC_LOCKOUT warning', () => {
    const d = decodeResponseCode(0x921);
    expect(d).toMatchObject({ base: 0x921, name: 'TPM_RC_LOCKOUT', kind: 'warning', format: 'format-0' });
    expect(d.subject).toBeUndefined();
    expect(d.text).toMatch(/lockout/i);
    expect(isWarning(0x921)).toBe(true);
    expect(formatResponseCode(0x921)).toMatch(/^TPM_RC_LOCKOUT \(0x921\): The TPM is in dictionary-attack/);
  });

  it('0x922 is the TPM_RC_RETRY warning', () => {
    expect(decodeResponseCode(0x922)).toMatchObject({ name: 'TPM_RC_RETRY', kind: 'warning' });
    expect(isWarning(RC.RETRY)).toBe(true);
    expect(isWarning(RC.YIELDED)).toBe(true);
    expect(isWarning(RC.TESTING)).toBe(true);
  });

  it('0x120 is the TPM_RC_DISABLED error and 0x101 is TPM_RC_FAILURE', () => {
    expect(decodeResponseCode(0x120)).toMatchObject({
      name: 'TPM_RC_DISABLED',
      kind: 'error',
      format: 'format-0',
    });
    expect(isWarning(0x120)).toBe(false);
    expect(decodeResponseCode(0x101)).toMatchObject({
      name: 'TPM_RC_FAILURE',
      kind: 'error',
      format: 'format-0',
    });
  });

  it('0x01E is TPM_RC_BAD_TAG in TPM 1.2 format; other 1.2 codes are named but unknown', () => {
    expect(decodeResponseCode(0x01e)).toMatchObject({
      name: 'TPM_RC_BAD_TAG',
      kind: 'error',
      format: 'tpm-1.2',
    });
    expect(decodeResponseCode(0x803)).toMatchObject({
      name: 'TPM_RC_TPM12_0x803',
      kind: 'warning',
      format: 'tpm-1.2',
    });
  });

  it('0x000 is success', () => {
    expect(decodeResponseCode(0)).toMatchObject({
      code: 0,
      base: 0,
      name: 'TPM_RC_SUCCESS',
      kind: 'success',
      format: 'success',
      layer: 0,
    });
    expect(formatResponseCode(0)).toBe('TPM_RC_SUCCESS (0x000): The command completed successfully.');
  });

  it('decodes vendor-specific codes (T bit)', () => {
    expect(decodeResponseCode(0x500)).toMatchObject({
      name: 'TPM_RC_VENDOR_0x500',
      kind: 'error',
      format: 'vendor',
    });
    expect(decodeResponseCode(0x512)).toMatchObject({ name: 'TPM_RC_VENDOR_0x512', format: 'vendor' });
    expect(decodeResponseCode(0xd01)).toMatchObject({
      name: 'TPM_RC_VENDOR_0xD01',
      kind: 'warning',
      format: 'vendor',
    });
  });

  it('0xA000A is a tpm2-tss TCTI-layer I/O error, not a TPM code', () => {
    const d = decodeResponseCode(0xa000a);
    expect(d).toMatchObject({
      code: 0xa000a,
      base: 0xa000a,
      name: 'TSS2_TCTI_RC_IO_ERROR',
      kind: 'error',
      format: 'other-layer',
      layer: 10,
    });
    expect(d.text).toContain('not by the TPM');
    expect(formatResponseCode(0xa000a)).toContain('0xA000A');
    expect(decodeResponseCode(0x70018)).toMatchObject({ name: 'TSS2_ESYS_RC_BAD_TR', layer: 7 });
  });

  it('unpacks TPM codes passed on by a resource manager', () => {
    const d = decodeResponseCode(0xc0902);
    expect(d).toMatchObject({
      name: 'TSS2_RESMGR_TPM_RC_LAYER+TPM_RC_OBJECT_MEMORY',
      kind: 'warning',
      format: 'other-layer',
      layer: 12,
      base: 0xc0902,
      wrapped: { code: 0x902, name: 'TPM_RC_OBJECT_MEMORY', layer: 0 },
    });
    expect(decodeResponseCode(0xc01cb)).toMatchObject({
      base: 0xc008b,
      subject: { kind: 'parameter', index: 1 },
      wrapped: { name: 'TPM_RC_HANDLE' },
    });
    // The resource manager's own codes use the TSS base numbers.
    expect(decodeResponseCode(0xc000b).name).toBe('TSS2_RESMGR_TPM_RC_BAD_VALUE');
    expect(decodeResponseCode(0xc0800).name).toBe('TSS2_RESMGR_TPM_RC_IMPL_0x0800');
  });

  it('names unknown codes with a stable scheme', () => {
    expect(decodeResponseCode(0x0bf).name).toBe('TPM_RC_UNKNOWN_FMT1_0x0BF');
    expect(decodeResponseCode(0x4bf)).toMatchObject({
      name: 'TPM_RC_UNKNOWN_FMT1_0x0BF',
      subject: { kind: 'handle', index: 4 },
    });
    expect(decodeResponseCode(0x17e).name).toBe('TPM_RC_UNKNOWN_VER1_0x17E');
    expect(decodeResponseCode(0x97e)).toMatchObject({ name: 'TPM_RC_UNKNOWN_WARN_0x97E', kind: 'warning' });
    expect(decodeResponseCode(0x50000).name).toBe('TSS2_LAYER_5_RC_0x0000');
    expect(decodeResponseCode(0x1921)).toMatchObject({
      name: 'UNKNOWN_RC_0x00001921',
      format: 'other-layer',
    });
    expect(decodeResponseCode(0xff000000).name).toBe('UNKNOWN_RC_0xFF000000');
  });

  it('recognises Windows TPM HRESULTs', () => {
    expect(decodeResponseCode(0x80280921)).toMatchObject({
      name: 'HRESULT_0x80280921',
      kind: 'warning',
      format: 'other-layer',
      wrapped: { name: 'TPM_RC_LOCKOUT' },
    });
    expect(decodeResponseCode(0x80284001)).toMatchObject({ name: 'HRESULT_0x80284001', kind: 'error' });
  });

  it('normalises negative numbers and never treats a non-integer as success', () => {
    expect(decodeResponseCode(-1).code).toBe(0xffffffff);
    expect(decodeResponseCode(0x80280921 | 0).code).toBe(0x80280921);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 1.5]) {
      const d = decodeResponseCode(bad);
      expect(d.name).toBe('INVALID_RC_INPUT');
      expect(d.kind).toBe('error');
      expect(formatResponseCode(bad)).toContain(String(bad));
    }
  });

  it('labels REFERENCE_Hn / REFERENCE_Sn warnings with their 1-based handle or session', () => {
    expect(decodeResponseCode(RC.REFERENCE_H0).subject).toEqual({ kind: 'handle', index: 1 });
    expect(decodeResponseCode(RC.REFERENCE_H6).subject).toEqual({ kind: 'handle', index: 7 });
    expect(decodeResponseCode(RC.REFERENCE_S0).subject).toEqual({ kind: 'session', index: 1 });
    expect(decodeResponseCode(RC.REFERENCE_S6).subject).toEqual({ kind: 'session', index: 7 });
  });
});

describe('baseCode and RC', () => {
  it('strips the handle/session/parameter index only', () => {
    expect(baseCode(0x98e)).toBe(0x08e);
    expect(baseCode(0x921)).toBe(0x921);
    expect(baseCode(0x1d5)).toBe(RC.SIZE);
    expect(baseCode(0xfc4)).toBe(RC.VALUE);
  });

  it('has the constants the code base compares against', () => {
    expect(RC).toMatchObject({
      SUCCESS: 0,
      LOCKOUT: 0x921,
      AUTH_FAIL: 0x08e,
      BAD_AUTH: 0x0a2,
      RETRY: 0x922,
      YIELDED: 0x908,
      TESTING: 0x90a,
      DISABLED: 0x120,
      INITIALIZE: 0x100,
      FAILURE: 0x101,
      HANDLE: 0x08b,
      VALUE: 0x084,
      HIERARCHY: 0x085,
      NV_DEFINED: 0x14c,
      NV_SPACE: 0x14b,
      NV_RATE: 0x920,
      NV_UNAVAILABLE: 0x923,
      OBJECT_MEMORY: 0x902,
      REBOOT: 0x130,
      PP: 0x090,
      BAD_TAG: 0x01e,
      NOT_USED: 0x97f,
    });
    expect(Object.isFrozen(RC)).toBe(true);
    expect(Object.keys(RC)).toHaveLength(RESPONSE_CODE_TABLE.length);
  });
});

describe('response-code tables', () => {
  it('has no duplicate values or names', () => {
    const values = RESPONSE_CODE_TABLE.map((e) => e.value);
    const names = RESPONSE_CODE_TABLE.map((e) => e.name);
    expect(new Set(values).size).toBe(values.length);
    expect(new Set(names).size).toBe(names.length);
    const tssValues = TSS2_BASE_CODE_TABLE.map((e) => e.value);
    expect(new Set(tssValues).size).toBe(tssValues.length);
  });

  it('uses TPM_RC_ names and full sentences', () => {
    for (const e of RESPONSE_CODE_TABLE) {
      expect(e.name).toMatch(/^TPM_RC_[A-Z0-9_]+$/);
      expectSentence(e.text);
    }
    for (const e of TSS2_BASE_CODE_TABLE) {
      expect(e.name).toMatch(/^[A-Z0-9_]+$/);
      expectSentence(e.text);
    }
  });

  it('stores only base values, each of which decodes back to its own entry', () => {
    for (const e of RESPONSE_CODE_TABLE) {
      expect(e.value & ~0xfff).toBe(0);
      if (e.value & 0x080) expect(e.value & 0xf40).toBe(0);
      const d = decodeResponseCode(e.value);
      expect(d.name).toBe(e.name);
      expect(d.text).toBe(e.text);
      expect(d.base).toBe(e.value);
    }
  });
});

describe('properties over the whole uint32 range', () => {
  it('every value decodes, with a name, a text and the hex code in the formatted line', () => {
    fc.assert(
      fc.property(uint32, (rc) => {
        const d = decodeResponseCode(rc);
        expect(d.code).toBe(rc);
        expect(d.name.length).toBeGreaterThan(0);
        expect(d.text.trim().length).toBeGreaterThan(0);
        expect(d.layer).toBe((rc >>> 16) & 0xff);
        expect(formatResponseCode(rc)).toContain(`0x${rc.toString(16).toUpperCase().padStart(3, '0')}`);
        expect(baseCode(rc)).toBe(d.base);
        expect(isWarning(rc)).toBe(d.kind === 'warning');
        if (d.subject) {
          expect(Number.isInteger(d.subject.index)).toBe(true);
          expect(d.subject.index).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('negative numbers decode like their unsigned value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: -1 }), (rc) => {
        expect(decodeResponseCode(rc)).toEqual(decodeResponseCode(rc >>> 0));
      }),
    );
  });

  it('only code 0 is success, and warnings are format-0 codes with the S bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfff }), (rc) => {
        const d = decodeResponseCode(rc);
        expect(d.kind === 'success').toBe(rc === 0);
        expect(d.kind === 'warning').toBe((rc & 0x080) === 0 && (rc & 0x800) !== 0);
      }),
    );
  });

  it('format-1 codes with bit 6 name parameter 1..15 (or none for N = 0)', () => {
    fc.assert(
      fc.property(fmt1, (c) => {
        const rc = c | 0x040;
        const d = decodeResponseCode(rc);
        const n = (rc >>> 8) & 0xf;
        expect(d.format).toBe('format-1');
        expect(d.base).toBe(0x080 | (rc & 0x3f));
        if (n === 0) expect(d.subject).toBeUndefined();
        else expect(d.subject).toEqual({ kind: 'parameter', index: n });
      }),
    );
  });

  it('format-1 codes with bit 11 and not bit 6 name session 1..7 (or none for index 0)', () => {
    fc.assert(
      fc.property(fmt1, (c) => {
        const rc = (c | 0x800) & ~0x040;
        const d = decodeResponseCode(rc);
        const n = (rc >>> 8) & 0x7;
        expect(d.base).toBe(0x080 | (rc & 0x3f));
        if (n === 0) expect(d.subject).toBeUndefined();
        else expect(d.subject).toEqual({ kind: 'session', index: n });
        expect(d.kind).toBe('error');
      }),
    );
  });

  it('format-1 codes without bits 11 and 6 name handle 1..7 (or none for index 0)', () => {
    fc.assert(
      fc.property(fmt1, (c) => {
        const rc = c & ~0x840;
        const d = decodeResponseCode(rc);
        const n = (rc >>> 8) & 0x7;
        expect(d.base).toBe(0x080 | (rc & 0x3f));
        if (n === 0) expect(d.subject).toBeUndefined();
        else expect(d.subject).toEqual({ kind: 'handle', index: n });
      }),
    );
  });
});

function expectSentence(text: string): void {
  expect(text.length).toBeGreaterThan(10);
  expect(text).toBe(text.trim());
  expect(text).not.toMatch(/\s{2}/);
  expect(text).toMatch(/^[A-Z]/);
  expect(text).toMatch(/[.!?]$/);
}
