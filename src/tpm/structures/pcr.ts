import { bytes8, list, struct } from '../marshal/codec.js';
import { TPM_ALG_ID, TPM2B_DIGEST, TPMT_HA } from './basic.js';

/** Part 2 §10.6.2 TPMS_PCR_SELECTION: a bank (hash) and a bitmap of PCRs, PCR n = bit n%8 of byte n/8. */
const TPMS_PCR_SELECTION = struct('TPMS_PCR_SELECTION', {
  hash: TPM_ALG_ID,
  pcrSelect: bytes8('pcrSelect'),
});

/** Part 2 §10.9.7 TPML_PCR_SELECTION (at most HASH_COUNT entries). */
export const TPML_PCR_SELECTION = list('TPML_PCR_SELECTION', TPMS_PCR_SELECTION, 16);

/** Part 2 §10.9.4 TPML_DIGEST: up to 8 digests (TPM2_PCR_Read returns at most 8 per call). */
export const TPML_DIGEST = list('TPML_DIGEST', TPM2B_DIGEST, 8);

/** Part 2 §10.9.5 TPML_DIGEST_VALUES: one TPMT_HA per bank, for TPM2_PCR_Extend. */
export const TPML_DIGEST_VALUES = list('TPML_DIGEST_VALUES', TPMT_HA, 16);

/** PCR indices selected in a pcrSelect bitmap. */
export function selectedPcrs(pcrSelect: Uint8Array): number[] {
  const out: number[] = [];
  for (let byte = 0; byte < pcrSelect.length; byte++) {
    const bits = pcrSelect[byte] ?? 0;
    for (let bit = 0; bit < 8; bit++) if (bits & (1 << bit)) out.push(byte * 8 + bit);
  }
  return out;
}

/** A pcrSelect bitmap for these PCR indices, at least `minBytes` long (TPM_PT_PCR_SELECT_MIN, 3 on PC TPMs). */
export function pcrSelectBitmap(pcrs: readonly number[], minBytes = 3): Uint8Array {
  const size = Math.max(minBytes, ...pcrs.map((p) => Math.floor(p / 8) + 1));
  const out = new Uint8Array(size);
  for (const p of pcrs) {
    if (!Number.isInteger(p) || p < 0) throw new RangeError(`not a PCR index: ${p}`);
    out[Math.floor(p / 8)]! |= 1 << (p % 8);
  }
  return out;
}
