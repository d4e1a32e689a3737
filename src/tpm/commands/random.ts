import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { bytes2b, u16 } from '../marshal/codec.js';

/** Part 3 §16.1 TPM2_GetRandom: may return fewer bytes than asked (at most the largest digest). */
export const GetRandom = defineCommand({
  code: TPM_CC.GetRandom,
  handles: {},
  params: { bytesRequested: u16 },
  response: { randomBytes: bytes2b('TPM2B_DIGEST') },
});
