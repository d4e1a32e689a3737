/** What every clear run checks and records when it starts, whatever its method. */
import { randomBytes } from 'node:crypto';
import type { JsonObject } from '../journal.js';
import type { ClearPurpose, GateResult } from '../preflight/gate.js';
import { ClearRunError } from './clear-run-error.js';
import { RUN_KIND, type RunMeta } from './run-context.js';

export interface StartRecord {
  gate: GateResult;
  purpose: ClearPurpose;
  approvedBy?: string;
  ticket?: string;
  keepOpen?: boolean;
  tpmUri?: string;
}

/**
 * Refuses (ClearRunError 'gate-not-passed', before any journal exists) unless the preflight gate
 * passed. `unchanged` says what stays as it is: "nothing on the TPM changes", "nothing is requested".
 */
export function requireGatePassed(gate: GateResult, unchanged: string): void {
  if (gate.passed) return;
  const blocking = gate.checks.filter((c) => c.status !== 'pass');
  throw new ClearRunError(
    'gate-not-passed',
    `The preflight gate did not pass, so the clear run does not start and ${unchanged}. ` +
      (blocking.length === 0
        ? 'The gate reported passed: false.'
        : `Blocking: ${blocking.map((c) => `${c.id} (${c.status}): ${c.message}`).join('; ')}`),
  );
}

/** `clear-<UTC time>-<6 hex digits>`. */
export function newRunId(): string {
  const at = new Date().toISOString().replace(/[-:.]/g, '');
  return `clear-${at}-${randomBytes(3).toString('hex')}`;
}

/** The run-started meta: what the run is, who approved it, the gate; `extra` before keepOpen and tpm. */
export function startMeta(
  options: StartRecord,
  method: RunMeta['method'],
  extra: JsonObject = {},
): JsonObject {
  return {
    kind: RUN_KIND,
    method,
    purpose: options.purpose,
    approvedBy: options.approvedBy ?? null,
    ticket: options.ticket ?? null,
    gate: JSON.parse(JSON.stringify(options.gate)) as JsonObject,
    ...extra,
    ...(options.keepOpen === true ? { keepOpen: true } : {}),
    ...(options.tpmUri === undefined ? {} : { tpm: options.tpmUri }),
  };
}
