import type { CommandRunner } from '../command.js';
import { PCR_Read } from '../commands/pcr.js';
import { MarshalError } from '../errors.js';
import { pcrSelectBitmap, selectedPcrs } from '../structures/pcr.js';

export interface PcrBankValues {
  hashAlg: number;
  /** PCR index -> digest. */
  values: Map<number, Uint8Array>;
}

/**
 * Reads the given PCRs of one bank. TPM2_PCR_Read returns at most 8 digests and tells which
 * PCRs it covered in pcrSelectionOut (Part 3 §22.4), so ask again for whatever is left; a PCR
 * the TPM does not implement is simply never returned.
 */
export async function readPcrBank(
  tpm: CommandRunner,
  hashAlg: number,
  pcrs: readonly number[],
): Promise<PcrBankValues> {
  const values = new Map<number, Uint8Array>();
  let pending = [...pcrs];
  while (pending.length > 0) {
    const out = await tpm.run(PCR_Read, {
      pcrSelectionIn: [{ hash: hashAlg, pcrSelect: pcrSelectBitmap(pending) }],
    });
    const returned = out.pcrSelectionOut
      .filter((s) => s.hash === hashAlg)
      .flatMap((s) => selectedPcrs(s.pcrSelect));
    if (returned.length !== out.pcrValues.length) {
      throw new MarshalError(
        `TPM2_PCR_Read selected ${returned.length} PCRs but returned ${out.pcrValues.length} digests`,
        0,
      );
    }
    if (returned.length === 0) break; // nothing more this bank implements
    returned.forEach((pcr, i) => {
      values.set(pcr, out.pcrValues[i]!);
    });
    pending = pending.filter((p) => !values.has(p));
  }
  return { hashAlg, values };
}
