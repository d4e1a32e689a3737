/**
 * The result of a clear run, shaped from its journal alone (so a resume rebuilds the same result
 * and the same receipt), and the ways a run ends: finished (the proof held: run-finished and the
 * receipt), kept open after its proof ('cleared'), or abandoned with its failure.
 */
import path from 'node:path';
import type { ClearProof } from '../../verify/clear-proof.js';
import type { JsonObject } from '../journal.js';
import type { TransitionAction } from '../platform/ppi-codes.js';
import type { RunStop } from '../run/engine.js';
import { type RunEnding, runEnding } from '../run-ending.js';
import { type ClearReceipt, receiptPath, writeReceipt } from './clear-receipt.js';
import { ClearRunError } from './clear-run-error.js';
import type { Ctx } from './run-context.js';
import { nameOf, proofOf, succeededFingerprint } from './run-records.js';

export interface ClearRunFailure {
  /** The step the run failed at (a step ID as journaled: 'clear', 'proof', 'ppi-confirmed', ...). */
  step: string;
  /** A stable reason ID: 'disable-clear', 'lockout-auth-blocked', 'wrong-lockout-auth', 'not-proven', ... */
  reason: string;
  message: string;
  /** The TPM's response code ('0x120') when the TPM refused. */
  responseCode?: string;
}

export interface RequestedTransition {
  code: number;
  action: TransitionAction;
}

export interface ClearRunResult {
  runId: string;
  journalPath: string;
  /**
   * 'finished': cleared and proven, run-finished written, receipt filed.
   * 'cleared': cleared and proven, the run kept open (keepOpen) for the post-clear runbook; no receipt yet.
   * 'waiting': (PPI) the request is pending; the machine must restart and someone accept the
   *   firmware prompt (`instruction`); the start-up task resumes the run.
   * 'rejected', 'failed', 'abandoned': the run ended without a proven clear (see `failure`): the
   *   firmware prompt was declined, the clear or its proof failed, or a person abandoned the run
   *   (src/remedy/run-ending.ts, the same word `runs` prints).
   */
  status: 'finished' | 'cleared' | 'waiting' | Exclude<RunEnding, 'finished'>;
  /** What the person must do now, when status is 'waiting'. */
  instruction?: string;
  /**
   * (PPI, status 'waiting') The transition the firmware asked for with the request: its number
   * (Win32_Tpm GetPhysicalPresenceTransition: 0 none, 1 shutdown, 2 restart, 3 unknown;
   * https://learn.microsoft.com/windows/win32/secprov/getphysicalpresencetransition-win32-tpm),
   * or null when it was not read. The fleet clear script shuts down or restarts by it
   * (docs/clear.md, "The firmware's transition").
   */
  transition?: RequestedTransition | null;
  proof: ClearProof | null;
  receipt: ClearReceipt | null;
  receiptPath: string | null;
  failure: ClearRunFailure | null;
}

/**
 * Where the engine stopped, as the clear run's answer: null when every step succeeded; the
 * 'waiting' result; a final failure ends the run (`onFinalFailure` first, then run-abandoned); any
 * other failure throws a resumable ClearRunError.
 */
export async function resultOfStop(
  ctx: Ctx,
  stop: RunStop,
  onFinalFailure?: () => Promise<void>,
): Promise<ClearRunResult | null> {
  switch (stop.status) {
    case 'complete':
      return null;
    case 'waiting':
      return {
        ...ended(ctx),
        status: 'waiting',
        instruction: String(stop.data.instruction),
        ...('transition' in stop.data ? { transition: transitionIn(stop.data.transition) } : {}),
      };
    case 'failed': {
      const found = stop.failure ?? stop.data;
      if (stop.final) {
        await onFinalFailure?.();
        return abandon(
          ctx,
          stop.failure === undefined ? failureOf(stop.step, stop.data) : { step: stop.step, ...stop.failure },
        );
      }
      throw new ClearRunError(
        found.reason === 'srk-unreadable' ? 'srk-unreadable' : 'step-failed',
        String(found.message),
        ctx.journal.path,
      );
    }
  }
}

/** The result of a run kept open after its proof held: no run-finished, no receipt yet. */
export function cleared(ctx: Ctx): ClearRunResult {
  const records = ctx.journal.records();
  return {
    runId: ctx.journal.runId,
    journalPath: ctx.journal.path,
    status: 'cleared',
    proof: proofOf(records),
    receipt: null,
    receiptPath: null,
    failure: null,
  };
}

/** Ends the run with run-abandoned and returns its result. */
function abandon(ctx: Ctx, failure: ClearRunFailure | JsonObject): ClearRunResult {
  ctx.journal.append('run-abandoned', undefined, { ...failure } as JsonObject);
  return ended(ctx);
}

/** Writes run-finished (the proof held) and returns the result with the receipt. */
export function finishRun(ctx: Ctx, data: JsonObject = {}): ClearRunResult {
  ctx.journal.append('run-finished', undefined, {
    ...data,
    proven: true,
    receipt: path.basename(receiptPath(ctx.journalDir, ctx.journal.runId)),
  });
  ctx.point('run-finished');
  return ended(ctx);
}

/**
 * The result of a run that ended, from its journal alone; writes the receipt when the run has a
 * proof. Called on a run still running, it reports 'failed' without a receipt (the callers
 * override the status).
 */
export function ended(ctx: Ctx): ClearRunResult {
  const { journal, journalDir, meta } = ctx;
  const records = journal.records();
  const last = records.at(-1);
  const runId = journal.runId;
  const before = succeededFingerprint(records, 'fingerprint-before');
  const after = succeededFingerprint(records, 'fingerprint-after');
  const proof = proofOf(records);
  let receipt: ClearReceipt | null = null;
  let file: string | null = null;
  const over = last?.kind === 'run-finished' || last?.kind === 'run-abandoned';
  if (over && before !== null && after !== null && proof !== null && last !== undefined) {
    receipt = {
      runId,
      purpose: meta.purpose,
      approvedBy: meta.approvedBy,
      ticket: meta.ticket,
      method: meta.method,
      before: { srkName: nameOf(before.srk), ek: nameOf(before.ek) },
      after: { srkName: nameOf(after.srk), ek: nameOf(after.ek) },
      proof: { proven: proof.proven, checks: proof.checks },
      journalHash: last.hash,
      journalSeq: last.seq,
      finishedAt: last.at,
    };
    file = receiptPath(journalDir, runId);
    writeReceipt(file, receipt);
  }
  const finished = last?.kind === 'run-finished';
  return {
    runId,
    journalPath: journal.path,
    status: runEnding(last) ?? 'failed',
    proof,
    receipt,
    receiptPath: file,
    failure:
      !finished && last?.kind === 'run-abandoned' && last.data !== undefined
        ? failureOf(stepOf(last.data.step), last.data)
        : null,
  };
}

/** A transition as a step journaled it (ppi-requested, ppi-confirmed's wait), or null. */
export function transitionIn(value: unknown): RequestedTransition | null {
  const t = value as { code?: unknown; action?: unknown } | null | undefined;
  return typeof t?.code === 'number' && typeof t.action === 'string'
    ? { code: t.code, action: t.action as TransitionAction }
    : null;
}

/** A failure as a step-failed or run-abandoned record holds it. */
function failureOf(step: string, data: JsonObject): ClearRunFailure {
  const failure: ClearRunFailure = {
    step,
    reason: typeof data.reason === 'string' ? data.reason : 'unknown',
    message: typeof data.message === 'string' ? data.message : '',
  };
  if (typeof data.responseCode === 'string') failure.responseCode = data.responseCode;
  return failure;
}

/**
 * The step a run-abandoned record names. A run abandoned by a person (tpm-doctor abandon) names
 * none: it is reported at the clear, the step the run is about.
 */
function stepOf(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : 'clear';
}
