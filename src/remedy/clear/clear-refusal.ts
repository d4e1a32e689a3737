/**
 * What a TPM2_Clear refused by the TPM means, in words, with the remedy (docs/clear.md). A refusal is final for the run: the TPM answered with an error,
 * so it did not clear (Part 1 §18.9: an error response means the command had no effect), and
 * sending the clear again would at best fail the same way and at worst (a wrong lockout value)
 * count another dictionary-attack failure.
 */
import { TPM_PT } from '../../tpm/constants/properties.js';
import { RC } from '../../tpm/rc/decode-response-code.js';
import type { TpmError } from '../../tpm/rc/tpm-error.js';
import { getProperties } from '../../tpm/read/capability.js';
import type { Tpm } from '../../tpm/tpm.js';

export type ClearMethodTpm = 'lockout' | 'platform';

export interface ClearRefusal {
  /** A stable reason ID. */
  reason:
    | 'disable-clear'
    | 'lockout-auth-blocked'
    | 'wrong-lockout-auth'
    | 'wrong-platform-auth'
    | 'tpm-error';
  /** The TPM's response code as '0x921'. */
  responseCode: string;
  /** The spec name, e.g. 'TPM_RC_LOCKOUT'. */
  name: string;
  /** What happened and what to do. */
  message: string;
}

function hex(rc: number): string {
  return `0x${(rc >>> 0).toString(16).toUpperCase()}`;
}

/** TPM_PT_LOCKOUT_RECOVERY (Part 2 §6.13), best effort: reading a property needs no authorization. */
async function lockoutRecoverySeconds(tpm: Tpm): Promise<number | undefined> {
  try {
    return (await getProperties(tpm, TPM_PT.LOCKOUT_RECOVERY, TPM_PT.LOCKOUT_RECOVERY + 1)).get(
      TPM_PT.LOCKOUT_RECOVERY,
    );
  } catch {
    return undefined;
  }
}

function seconds(n: number | undefined): string {
  return n === undefined ? 'TPM_PT_LOCKOUT_RECOVERY seconds' : `${n} seconds (TPM_PT_LOCKOUT_RECOVERY)`;
}

/** Explains a TpmError that TPM2_Clear came back with, reading TPM_PT_LOCKOUT_RECOVERY when it matters. */
export async function explainClearRefusal(
  error: TpmError,
  method: ClearMethodTpm,
  tpm: Tpm,
): Promise<ClearRefusal> {
  const responseCode = hex(error.responseCode);
  const name = error.decoded.name;

  if (error.is(RC.DISABLED)) {
    // Part 3 §24.6: TPM_RC_DISABLED whichever hierarchy authorises, while disableClear is SET;
    // Part 3 §24.7: only platform may SET it back to NO (lockout may only set it).
    return {
      reason: 'disable-clear',
      responseCode,
      name,
      message:
        `The TPM refused the clear: disableClear is set (TPM_RC_DISABLED, ${responseCode}), so no authorization ` +
        'can clear it until disableClear is unset. Only platform authorization can unset it ' +
        '(TPM2_ClearControl NO, TCG TPM 2.0 Part 3 §24.7): on a PC, clear the TPM from the firmware setup or ' +
        'through a physical-presence request (PPI operation 5 "Clear" or 14 "Enable + Clear"), which does it ' +
        'on the way; in the lab, `tpm2_clearcontrol -C p c`. Then start a new clear run. Nothing was cleared.',
    };
  }

  if (error.is(RC.LOCKOUT) && error.lockoutAuthBlocked) {
    const n = error.lockoutRecoverySeconds ?? (await lockoutRecoverySeconds(tpm));
    return {
      reason: 'lockout-auth-blocked',
      responseCode,
      name,
      message:
        `The TPM refused the clear: lockout authorization is blocked (TPM_RC_LOCKOUT, ${responseCode}) after an ` +
        `earlier wrong lockout authorization value. It stays blocked for up to ${seconds(n)} from that failure, ` +
        'and TPMA_PERMANENT.inLockout stays 0 meanwhile, so the TPM flags do not show it (TCG TPM 2.0 Part 1 ' +
        '§19.8.6). Make no lockout-authorized attempt until then (each one can restart the wait), then start a ' +
        'new clear run with the right value, or clear through the firmware (PPI), which needs no lockout ' +
        'authorization. Nothing was cleared.',
    };
  }

  if (error.is(RC.AUTH_FAIL) && method === 'lockout' && error.decoded.subject !== undefined) {
    const n = await lockoutRecoverySeconds(tpm);
    return {
      reason: 'wrong-lockout-auth',
      responseCode,
      name,
      message:
        `The TPM refused the clear: the lockout authorization value is wrong (TPM_RC_AUTH_FAIL, ${responseCode}). ` +
        'The lockout hierarchy is guarded by the dictionary-attack logic: this failure now blocks every ' +
        `lockout-authorized command, the next clear included, for ${seconds(n)} (TCG TPM 2.0 Part 1 §19.8.6). ` +
        'Do not try again now: find the right value (held by whoever took ownership of the TPM), wait that ' +
        'long, then start a new clear run; or clear through the firmware (PPI). Nothing was cleared.',
    };
  }

  if (error.is(RC.AUTH_FAIL, RC.BAD_AUTH) && method === 'platform') {
    return {
      reason: 'wrong-platform-auth',
      responseCode,
      name,
      message:
        `The TPM refused the clear: the platform authorization value is wrong (${name}, ${responseCode}). ` +
        'Firmware normally sets a random platform authorization at every boot, so an operating system cannot ' +
        'clear through platform; use the lockout method or a physical-presence request (PPI). Nothing was cleared.',
    };
  }

  return {
    reason: 'tpm-error',
    responseCode,
    name,
    message: `The TPM refused the clear: ${error.message}. Nothing was cleared.`,
  };
}
