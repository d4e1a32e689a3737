/**
 * The preflight gate of `tpm-doctor clear` (docs/clear.md, the preflight gate): runs checks 1-6 over one snapshot and
 * its diagnosis. Pure: no I/O, the same input always gives the same result; the clear itself
 * reads `passed` and records `checks` and `inventory` in the journal. Bundle evidence more than
 * a day old cannot pass the checks that rely on it (freshness.ts), and a bundle is first bound to
 * the TPM being cleared (evidence-binding.ts).
 */
import type { Diagnosis } from '../../diagnose/diagnose.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import { EN, type UiMessages } from '../../text/messages/en.js';
import { checkApproval } from './approval.js';
import { checkBackup } from './backup.js';
import { checkBlockers } from './blockers.js';
import { checkEvidenceBinding } from './evidence-binding.js';
import type { PreflightInput } from './facts.js';
import { applyFreshness } from './freshness.js';
import type { GateCheck, GateOptions, GateResult } from './gate.js';
import { checkInventory } from './inventory.js';
import { checkReason } from './reason.js';
import { checkRights } from './rights.js';

export function runPreflight(
  snapshot: Snapshot,
  diagnosis: Diagnosis,
  options: GateOptions,
  ui: UiMessages = EN,
): GateResult {
  const input: PreflightInput = { snapshot, diagnosis, options, ui };
  const inventory = checkInventory(input);
  const binding = checkEvidenceBinding(input);
  const checks: GateCheck[] = applyFreshness(
    [
      ...(binding === null ? [] : [binding]),
      checkReason(input),
      ...checkBackup(input),
      ...checkRights(input),
      checkApproval(input),
      ...checkBlockers(input),
      inventory.check,
    ],
    input,
  );
  return { passed: gatePasses(checks, options.acknowledged ?? []), checks, inventory: inventory.inventory };
}

/** Any fail blocks; an unknown blocks unless the user acknowledged that exact check (docs/clear.md). */
export function gatePasses(checks: readonly GateCheck[], acknowledged: readonly string[]): boolean {
  return checks.every((c) => c.status === 'pass' || (c.status === 'unknown' && acknowledged.includes(c.id)));
}
