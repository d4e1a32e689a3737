/** fingerprint-after: the TPM after the clear, for the proof. */

import { takeClearFingerprint } from '../../../verify/clear-fingerprint.js';
import type { JsonObject } from '../../journal.js';
import { type ClearStep, succeeded } from './outcome.js';

export const fingerprintAfterStep: ClearStep = {
  id: 'fingerprint-after',
  policy: { inFlight: 'repeat' },
  async act(ctx) {
    // TPM2_Clear empties ownerAuth and endorsementAuth (TCG TPM 2.0 Library Part 3 §24.6): read
    // with empty values.
    const print = await takeClearFingerprint(ctx.tpm);
    return succeeded({ fingerprint: JSON.parse(JSON.stringify(print)) as JsonObject });
  },
};
