import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { u32 } from '../marshal/codec.js';

/** Part 3 §25.2 TPM2_DictionaryAttackLockReset: lockout-authorised; resets the failure counter and leaves lockout. */
export const DictionaryAttackLockReset = defineCommand({
  code: TPM_CC.DictionaryAttackLockReset,
  handles: { lockHandle: 'auth' },
  params: {},
  response: {},
});

/** Part 3 §25.3 TPM2_DictionaryAttackParameters: maxTries, recoveryTime (s per forgiven failure), lockoutRecovery (s). */
export const DictionaryAttackParameters = defineCommand({
  code: TPM_CC.DictionaryAttackParameters,
  handles: { lockHandle: 'auth' },
  params: { newMaxTries: u32, newRecoveryTime: u32, lockoutRecovery: u32 },
  response: {},
});
