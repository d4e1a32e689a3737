import type { Rule } from '../rule.js';
import { TPM_RULES } from './tpm/index.js';
import { WINDOWS_RULES } from './windows/index.js';

/** Every rule, TPM first. Each rule is its own file under tpm/ or windows/. */
export const RULES: readonly Rule[] = [...TPM_RULES, ...WINDOWS_RULES];
