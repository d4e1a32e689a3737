import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { alias, u16 } from '../marshal/codec.js';

/** Part 3 §9.3 TPM2_Startup: TPM_SU_CLEAR (0) after a reset, TPM_SU_STATE (1) to resume. */
export const Startup = defineCommand({
  code: TPM_CC.Startup,
  handles: {},
  params: { startupType: alias('TPM_SU', u16) },
  response: {},
});

/** Part 3 §9.4 TPM2_Shutdown: an orderly shutdown, so the next start does not count as a DA failure. */
export const Shutdown = defineCommand({
  code: TPM_CC.Shutdown,
  handles: {},
  params: { shutdownType: alias('TPM_SU', u16) },
  response: {},
});
