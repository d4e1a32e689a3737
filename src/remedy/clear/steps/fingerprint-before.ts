/**
 * fingerprint-before: the TPM before the clear (clear-fingerprint.ts). Its SRK Name is what tells,
 * after a crash, whether a clear in flight happened; without it the clear is not sent.
 */

import { takeClearFingerprint } from '../../../verify/clear-fingerprint.js';
import type { JsonObject } from '../../journal.js';
import { fingerprintAuth } from '../run-context.js';
import { type ClearStep, failedWith, succeeded } from './outcome.js';

export const fingerprintBeforeStep: ClearStep = {
  id: 'fingerprint-before',
  policy: { inFlight: 'repeat' },
  async act(ctx) {
    const print = await takeClearFingerprint(ctx.tpm, fingerprintAuth(ctx.auth));
    if (!('name' in print.srk)) {
      return failedWith(false, {
        reason: 'srk-unreadable',
        message:
          `The SRK could not be made before the clear (${print.srk.error}), so a crash during the clear could ` +
          'not be told apart from a clear that never happened; the clear is not sent. If owner authorization ' +
          'is set, resume the run with the owner authorization value.',
      });
    }
    return succeeded({ fingerprint: JSON.parse(JSON.stringify(print)) as JsonObject });
  },
};
