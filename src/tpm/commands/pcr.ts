import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { u32, yesNo } from '../marshal/codec.js';
import { TPML_DIGEST, TPML_DIGEST_VALUES, TPML_PCR_SELECTION } from '../structures/pcr.js';

/** Part 3 §22.4 TPM2_PCR_Read: returns at most 8 digests per call, and the selection it honoured. */
export const PCR_Read = defineCommand({
  code: TPM_CC.PCR_Read,
  handles: {},
  params: { pcrSelectionIn: TPML_PCR_SELECTION },
  response: { pcrUpdateCounter: u32, pcrSelectionOut: TPML_PCR_SELECTION, pcrValues: TPML_DIGEST },
});

/** Part 3 §22.2 TPM2_PCR_Extend: one digest per bank. */
export const PCR_Extend = defineCommand({
  code: TPM_CC.PCR_Extend,
  handles: { pcrHandle: 'auth' },
  params: { digests: TPML_DIGEST_VALUES },
  response: {},
});

/** Part 3 §22.5 TPM2_PCR_Allocate: platform-authorised; takes effect at the next TPM2_Startup(CLEAR). */
export const PCR_Allocate = defineCommand({
  code: TPM_CC.PCR_Allocate,
  handles: { authHandle: 'auth' },
  params: { pcrAllocation: TPML_PCR_SELECTION },
  response: { allocationSuccess: yesNo, maxPCR: u32, sizeNeeded: u32, sizeAvailable: u32 },
});
