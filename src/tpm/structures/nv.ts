import { alias, type Infer, sized, struct, u16, u32 } from '../marshal/codec.js';
import { TPM_ALG_ID, TPM2B_DIGEST } from './basic.js';

/** Part 2 §13.5 TPMS_NV_PUBLIC: the public area of an NV index. */
export const TPMS_NV_PUBLIC = struct('TPMS_NV_PUBLIC', {
  nvIndex: alias('TPMI_RH_NV_INDEX', u32),
  nameAlg: TPM_ALG_ID,
  attributes: alias('TPMA_NV', u32),
  authPolicy: TPM2B_DIGEST,
  dataSize: u16,
});
export type TpmsNvPublic = Infer<typeof TPMS_NV_PUBLIC>;

/** Part 2 §13.6 TPM2B_NV_PUBLIC. */
export const TPM2B_NV_PUBLIC = sized('TPM2B_NV_PUBLIC', TPMS_NV_PUBLIC);
