/**
 * Decoder for TPM 2.0 response codes (TCG TPM 2.0 Library Part 2, §6.6.2 "Response Code Formats"),
 * plus the software-layer codes tpm2-tss puts in bits 23:16. Pure and dependency-free: every uint32
 * decodes to something and nothing here throws.
 *
 * Layout of a TPM response code (bits 31:12 are zero when it comes from the TPM):
 * - bit 7 (0x080) set: format 1. E = bits 5:0. Bit 6 (P) set: parameter N = bits 11:8. Otherwise
 *   bit 11 set: session N = bits 10:8; else handle N = bits 10:8. N = 0 means "not identified".
 * - bit 7 clear: format 0. E = bits 6:0. Bit 8 (V, 0x100) set: a TPM 2.0 code, else TPM 1.2 style.
 *   Bit 10 (T, 0x400): vendor-defined. Bit 11 (S, 0x800): a warning rather than an error.
 */
import {
  RESPONSE_CODE_TABLE,
  type ResponseCodeEntry,
  type ResponseCodeTableEntry,
  TSS2_BASE_CODE_TABLE,
  TSS2_LAYERS,
  type Tss2BaseCodeEntry,
  type Tss2Layer,
} from './response-code-table.js';

export type ResponseCodeKind = 'success' | 'error' | 'warning';
export type ResponseCodeFormat = 'success' | 'format-0' | 'format-1' | 'tpm-1.2' | 'vendor' | 'other-layer';

/** The handle, session or parameter a code refers to; `index` is 1-based. */
export interface ResponseCodeSubject {
  kind: 'handle' | 'session' | 'parameter';
  index: number;
}

export interface DecodedResponseCode {
  /** The raw 32-bit value as given (unsigned). */
  code: number;
  /**
   * The code with the handle/session/parameter index removed (0x98E -> 0x08E); for format 0 the code
   * itself. Layer bits (23:16) are kept, so a layered code never equals a bare TPM code.
   */
  base: number;
  /**
   * A stable name. Known TPM codes use the spec name ('TPM_RC_AUTH_FAIL'). Unknown ones:
   * 'TPM_RC_UNKNOWN_FMT1_0x0BF', 'TPM_RC_UNKNOWN_VER1_0x17E', 'TPM_RC_UNKNOWN_WARN_0x97E' (the base
   * value), 'TPM_RC_VENDOR_0x512', 'TPM_RC_TPM12_0x803'. tpm2-tss layers: 'TSS2_TCTI_RC_IO_ERROR',
   * 'TSS2_TCTI_RC_UNKNOWN_0x00FF', 'TSS2_TCTI_RC_IMPL_0x0800'; a TPM code passed on by a resource
   * manager: 'TSS2_RESMGR_TPM_RC_LAYER+TPM_RC_OBJECT_MEMORY'; an unassigned layer:
   * 'TSS2_LAYER_5_RC_0x1234'. Windows TPM HRESULTs: 'HRESULT_0x80280921'. Anything else:
   * 'UNKNOWN_RC_0x00001921'. A non-integer input: 'INVALID_RC_INPUT'.
   */
  name: string;
  /** The plain-English explanation. */
  text: string;
  kind: ResponseCodeKind;
  format: ResponseCodeFormat;
  subject?: ResponseCodeSubject;
  /** Bits 23:16 (0 = the TPM itself); nonzero is a TSS/RM layer code, not from the TPM. */
  layer: number;
  /** The TPM response code carried inside a resource-manager code or a Windows TPM HRESULT. */
  wrapped?: DecodedResponseCode;
}

type RcKey<N> = N extends `TPM_RC_${infer K}` ? K : never;

/** Every code in the table, keyed by its name without the TPM_RC_ prefix. */
export type ResponseCodeConstants = {
  readonly [E in ResponseCodeTableEntry as RcKey<E['name']>]: E['value'];
};

/** Named constants: RC.LOCKOUT === 0x921, RC.AUTH_FAIL === 0x08E, RC.SUCCESS === 0, ... */
export const RC: ResponseCodeConstants = Object.freeze(
  Object.fromEntries(RESPONSE_CODE_TABLE.map((e) => [e.name.slice('TPM_RC_'.length), e.value])),
) as ResponseCodeConstants;

const TPM_CODES: ReadonlyMap<number, ResponseCodeEntry> = new Map(
  RESPONSE_CODE_TABLE.map((e): [number, ResponseCodeEntry] => [e.value, e]),
);
const TSS2_BASE_CODES: ReadonlyMap<number, Tss2BaseCodeEntry> = new Map(
  TSS2_BASE_CODE_TABLE.map((e): [number, Tss2BaseCodeEntry] => [e.value, e]),
);
const LAYERS: ReadonlyMap<number, Tss2Layer> = new Map(TSS2_LAYERS.map((l) => [l.layer, l]));

const RC_FMT1 = 0x080;
const RC_P = 0x040;
const RC_VER1 = 0x100;
const RC_T = 0x400;
const RC_S = 0x800;
const TPM_RC_WARN = RC_VER1 | RC_S;
const REFERENCE_H0 = TPM_RC_WARN | 0x010;
const REFERENCE_S0 = TPM_RC_WARN | 0x018;
/** Windows HRESULT facilities: FACILITY_TPM_SERVICES (0x28) and FACILITY_TPM_SOFTWARE (0x29). */
const HRESULT_TPM_SERVICES = 0x8028;
const HRESULT_TPM_SOFTWARE = 0x8029;

/** What the TPM-level decode yields before the layer and raw code are attached. */
type Core = Omit<DecodedResponseCode, 'code' | 'layer'>;

/** '0x' + upper-case hex, at least `digits` digits. */
function hex(value: number, digits = 3): string {
  return `0x${value.toString(16).toUpperCase().padStart(digits, '0')}`;
}

/** Decodes the low 12 bits of a code, as a TPM would send them. */
function decodeTpm(code: number): Core {
  if (code === 0) {
    return { base: 0, name: 'TPM_RC_SUCCESS', text: tpmText(0), kind: 'success', format: 'success' };
  }

  if (code & RC_FMT1) {
    const base = RC_FMT1 | (code & 0x3f);
    const n = (code >>> 8) & 0xf;
    let subject: ResponseCodeSubject | undefined;
    if (code & RC_P) {
      if (n !== 0) subject = { kind: 'parameter', index: n };
    } else if (n & 0x8) {
      if ((n & 0x7) !== 0) subject = { kind: 'session', index: n & 0x7 };
    } else if (n !== 0) {
      subject = { kind: 'handle', index: n };
    }
    const entry = TPM_CODES.get(base);
    const core: Core = {
      base,
      name: entry?.name ?? `TPM_RC_UNKNOWN_FMT1_${hex(base)}`,
      text:
        entry?.text ??
        `The TPM reported format-1 error number ${hex(base & 0x3f, 2)}, which this tool does not know; ` +
          'it may come from a newer TPM specification.',
      kind: 'error',
      format: 'format-1',
    };
    if (subject) core.subject = subject;
    return core;
  }

  const kind: ResponseCodeKind = code & RC_S ? 'warning' : 'error';

  if (!(code & RC_VER1)) {
    const entry = TPM_CODES.get(code);
    return {
      base: code,
      name: entry?.name ?? `TPM_RC_TPM12_${hex(code)}`,
      text:
        entry?.text ??
        `This is a TPM 1.2-style response code, which a TPM 2.0 never returns (apart from ` +
          'TPM_RC_BAD_TAG); the device is probably a TPM 1.2 chip, or the response did not come from a TPM.',
      kind,
      format: 'tpm-1.2',
    };
  }

  if (code & RC_T) {
    return {
      base: code,
      name: `TPM_RC_VENDOR_${hex(code)}`,
      text:
        `The TPM manufacturer defined this ${kind} (number ${hex(code & 0x7f, 2)}) for its own use; ` +
        "look it up in the vendor's documentation or firmware release notes.",
      kind,
      format: 'vendor',
    };
  }

  const entry = TPM_CODES.get(code);
  const core: Core = {
    base: code,
    name: entry?.name ?? `TPM_RC_UNKNOWN_${code & RC_S ? 'WARN' : 'VER1'}_${hex(code)}`,
    text:
      entry?.text ??
      `The TPM reported a ${kind} (${hex(code)}) that this tool does not know; it may come from a newer ` +
        'TPM specification.',
    kind,
    format: 'format-0',
  };
  // The REFERENCE_Hn / REFERENCE_Sn warnings name their (zero-based) handle or session.
  if (code >= REFERENCE_H0 && code <= REFERENCE_H0 + 6) {
    core.subject = { kind: 'handle', index: code - REFERENCE_H0 + 1 };
  } else if (code >= REFERENCE_S0 && code <= REFERENCE_S0 + 6) {
    core.subject = { kind: 'session', index: code - REFERENCE_S0 + 1 };
  }
  return core;
}

function tpmText(value: number): string {
  return TPM_CODES.get(value)?.text ?? '';
}

/** A code with a tpm2-tss layer in bits 23:16 (and nothing in bits 31:24). */
function decodeLayered(code: number, layer: number): DecodedResponseCode {
  const low = code & 0xffff;
  const info = LAYERS.get(layer);
  if (!info) {
    return {
      code,
      base: code,
      name: `TSS2_LAYER_${layer}_RC_${hex(low, 4)}`,
      text:
        `This code did not come from the TPM: bits 23:16 name software layer ${layer}, which tpm2-tss ` +
        `does not assign, so error ${hex(low, 4)} belongs to whichever library produced it.`,
      kind: 'error',
      format: 'other-layer',
      layer,
    };
  }

  const origin = `This was reported by the ${info.label}, tpm2-tss layer ${layer}, not by the TPM.`;

  // The resource-manager layers also pass on TPM-format codes (with the VER1 or FMT1 bit set).
  if (info.carriesTpmCodes && low < 0x1000 && (low & (RC_VER1 | RC_FMT1)) !== 0) {
    const inner = decodeTpm(low);
    const wrapped: DecodedResponseCode = { code: low, layer: 0, ...inner };
    const decoded: DecodedResponseCode = {
      code,
      base: (layer << 16) | inner.base,
      name: `TSS2_${info.prefix}_RC_LAYER+${inner.name}`,
      text: `${origin} ${inner.text}`,
      kind: inner.kind,
      format: 'other-layer',
      layer,
      wrapped,
    };
    if (inner.subject) decoded.subject = inner.subject;
    return decoded;
  }

  const entry = TSS2_BASE_CODES.get(low);
  let name: string;
  let text: string;
  if (entry) {
    name = `TSS2_${info.prefix}_RC_${entry.name}`;
    text = `${origin} ${entry.text}`;
  } else if (low & 0xf800) {
    name = `TSS2_${info.prefix}_RC_IMPL_${hex(low, 4)}`;
    text = `${origin} It is an implementation-specific error (${hex(low, 4)}); see that component's documentation.`;
  } else {
    name = `TSS2_${info.prefix}_RC_UNKNOWN_${hex(low, 4)}`;
    text = `${origin} This tool does not know its error number ${hex(low, 4)}.`;
  }
  return { code, base: code, name, text, kind: 'error', format: 'other-layer', layer };
}

/** Bits 31:24 set: not a TPM or tpm2-tss code. Windows TPM HRESULTs are recognised. */
function decodeForeign(code: number, layer: number): DecodedResponseCode {
  const facility = code >>> 16;
  const low = code & 0xffff;
  if (facility === HRESULT_TPM_SERVICES && low < 0x1000 && (low & (RC_VER1 | RC_FMT1)) !== 0) {
    const inner = decodeTpm(low);
    const wrapped: DecodedResponseCode = { code: low, layer: 0, ...inner };
    const decoded: DecodedResponseCode = {
      code,
      base: code,
      name: `HRESULT_${hex(code, 8)}`,
      text:
        `This is a Windows HRESULT from the TPM Base Services carrying TPM response code ${hex(low)} ` +
        `(${inner.name}). ${inner.text}`,
      kind: inner.kind,
      format: 'other-layer',
      layer,
      wrapped,
    };
    if (inner.subject) decoded.subject = inner.subject;
    return decoded;
  }
  if (facility === HRESULT_TPM_SERVICES || facility === HRESULT_TPM_SOFTWARE) {
    const source =
      facility === HRESULT_TPM_SERVICES
        ? 'the Windows TPM services (TBS or a TPM 1.2-era code)'
        : 'the Windows TPM software stack (TPM API or Platform Crypto Provider)';
    return {
      code,
      base: code,
      name: `HRESULT_${hex(code, 8)}`,
      text: `This is a Windows HRESULT from ${source}, not a TPM response code; look it up in the Windows error list (winerror.h).`,
      kind: 'error',
      format: 'other-layer',
      layer,
    };
  }
  return {
    code,
    base: code,
    name: `UNKNOWN_RC_${hex(code, 8)}`,
    text:
      'This value has bits above bit 23 set, so it is neither a TPM response code nor a tpm2-tss code; it ' +
      'may be a Windows HRESULT or an operating-system error.',
    kind: 'error',
    format: 'other-layer',
    layer,
  };
}

/** Decodes any number; never throws. Negative or over-large integers are taken modulo 2^32. */
export function decodeResponseCode(rc: number): DecodedResponseCode {
  if (!Number.isInteger(rc)) {
    // NaN >>> 0 would be 0, i.e. success: never let a parse failure read as success.
    return {
      code: rc >>> 0,
      base: rc >>> 0,
      name: 'INVALID_RC_INPUT',
      text: `The value ${String(rc)} is not an integer, so it is not a response code; this is a bug in the calling code.`,
      kind: 'error',
      format: 'other-layer',
      layer: 0,
    };
  }
  const code = rc >>> 0;
  const layer = (code >>> 16) & 0xff;
  if (code >>> 24 !== 0) return decodeForeign(code, layer);
  if (layer !== 0) return decodeLayered(code, layer);
  if (code & 0xf000) {
    return {
      code,
      base: code,
      name: `UNKNOWN_RC_${hex(code, 8)}`,
      text:
        'Bits 15:12 are set, which no TPM 2.0 response code uses, so this value did not come from a TPM or ' +
        'was damaged on the way.',
      kind: 'error',
      format: 'other-layer',
      layer: 0,
    };
  }
  return { code, layer: 0, ...decodeTpm(code) };
}

/**
 * One line: `NAME (subject, 0xHEX): text`, e.g.
 * `TPM_RC_AUTH_FAIL (session 1, 0x98E): The authorization value ...` or `TPM_RC_LOCKOUT (0x921): ...`.
 */
export function formatResponseCode(rc: number): string {
  const d = decodeResponseCode(rc);
  const where = d.subject ? `${d.subject.kind} ${d.subject.index}, ` : '';
  const value = Number.isInteger(rc) ? hex(d.code) : String(rc);
  return `${d.name} (${where}${value}): ${d.text}`;
}

/** True for TPM warnings (format 0 with the S bit), including ones passed on by a resource manager. */
export function isWarning(rc: number): boolean {
  return decodeResponseCode(rc).kind === 'warning';
}

/** The base code for comparisons: `baseCode(0x98E) === 0x08E`; `baseCode(0x921) === 0x921`. */
export function baseCode(rc: number): number {
  return decodeResponseCode(rc).base;
}
