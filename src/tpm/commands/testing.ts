import { defineCommand } from '../command.js';
import { alias, bytes2b, u32, yesNo } from '../marshal/codec.js';

/** Part 3 §10.2 TPM2_SelfTest. */
export const SelfTest = defineCommand({
  name: 'TPM2_SelfTest',
  code: 0x143,
  handles: {},
  params: { fullTest: yesNo },
  response: {},
});

/** Part 3 §10.4 TPM2_GetTestResult: vendor-specific outData and the self-test TPM_RC (works in failure mode). */
export const GetTestResult = defineCommand({
  name: 'TPM2_GetTestResult',
  code: 0x17c,
  handles: {},
  params: {},
  response: { outData: bytes2b('TPM2B_MAX_BUFFER'), testResult: alias('TPM_RC', u32) },
});
