import type { ClearMethod } from '../remedy/preflight/gate.js';
import { EN, type UiMessages } from '../text/messages/en.js';

/**
 * Why a lockout clear must not be tried with the lockout value given, or undefined when it may.
 * A TPM with lockoutAuthSet clear has an empty lockout value: any non-empty one is wrong, and one
 * wrong lockout authorisation blocks lockout authorisation for TPM_PT_LOCKOUT_RECOVERY seconds
 * (TCG TPM 2.0 Library Part 1, §19.8.6 "Lockout mode"). `lockoutAuthSet` is undefined when the
 * TPM's flags could not be read: then nothing is known and nothing is refused here.
 */
export function lockoutValueRefusal(
  input: {
    method: ClearMethod;
    lockoutAuth: string;
    lockoutAuthSet: boolean | undefined;
  },
  ui: UiMessages = EN,
): string | undefined {
  if (input.method !== 'lockout' || input.lockoutAuth === '' || input.lockoutAuthSet !== false)
    return undefined;
  return ui['refusal.no-lockout-value'];
}
