import { defineCommand } from '../command.js';
import { TPMS_TIME_INFO } from '../structures/time.js';

/** Part 3 §29.1 TPM2_ReadClock: time, clock, resetCount, restartCount, safe. */
export const ReadClock = defineCommand({
  name: 'TPM2_ReadClock',
  code: 0x181,
  handles: {},
  params: {},
  response: { currentTime: TPMS_TIME_INFO },
});
