import type { Rule } from '../../rule.js';
import { absent } from './absent.js';
import { clearDisabled } from './clear-disabled.js';
import { ekCertMismatch } from './ek-cert-mismatch.js';
import { ekCertMissing } from './ek-cert-missing.js';
import { firmwareVulnerable } from './firmware-vulnerable.js';
import { hierarchyDisabled } from './hierarchy-disabled.js';
import { lockout } from './lockout.js';
import { lockoutCounterHigh } from './lockout-counter-high.js';
import { notReady } from './not-ready.js';
import { persistentSpaceLow } from './persistent-space-low.js';
import { reducedFunctionality } from './reduced-functionality.js';
import { restartPending } from './restart-pending.js';
import { selftestFailed } from './selftest-failed.js';
import { sha256BankMissing } from './sha256-bank-missing.js';
import { staleObjects } from './stale-objects.js';
import { transientLeak } from './transient-leak.js';
import { versionUnsupported } from './version-unsupported.js';

/**
 * Rules whose findings are `tpm.*` (one rule per file in this folder; docs/findings.md documents
 * each ID). Order is only the order rules run in; diagnose() sorts findings by severity and ID.
 */
export const TPM_RULES: readonly Rule[] = [
  absent,
  versionUnsupported,
  selftestFailed,
  notReady,
  reducedFunctionality,
  lockout,
  lockoutCounterHigh,
  clearDisabled,
  hierarchyDisabled,
  ekCertMissing,
  ekCertMismatch,
  firmwareVulnerable,
  staleObjects,
  persistentSpaceLow,
  transientLeak,
  sha256BankMissing,
  restartPending,
];
