import type { Rule } from '../../rule.js';

/** Rules whose findings are `tpm.*` (one rule per file in this folder). */
export const TPM_RULES: readonly Rule[] = [];
