import { alias, bytes2b, sized, struct, u8, u16 } from '../marshal/codec.js';
import { TPM_ALG_ID, TPM_HANDLE, TPM2B_DIGEST, TPM2B_NAME } from './basic.js';
import { TPML_PCR_SELECTION } from './pcr.js';

/** Part 2 §15.1 TPMS_CREATION_DATA, returned by TPM2_Create and TPM2_CreatePrimary. */
const TPMS_CREATION_DATA = struct('TPMS_CREATION_DATA', {
  pcrSelect: TPML_PCR_SELECTION,
  pcrDigest: TPM2B_DIGEST,
  locality: alias('TPMA_LOCALITY', u8),
  parentNameAlg: TPM_ALG_ID,
  parentName: TPM2B_NAME,
  parentQualifiedName: TPM2B_NAME,
  outsideInfo: bytes2b('TPM2B_DATA'),
});

/** Part 2 §15.2 TPM2B_CREATION_DATA. */
export const TPM2B_CREATION_DATA = sized('TPM2B_CREATION_DATA', TPMS_CREATION_DATA);

/** Part 2 §10.7.3 TPMT_TK_CREATION (and the other tickets, which share the layout). */
export const TPMT_TK_CREATION = struct('TPMT_TK_CREATION', {
  tag: alias('TPM_ST', u16),
  hierarchy: TPM_HANDLE,
  digest: TPM2B_DIGEST,
});
