/**
 * What the physical-presence steps read back after the firmware may have acted: which operations
 * clear the TPM, the SRK's Name now (the one proof that the firmware cleared), and the instruction
 * the request journaled.
 */
import { FlushContext } from '../../../tpm/commands/context.js';
import { CreatePrimary } from '../../../tpm/commands/hierarchy.js';
import { TPM_RH } from '../../../tpm/constants/handles.js';
import { TpmError } from '../../../tpm/rc/tpm-error.js';
import { password } from '../../../tpm/session/password.js';
import { srkTemplate } from '../../../verify/clear-fingerprint.js';
import { PPI_CLEAR, PPI_ENABLE_CLEAR, UNKNOWN_TRANSITION_INSTRUCTION } from '../../platform/ppi-codes.js';
import { lastStepData } from '../../run/records.js';
import { unreachable } from '../clear-run-error.js';
import type { CommonOptions, Ctx } from '../run-context.js';
import { type RequestedTransition, transitionIn } from '../run-result.js';

/** Operations that clear the TPM (ppi-codes.ts: EDK2 runs TPM2_Clear for 5, 14, 21 and 22). */
export const CLEAR_OPERATIONS = new Set([PPI_CLEAR, PPI_ENABLE_CLEAR, 21, 22]);

/**
 * The SRK's Name now (hex), or `{ error }` when the TPM refused to make it with every value tried
 * (the empty owner auth, what a clear leaves, then the given one). A transport error (the TPM did
 * not answer) is not a reading: it throws ClearRunError 'tpm-unreachable', resumable.
 */
export async function srkNameNow(
  ctx: Ctx,
  ownerAuth: CommonOptions['ownerAuth'],
): Promise<string | { error: string }> {
  const empty = new Uint8Array(0);
  let last = '';
  for (const auth of ownerAuth === undefined ? [undefined] : [undefined, ownerAuth]) {
    try {
      const created = await ctx.tpm.run(CreatePrimary, {
        primaryHandle: { handle: TPM_RH.OWNER, session: password(auth) },
        inSensitive: { userAuth: empty, data: empty },
        inPublic: srkTemplate(),
        outsideInfo: empty,
        creationPCR: [],
      });
      await ctx.tpm.run(FlushContext, { flushHandle: created.objectHandle });
      return Buffer.from(created.name).toString('hex');
    } catch (e) {
      if (!(e instanceof TpmError)) throw unreachable(ctx.journal.path, 'The SRK', e);
      // The TPM refused (a wrong owner auth): try the next value.
      last = e.message;
    }
  }
  return { error: last };
}

/** The instruction the request journaled (or the one for an unknown transition). */
export function restartInstruction(ctx: Ctx): string {
  const data = lastStepData(ctx.journal.records(), 'ppi-requested', 'step-succeeded');
  return typeof data?.instruction === 'string' ? data.instruction : UNKNOWN_TRANSITION_INSTRUCTION;
}

/**
 * The transition the firmware asked for when the request was made (Win32_Tpm
 * GetPhysicalPresenceTransition, Linux transition_action), as the request journaled it; null when
 * it was not read (the call failed, or the request was settled after a crash).
 */
export function requestedTransition(ctx: Ctx): RequestedTransition | null {
  const data = lastStepData(ctx.journal.records(), 'ppi-requested', 'step-succeeded');
  return transitionIn(data?.transition);
}
