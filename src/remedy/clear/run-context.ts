/**
 * What the steps of a clear run see (Ctx), read from the run's journal and the caller's options,
 * and the rules the run engine applies to every clear run (run/engine.ts RunRules).
 */
import type { Tpm } from '../../tpm/tpm.js';
import type { RunJournal } from '../journal.js';
import type { GateResult } from '../preflight/gate.js';
import type { RunRules } from '../run/engine.js';
import type { RunContext } from '../run/step.js';
import type { ClearMethodTpm } from './clear-refusal.js';
import { ClearRunError } from './clear-run-error.js';

/** The kind recorded in run-started meta, so resume refuses a journal of another kind of run. */
export const RUN_KIND = 'tpm-doctor clear';

/**
 * Named points of a run, for crash tests: `<step>:started` right after a step's step-started is on
 * disk, `<step>:done` right after its work succeeded but before its step-succeeded is written, and
 * 'run-finished' right after run-finished (before the receipt). 'clear:done' is the gap between
 * "clear sent" and "clear recorded".
 */
export type ClearRunPoint = string;

export interface CommonOptions {
  tpm: Tpm;
  /** The lockout authorization value for method 'lockout' (default empty). Never journaled. */
  lockoutAuth?: string | Uint8Array;
  /** Owner auth for fingerprint-before's SRK, when ownerAuth is set (default empty). Never journaled. */
  ownerAuth?: string | Uint8Array;
  /** Endorsement auth for fingerprint-before's EK, when set (default empty). Never journaled. */
  endorsementAuth?: string | Uint8Array;
  /** Test hook: called at each {@link ClearRunPoint}. Production passes nothing. */
  onPoint?: (point: ClearRunPoint) => void;
  /**
   * Stop once the proof holds, without run-finished or a receipt: the result is 'cleared', and the
   * caller continues in the same journal (the post-clear runbook: complete-run.ts) and ends the run
   * with finishClearRun. A run started with keepOpen records it in its meta, so a resume keeps it
   * open too unless told otherwise.
   */
  keepOpen?: boolean;
}

export interface RunMeta {
  method: ClearMethodTpm | 'ppi';
  purpose: string;
  approvedBy: string | null;
  ticket: string | null;
  gate: GateResult;
  keepOpen?: boolean;
  /** The TPM URI the run was started with, when the caller gave one. */
  tpm?: string;
}

/** What every step of a clear run sees. Auth values are in `auth`, never in the journal. */
export interface Ctx extends RunContext {
  tpm: Tpm;
  journal: RunJournal;
  journalDir: string;
  meta: RunMeta;
  auth: CommonOptions;
  keepOpen: boolean;
  point: (p: ClearRunPoint) => void;
}

/** The run's context, after checking that the journal is a clear run of one of `methods`. */
export function context(
  options: CommonOptions,
  journal: RunJournal,
  journalDir: string,
  methods: readonly RunMeta['method'][],
): Ctx {
  const first = journal.records()[0];
  const meta = first?.kind === 'run-started' ? (first.data.meta as Record<string, unknown>) : {};
  if (meta.kind !== RUN_KIND || !(methods as readonly unknown[]).includes(meta.method)) {
    throw new ClearRunError(
      'not-a-clear-run',
      `${journal.path}: expected the journal of a clear run (meta.kind "${RUN_KIND}", method ${methods.join(' or ')}), ` +
        `found kind ${JSON.stringify(meta.kind)}, method ${JSON.stringify(meta.method)}`,
      journal.path,
    );
  }
  const onPoint = options.onPoint;
  return {
    tpm: options.tpm,
    journal,
    journalDir,
    meta: meta as unknown as RunMeta,
    auth: options,
    keepOpen: options.keepOpen ?? meta.keepOpen === true,
    point: (p) => onPoint?.(p),
  };
}

/** The auth values a fingerprint may need (the lockout value never: a fingerprint only reads). */
export function fingerprintAuth(auth: CommonOptions): {
  ownerAuth?: string | Uint8Array;
  endorsementAuth?: string | Uint8Array;
} {
  return {
    ...(auth.ownerAuth === undefined ? {} : { ownerAuth: auth.ownerAuth }),
    ...(auth.endorsementAuth === undefined ? {} : { endorsementAuth: auth.endorsementAuth }),
  };
}

/**
 * The engine's rules for a clear run: its crash-test points, and an act that threw recorded
 * failed (not final: nothing unsafe happened) and turned into a resumable ClearRunError.
 */
export function clearRunRules(ctx: Ctx): RunRules {
  return {
    point: ctx.point,
    actFailed: (step, e) => {
      const message = e instanceof Error ? e.message : String(e);
      return {
        data: { final: false, reason: e instanceof ClearRunError ? e.code : 'error', message },
        // A ClearRunError already says what happened and that the run can be resumed.
        error:
          e instanceof ClearRunError
            ? e
            : new ClearRunError(
                'step-failed',
                `Step ${step} failed: ${message}. Nothing unsafe happened; resume the run to try it again.`,
                ctx.journal.path,
                { cause: e },
              ),
      };
    },
  };
}
