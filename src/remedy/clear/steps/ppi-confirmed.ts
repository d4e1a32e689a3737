/**
 * ppi-confirmed: after the restart, what the firmware did, and the SRK Name, the one proof that the
 * TPM was cleared (the firmware, not tpm-doctor, clears it). A response of success with the SRK
 * unchanged fails the run ('not-proven'). Only a readable, unchanged SRK Name proves that the TPM
 * was not cleared: an SRK that cannot be made stops the run where it can be resumed
 * ('srk-unreadable'), never as 'not-proven'. Before the firmware has acted, the run waits.
 */
import type { JsonObject } from '../../journal.js';
import {
  type PpiTarget,
  readPendingPhysicalPresenceRequest,
  readPhysicalPresenceResponse,
} from '../../platform/ppi.js';
import { srkNameBefore } from '../run-records.js';
import { type ClearStep, failedWith, succeeded, waitingFor } from './outcome.js';
import { CLEAR_OPERATIONS, requestedTransition, restartInstruction, srkNameNow } from './ppi-readings.js';

export function ppiConfirmedStep(ppi: PpiTarget): ClearStep {
  return {
    id: 'ppi-confirmed',
    policy: { inFlight: 'repeat' },
    async act(ctx) {
      const instruction = `${restartInstruction(ctx)} Someone must be at the machine to accept the firmware prompt.`;
      const requested = requestedTransition(ctx);
      const transition: JsonObject | null = requested === null ? null : { ...requested };
      const pending = await readPendingPhysicalPresenceRequest(ppi);
      if (CLEAR_OPERATIONS.has(pending)) {
        return waitingFor(
          `Physical-presence operation ${pending} is still pending: the firmware has not acted on it yet (no restart since the request).`,
          instruction,
          { pending, transition },
        );
      }
      const response = await readPhysicalPresenceResponse(ppi);
      const responseData: JsonObject = { ...response };
      if (response.outcome === 'no-request') {
        return waitingFor(response.message, instruction, { pending, response: responseData, transition });
      }
      if (response.outcome !== 'success') {
        return failedWith(
          true,
          { reason: `ppi-${response.outcome}`, message: response.message },
          { response: responseData },
        );
      }
      const before = srkNameBefore(ctx.journal.records());
      const now = await srkNameNow(ctx, ctx.auth.ownerAuth);
      if (typeof now !== 'string') {
        // Not a reading: the TPM refused to make the SRK with the values tried. Nothing is proven
        // either way, and nothing is ended: resume with the owner authorization value.
        return failedWith(
          false,
          {
            reason: 'srk-unreadable',
            message:
              `${response.message} But the SRK cannot be made now (${now.error}), so whether the TPM was cleared is ` +
              'not known yet. If owner authorization is set, resume the run with the owner authorization value.',
          },
          { response: responseData, srkBefore: before, srkNow: null },
        );
      }
      if (before === null || now === before) {
        return failedWith(
          true,
          {
            reason: 'not-proven',
            message:
              before === null
                ? `${response.message} But the journal has no SRK Name from before the request, so the clear cannot be proven.`
                : `${response.message} But the SRK Name is the one from before the request: the TPM was not cleared.`,
          },
          { response: responseData, srkBefore: before, srkNow: now },
        );
      }
      return succeeded({ response: responseData, srkBefore: before, srkNow: now });
    },
  };
}
