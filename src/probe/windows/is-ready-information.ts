// Source: Win32_Tpm::IsReadyInformation, https://learn.microsoft.com/windows/win32/secprov/win32-tpm-isreadyinformation
import { IS_READY_FLAGS } from '../../snapshot/is-ready-flags.js';
import type { IsReadyInfo } from '../../snapshot/windows-evidence.js';
import { EvidenceError } from './evidence-error.js';
import { field, hasAnyField, singleRecord, toBool, toInt } from './json-values.js';

const BY_BIT = new Map(IS_READY_FLAGS.map((f) => [f.bit, f.name]));

/**
 * The names of every set bit, lowest first. A bit Microsoft does not document becomes
 * `unknownBit0x01000000` (its value as 8 hex digits), so no bit is ever dropped silently.
 */
export function decodeIsReadyInformation(bits: number): string[] {
  const names: string[] = [];
  const value = bits >>> 0;
  for (let i = 0; i < 32; i++) {
    const bit = 2 ** i;
    if (Math.floor(value / bit) % 2 === 1) {
      names.push(BY_BIT.get(bit) ?? `unknownBit0x${bit.toString(16).padStart(8, '0')}`);
    }
  }
  return names;
}

const EXPECTED =
  'Win32_Tpm IsReadyInformation output as JSON (an object with IsReady and Information, e.g. {"IsReady": false, "Information": 2304})';

/** Invoke-CimMethod IsReadyInformation | ConvertTo-Json (also a plain {IsReady, Information} object). */
export function parseIsReadyInformation(input: unknown): IsReadyInfo {
  const r = singleRecord(input, EXPECTED);
  if (!hasAnyField(r, ['IsReady', 'Information'])) {
    throw new EvidenceError(`expected ${EXPECTED}, found an object without IsReady or Information`);
  }
  const returnValue = toInt(field(r, 'ReturnValue'));
  if (returnValue !== null && returnValue !== 0) {
    throw new EvidenceError(
      `IsReadyInformation failed on the device with 0x${(returnValue >>> 0).toString(16).padStart(8, '0')}; no result was recorded`,
    );
  }
  const information = toInt(field(r, 'Information'));
  const isReady = toBool(field(r, 'IsReady'));
  if (information === null || information < 0 || information > 0xffffffff) {
    throw new EvidenceError(`expected ${EXPECTED}, found Information that is not a 32-bit number`);
  }
  if (isReady === null)
    throw new EvidenceError(`expected ${EXPECTED}, found IsReady that is not True or False`);
  return { isReady, information, flags: decodeIsReadyInformation(information) };
}
