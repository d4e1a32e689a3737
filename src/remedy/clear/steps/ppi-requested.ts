/**
 * ppi-requested: the physical-presence request to clear the TPM (TCG PC Client Platform Physical
 * Presence Interface Specification; ppi.ts), written at most once per run.
 *
 * A request found in flight after a crash (or whose call failed after the write may have happened)
 * is settled by reading the pending request back (ppi/request, Win32_Tpm.GetPhysicalPresenceRequest):
 * a clear operation pending means the request is in; nothing pending and the SRK unchanged means it
 * was not acted on, and then the firmware's response is read: if it reports that a clear was
 * declined or failed (the request did go in, the machine restarted and the person said no), the run
 * ends with that message; only when it reports neither is the request written again. If the pending
 * request, the SRK or the response cannot be read, nothing is written.
 */
import type { JsonObject } from '../../journal.js';
import {
  type PpiRequestResult,
  type PpiResponse,
  type PpiTarget,
  readPendingPhysicalPresenceRequest,
  readPhysicalPresenceResponse,
  requestPhysicalPresenceClear,
} from '../../platform/ppi.js';
import { UNKNOWN_TRANSITION_INSTRUCTION } from '../../platform/ppi-codes.js';
import { PpiError } from '../../platform/ppi-error.js';
import { ClearRunError } from '../clear-run-error.js';
import { srkNameBefore } from '../run-records.js';
import { type ClearStep, failedWith, succeeded } from './outcome.js';
import { CLEAR_OPERATIONS, srkNameNow } from './ppi-readings.js';

function requestData(r: PpiRequestResult): JsonObject {
  return {
    platform: r.platform,
    operation: r.operation,
    pending: r.pending,
    transition: r.transition === null ? null : { code: r.transition.code, action: r.transition.action },
    instruction: r.transition?.instruction ?? UNKNOWN_TRANSITION_INSTRUCTION,
    confirmation: r.confirmation,
    version: r.version,
    message: r.message,
  };
}

export function ppiRequestedStep(ppi: PpiTarget): ClearStep {
  return {
    id: 'ppi-requested',
    policy: {
      inFlight: 'check',
      // The request may have reached the firmware: leave it in flight, for the resume to read the
      // pending request back before anything is written again.
      unknownOutcome: (e, ctx) =>
        e instanceof ClearRunError
          ? e
          : new ClearRunError(
              'ppi-outcome-unknown',
              `The physical-presence request may or may not have reached the firmware (${e instanceof Error ? e.message : String(e)}); it will not be ` +
                'written again blindly: resume the run, which reads the pending request back first.',
              ctx.journal.path,
              { cause: e },
            ),
    },

    started(ctx) {
      return {
        platform: ppi.platform,
        operation: ppi.operation ?? null,
        srkBefore: srkNameBefore(ctx.journal.records()),
      };
    },

    /** Submits the request; when the call fails, reads the pending request back before deciding anything. */
    async act(ctx) {
      try {
        return succeeded(requestData(await requestPhysicalPresenceClear({ ...ppi, dryRun: false })));
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        let pending: number;
        try {
          pending = await readPendingPhysicalPresenceRequest(ppi);
        } catch (readError) {
          throw new ClearRunError(
            'ppi-outcome-unknown',
            `The physical-presence request failed (${message}) and the pending request cannot be read back ` +
              `(${readError instanceof Error ? readError.message : String(readError)}); nothing is written again. ` +
              'Resume the run once the PPI can be read.',
            ctx.journal.path,
            { cause: e },
          );
        }
        if (CLEAR_OPERATIONS.has(pending)) {
          return succeeded({
            platform: ppi.platform,
            operation: pending,
            pending,
            // The call failed: the firmware's transition was never read.
            transition: null,
            instruction: UNKNOWN_TRANSITION_INSTRUCTION,
            note: `the call reported an error (${message}) but operation ${pending} is pending`,
          });
        }
        if (e instanceof PpiError) return failedWith(true, { reason: e.code, message: e.message });
        throw e;
      }
    },

    /** Found in flight: is the request pending, or did the firmware already act on it? */
    async check(ctx) {
      const { journal } = ctx;
      let pending: number;
      try {
        pending = await readPendingPhysicalPresenceRequest(ppi);
      } catch (e) {
        throw new ClearRunError(
          'ppi-outcome-unknown',
          `The physical-presence request is in flight and the pending request cannot be read back (${
            e instanceof Error ? e.message : String(e)
          }); it is not written again. Resume the run once the PPI can be read.`,
          journal.path,
          { cause: e },
        );
      }
      if (CLEAR_OPERATIONS.has(pending)) {
        return succeeded({
          note: 'confirmed by the pending request after a crash',
          platform: ppi.platform,
          operation: pending,
          pending,
          // Settled after a crash: the transition the request read, if any, was not journaled.
          transition: null,
          instruction: UNKNOWN_TRANSITION_INSTRUCTION,
        });
      }
      // Nothing pending: either it was never written, or the firmware already acted on it (a restart
      // came before this resume). The SRK tells the two apart when the firmware cleared.
      const before = srkNameBefore(journal.records());
      const now = await srkNameNow(ctx, ctx.auth.ownerAuth);
      if (typeof now !== 'string') {
        throw new ClearRunError(
          'srk-unreadable',
          `The physical-presence request is in flight, none is pending now, and the SRK cannot be made (${now.error}), ` +
            'so whether the firmware already cleared the TPM is not known; the request is not written again. If owner ' +
            'authorization is set, resume the run with the owner authorization value.',
          journal.path,
        );
      }
      if (before !== null && now !== before) {
        return succeeded({
          note: 'the firmware already acted on it: the SRK Name changed',
          platform: ppi.platform,
          srkBefore: before,
          srkNow: now,
        });
      }
      // The TPM was not cleared. Either the request never reached the firmware, or it did and the
      // firmware did not clear: the person declined the prompt, or the firmware failed. Its response
      // tells: a clear declined or failed ends the run with its message, never a second prompt.
      let response: PpiResponse;
      try {
        response = await readPhysicalPresenceResponse(ppi);
      } catch (e) {
        throw new ClearRunError(
          'ppi-outcome-unknown',
          `The physical-presence request is in flight, none is pending now and the TPM was not cleared, but the firmware's ` +
            `response cannot be read (${e instanceof Error ? e.message : String(e)}), so whether the request was already ` +
            'declined is not known; it is not written again. Resume the run once the PPI can be read.',
          journal.path,
          { cause: e },
        );
      }
      if (
        response.outcome !== 'success' &&
        response.outcome !== 'no-request' &&
        response.operation !== null &&
        CLEAR_OPERATIONS.has(response.operation)
      ) {
        return failedWith(
          true,
          {
            reason: `ppi-${response.outcome}`,
            message:
              `The physical-presence request was interrupted before it was recorded, and the firmware now reports: ${response.message} ` +
              'This run does not request it again.',
          },
          { response: { ...response }, pending, srkNow: now },
        );
      }
      return failedWith(
        false,
        {
          reason: 'not sent before the crash',
          message:
            'no physical-presence operation is pending and the TPM was not cleared: the request is written again',
        },
        { pending },
      );
    },
  };
}
