import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { alias, u32 } from '../marshal/codec.js';

/**
 * Part 3 §28.4 TPM2_FlushContext. The handle to flush is a parameter, not in the handle area
 * (TPMI_DH_CONTEXT flushHandle), so it takes no authorisation.
 */
export const FlushContext = defineCommand({
  code: TPM_CC.FlushContext,
  handles: {},
  params: { flushHandle: alias('TPMI_DH_CONTEXT', u32) },
  response: {},
});

/** Part 3 §28.5 TPM2_EvictControl: persist a loaded object at persistentHandle, or remove a persistent one. */
export const EvictControl = defineCommand({
  code: TPM_CC.EvictControl,
  handles: { auth: 'auth', objectHandle: 'handle' },
  params: { persistentHandle: alias('TPMI_DH_PERSISTENT', u32) },
  response: {},
});
