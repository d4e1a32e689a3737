import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { alias, bytes2b, u32, yesNo } from '../marshal/codec.js';

/** Part 3 §10.2 TPM2_SelfTest. */
export const SelfTest = defineCommand({
  code: TPM_CC.SelfTest,
  handles: {},
  params: { fullTest: yesNo },
  response: {},
});

/** Part 3 §10.4 TPM2_GetTestResult: vendor-specific outData and the self-test TPM_RC (works in failure mode). */
export const GetTestResult = defineCommand({
  code: TPM_CC.GetTestResult,
  handles: {},
  params: {},
  response: { outData: bytes2b('TPM2B_MAX_BUFFER'), testResult: alias('TPM_RC', u32) },
});
