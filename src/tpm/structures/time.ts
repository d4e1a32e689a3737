import { struct, u32, u64, yesNo } from '../marshal/codec.js';

/** Part 2 §10.11.1 TPMS_CLOCK_INFO. resetCount/restartCount/clock return to 0 on TPM2_Clear (Part 3 §24.6). */
const TPMS_CLOCK_INFO = struct('TPMS_CLOCK_INFO', {
  clock: u64,
  resetCount: u32,
  restartCount: u32,
  safe: yesNo,
});

/** Part 2 §10.11.6 TPMS_TIME_INFO. */
export const TPMS_TIME_INFO = struct('TPMS_TIME_INFO', { time: u64, clockInfo: TPMS_CLOCK_INFO });
