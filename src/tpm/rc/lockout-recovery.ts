import type { CommandRunner, ErrorLayer } from '../command.js';
import { TPM_PT } from '../constants/properties.js';
import { getProperties } from '../read/capability.js';
import { TpmError } from './tpm-error.js';

/**
 * The error layer for TPM_RC_LOCKOUT on a lockout-authorised command (TpmError.lockoutAuthBlocked):
 * one failed lockoutAuth blocks every lockout-authorised command for TPM_PT_LOCKOUT_RECOVERY
 * seconds (Part 1 §19.8.6, Part 3 §25), so the error says how long on this TPM. Best effort: when
 * the property cannot be read, the error says "TPM_PT_LOCKOUT_RECOVERY seconds" instead.
 */
export const explainLockoutRecovery: ErrorLayer = async (error, tpm) => {
  if (!error.lockoutAuthBlocked || error.lockoutRecoverySeconds !== undefined) return error;
  const lockoutRecoverySeconds = await readLockoutRecovery(tpm);
  if (lockoutRecoverySeconds === undefined) return error;
  return new TpmError(error.responseCode, {
    command: error.command,
    commandCode: error.commandCode,
    authHandles: error.authHandles,
    lockoutRecoverySeconds,
  });
};

/** TPM_PT_LOCKOUT_RECOVERY (Part 2 §6.13); reading a property needs no authorisation. */
async function readLockoutRecovery(tpm: CommandRunner): Promise<number | undefined> {
  try {
    const props = await getProperties(tpm, TPM_PT.LOCKOUT_RECOVERY, TPM_PT.LOCKOUT_RECOVERY + 1);
    return props.get(TPM_PT.LOCKOUT_RECOVERY);
  } catch {
    return undefined;
  }
}
