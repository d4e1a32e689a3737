import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { TPMS_TIME_INFO } from '../structures/time.js';

/** Part 3 §29.1 TPM2_ReadClock: time, clock, resetCount, restartCount, safe. */
export const ReadClock = defineCommand({
  code: TPM_CC.ReadClock,
  handles: {},
  params: {},
  response: { currentTime: TPMS_TIME_INFO },
});
