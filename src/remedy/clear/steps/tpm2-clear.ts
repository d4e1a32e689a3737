/**
 * clear: TPM2_Clear (TCG TPM 2.0 Library Part 3 §24.6) with the lockout or platform
 * authorization, in a password session. Sent at most once per run, whatever fails when.
 *
 * When the answer does not come back (the connection broke, the process died), whether the TPM
 * cleared is not known, and the clear is never re-sent blindly: the step stays in flight, and its
 * check compares the SRK's Name now with fingerprint-before's. TPM2_Clear replaces the storage
 * primary seed, so the SRK, derived from it and a fixed template (Part 3 §24.1), has another Name
 * exactly when a clear happened. Changed: the clear happened (succeeded). Unchanged: it provably did
 * not (failed, and the clear may be sent again). Unreadable: the resume stops and sends nothing.
 */
import { Clear } from '../../../tpm/commands/hierarchy.js';
import { TPM_RH } from '../../../tpm/constants/handles.js';
import { hex32 } from '../../../tpm/constants/lookup.js';
import { TpmError } from '../../../tpm/rc/tpm-error.js';
import { password } from '../../../tpm/session/password.js';
import { takeClearFingerprint } from '../../../verify/clear-fingerprint.js';
import { explainClearRefusal } from '../clear-refusal.js';
import { ClearRunError } from '../clear-run-error.js';
import { fingerprintAuth, type RunMeta } from '../run-context.js';
import { nameOf, srkNameBefore, succeededFingerprint } from '../run-records.js';
import { type ClearStep, failedWith, succeeded } from './outcome.js';

function authHandleOf(method: RunMeta['method']): number {
  return method === 'lockout' ? TPM_RH.LOCKOUT : TPM_RH.PLATFORM;
}

export const tpm2ClearStep: ClearStep = {
  id: 'clear',
  policy: {
    inFlight: 'check',
    // Not a TPM answer (those are outcomes of act): the connection broke or timed out, and the
    // clear may or may not have run. Leave it in flight: the resume checks the TPM.
    unknownOutcome: (e, ctx) =>
      new ClearRunError(
        'clear-outcome-unknown',
        `The clear was sent but no answer came back (${e instanceof Error ? e.message : String(e)}); whether the TPM cleared is not known yet. ` +
          'It will not be sent again blindly: resume the run, which checks the SRK Name against the one ' +
          'recorded before the clear.',
        ctx.journal.path,
        { cause: e },
      ),
  },

  started(ctx) {
    if (ctx.meta.method === 'ppi') return undefined;
    return {
      method: ctx.meta.method,
      authHandle: hex32(authHandleOf(ctx.meta.method)),
      srkBefore: srkNameBefore(ctx.journal.records()),
    };
  },

  async act(ctx) {
    const { method } = ctx.meta;
    if (method === 'ppi') throw new Error('a run of method ppi sends no TPM2_Clear');
    const value = method === 'lockout' ? ctx.auth.lockoutAuth : undefined;
    try {
      await ctx.tpm.run(Clear, { authHandle: { handle: authHandleOf(method), session: password(value) } });
    } catch (e) {
      if (!(e instanceof TpmError)) throw e;
      // The TPM answered with an error: the clear had no effect (Part 1 §18.9). Final for the run.
      return failedWith(true, { ...(await explainClearRefusal(e, method, ctx.tpm)) });
    }
    return succeeded({ method, authHandle: hex32(authHandleOf(method)) });
  },

  /** Found in flight: did the SRK Name change? */
  async check(ctx) {
    const { journal } = ctx;
    const before = succeededFingerprint(journal.records(), 'fingerprint-before');
    const srkBefore = before === null ? null : nameOf(before.srk);
    if (srkBefore === null) {
      throw new ClearRunError(
        'clear-outcome-unknown',
        'The clear is in flight but the journal has no SRK Name from before it; the clear is not sent again. ' +
          'Check the TPM by hand, then abandon the run.',
        journal.path,
      );
    }
    const now = await takeClearFingerprint(ctx.tpm, fingerprintAuth(ctx.auth));
    const srkNow = nameOf(now.srk);
    if (srkNow === null) {
      throw new ClearRunError(
        'clear-outcome-unknown',
        `The clear is in flight and the SRK cannot be made now (${'error' in now.srk ? now.srk.error : ''}), so ` +
          'whether the TPM cleared is not known; the clear is not sent again. If owner authorization is set ' +
          '(the clear did not happen), resume with the owner authorization value.',
        journal.path,
      );
    }
    if (srkNow !== srkBefore) {
      return succeeded({
        note: 'confirmed by SRK Name after a crash',
        srkBefore,
        srkNow,
        // The TPM's own record (Part 3 §24.6 zeroes clock and resetCount): corroboration, not the test.
        countersWentBack:
          BigInt(now.clock.clock) < BigInt(before?.clock.clock ?? '0') ||
          now.clock.resetCount < (before?.clock.resetCount ?? 0),
      });
    }
    return failedWith(
      false,
      {
        reason: 'not sent before the crash',
        message:
          'the SRK Name is the one from before the clear: the TPM was not cleared, so the clear runs again',
      },
      { srkNow },
    );
  },
};
