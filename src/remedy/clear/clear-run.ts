/**
 * The TPM side of `tpm-doctor clear` (issue 4 §1 and §3): a journaled run of five steps,
 *
 *   gate-recorded → fingerprint-before → clear → fingerprint-after → proof → run-finished
 *
 * each written to the run journal before it starts (step-started) and after it ends
 * (step-succeeded / step-failed), so a crash, a reboot or a power cut anywhere resumes where the
 * run stopped (resumeClearRun). The receipt (clear-receipt.ts) is written next to the journal.
 *
 * The one rule that matters: **a clear is sent at most once per run, whatever fails when.** Every
 * step but the clear is idempotent (reading the TPM, recording the gate, computing the proof) and
 * simply runs again after a crash. A clear found in flight (started, no outcome: the crash hit
 * between "clear sent" and "clear recorded") is never re-sent blindly: the resume takes a fresh
 * fingerprint and compares the SRK's Name with fingerprint-before's. TPM2_Clear replaces the
 * storage primary seed (Part 3 §24.6), so the SRK, derived from it and a fixed template (Part 3
 * §24.1), has another Name exactly when a clear happened. Changed: the clear happened, and the step
 * is recorded succeeded. Unchanged: it provably did not, so the step is recorded failed and may be
 * started again. Unreadable: the resume stops and sends nothing.
 *
 * Auth values (lockout, owner, endorsement) are taken as arguments on every call, never journaled
 * (the journal refuses them too: journal-record.ts assertNoSecrets).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { runPowerShell } from '../../system/powershell.js';
import { Clear } from '../../tpm/commands/hierarchy.js';
import { TPM_RH } from '../../tpm/constants/handles.js';
import { hex32 } from '../../tpm/constants/lookup.js';
import { createEk } from '../../tpm/ek/read-endorsement-keys.js';
import { ekTemplate } from '../../tpm/ek/templates.js';
import { TpmDoctorError } from '../../tpm/errors.js';
import { TpmError } from '../../tpm/rc/tpm-error.js';
import { password } from '../../tpm/session/password.js';
import type { Tpm } from '../../tpm/tpm.js';
import {
  type ClearFingerprint,
  type NameReading,
  takeClearFingerprint,
} from '../../verify/clear-fingerprint.js';
import { type ClearProof, proveClear } from '../../verify/clear-proof.js';
import { type JournalRecord, type JsonObject, RunJournal, readJournal, stepOutcome } from '../journal.js';
import type { PpiTarget } from '../platform/ppi.js';
import type { StartupTaskDeps } from '../platform/startup-task.js';
import type { ClearPurpose, GateResult } from '../preflight/gate.js';
import { type ClearReceipt, receiptPath, writeReceipt } from './clear-receipt.js';
import { type ClearMethodTpm, explainClearRefusal } from './clear-refusal.js';

export const CLEAR_STEPS = [
  'gate-recorded',
  'fingerprint-before',
  'clear',
  'fingerprint-after',
  'proof',
] as const;
export type ClearStep = (typeof CLEAR_STEPS)[number];

/**
 * The physical-presence route (ppi-run.ts), in the same journal format: the firmware clears the
 * TPM during the restart, so the clear itself is not a step of ours; ppi-confirmed reads what the
 * firmware did and checks the SRK Name.
 */
export const PPI_STEPS = [
  'gate-recorded',
  'fingerprint-before',
  'ppi-requested',
  'resume-task-installed',
  'ppi-confirmed',
  'fingerprint-after',
  'proof',
] as const;
export type PpiClearStep = (typeof PPI_STEPS)[number];

/** Written just before run-finished when the run removes its start-up task (ppi-run.ts, complete-run.ts). */
export const TASK_REMOVED_STEP = 'resume-task-removed';

/** Any step of a clear run, by either route. */
export type RunStep = ClearStep | PpiClearStep | typeof TASK_REMOVED_STEP;

/**
 * Named points of a run, for crash tests: right after a step's step-started is on disk, right after
 * its work succeeded but before its step-succeeded is written, and right after run-finished (before
 * the receipt). 'clear:done' is the gap between "clear sent" and "clear recorded".
 */
export type ClearRunPoint = `${RunStep}:started` | `${RunStep}:done` | 'run-finished';

/** The kind recorded in run-started meta, so resume refuses a journal of another kind of run. */
export const RUN_KIND = 'tpm-doctor clear';

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

export interface StartClearRunOptions extends CommonOptions {
  /** Directory of the run journals; the journal is `<journalDir>/<runId>.jsonl`. */
  journalDir: string;
  /** The preflight gate's result, already evaluated; a run starts only when it passed. */
  gate: GateResult;
  method: ClearMethodTpm;
  purpose: ClearPurpose;
  approvedBy?: string;
  ticket?: string;
  /** Default: `clear-<UTC time>-<6 hex digits>`. */
  runId?: string;
  /**
   * The URI of the TPM the run is for (the CLI's --tpm), recorded in the run's meta as `tpm`, so a
   * resume can use the same one (recordedTpmUri). Informational: a resume checks the TPM's identity
   * by its EK Name whatever URI it was given.
   */
  tpmUri?: string;
}

export interface ResumeClearRunOptions extends CommonOptions {
  journalPath: string;
  /**
   * For a run of method 'ppi' (resumeClearRun hands it to resumePpiRun): where the firmware's
   * response is read. Default: this machine's (Linux sysfs, or Win32_Tpm through PowerShell).
   */
  ppi?: PpiTarget;
  /** For a run of method 'ppi': how its start-up task is removed at the end (default: the real systemctl / schtasks). */
  taskDeps?: StartupTaskDeps;
}

export interface ClearRunFailure {
  step: RunStep;
  /** A stable reason ID: 'disable-clear', 'lockout-auth-blocked', 'wrong-lockout-auth', 'not-proven', ... */
  reason: string;
  message: string;
  /** The TPM's response code ('0x120') when the TPM refused. */
  responseCode?: string;
}

export interface ClearRunResult {
  runId: string;
  journalPath: string;
  /**
   * 'finished': cleared and proven, run-finished written, receipt filed.
   * 'cleared': cleared and proven, the run kept open (keepOpen) for the post-clear runbook; no receipt yet.
   * 'waiting': (PPI) the request is pending; the machine must restart and someone accept the
   *   firmware prompt (`instruction`); the start-up task resumes the run.
   * 'failed': the run ended without a proven clear (see `failure`).
   */
  status: 'finished' | 'cleared' | 'waiting' | 'failed';
  /** What the person must do now, when status is 'waiting'. */
  instruction?: string;
  proof: ClearProof | null;
  receipt: ClearReceipt | null;
  receiptPath: string | null;
  failure: ClearRunFailure | null;
}

export type ClearRunErrorCode =
  | 'gate-not-passed'
  | 'bad-options'
  | 'not-a-clear-run'
  | 'srk-unreadable'
  | 'clear-outcome-unknown'
  | 'ppi-outcome-unknown'
  | 'not-cleared-yet'
  | 'step-failed'
  | 'wrong-tpm'
  | 'tpm-unverifiable'
  | 'tpm-unreachable';

/**
 * The run could not start, or stopped where it can be resumed (the journal says where). Nothing
 * unsafe happened: in particular 'clear-outcome-unknown' leaves the clear in flight, for the
 * resume to check against the TPM.
 */
export class ClearRunError extends TpmDoctorError {
  override readonly code: ClearRunErrorCode;
  readonly journalPath: string | undefined;
  constructor(code: ClearRunErrorCode, message: string, journalPath?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.code = code;
    this.journalPath = journalPath;
  }
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

/** @internal Shared with ppi-run.ts and complete-run.ts. */
export interface Ctx {
  tpm: Tpm;
  journal: RunJournal;
  journalDir: string;
  meta: RunMeta;
  auth: CommonOptions;
  keepOpen: boolean;
  point: (p: ClearRunPoint) => void;
}

/** @internal The result of one step's work. */
export type Work =
  | { ok: true; data: JsonObject }
  | { ok: false; final: boolean; failure: Omit<ClearRunFailure, 'step'>; data?: JsonObject }
  | { ok: false; waiting: true; message: string; instruction: string; data?: JsonObject };

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * Starts a clear run and drives it to its end. Refuses (ClearRunError 'gate-not-passed', no
 * journal, nothing sent to the TPM) unless `gate.passed`. Returns 'finished' with the proof and the
 * receipt, or 'failed' when the TPM refused the clear or the proof does not hold (the run is then
 * ended: run-abandoned). Throws ClearRunError when the run stopped where it can be resumed.
 */
export async function startClearRun(options: StartClearRunOptions): Promise<ClearRunResult> {
  const { gate, method } = options;
  if (method !== 'lockout' && method !== 'platform') {
    throw new ClearRunError(
      'bad-options',
      `expected method 'lockout' or 'platform', found ${JSON.stringify(method)} (the PPI route is a runbook of its own)`,
    );
  }
  if (!gate.passed) {
    const blocking = gate.checks.filter((c) => c.status !== 'pass');
    throw new ClearRunError(
      'gate-not-passed',
      'The preflight gate did not pass, so the clear run does not start and nothing on the TPM changes. ' +
        (blocking.length === 0
          ? 'The gate reported passed: false.'
          : `Blocking: ${blocking.map((c) => `${c.id} (${c.status}): ${c.message}`).join('; ')}`),
    );
  }
  const runId = options.runId ?? newRunId();
  const meta: JsonObject = {
    kind: RUN_KIND,
    method,
    purpose: options.purpose,
    approvedBy: options.approvedBy ?? null,
    ticket: options.ticket ?? null,
    gate: JSON.parse(JSON.stringify(gate)) as JsonObject,
    ...(options.keepOpen === true ? { keepOpen: true } : {}),
    ...(options.tpmUri === undefined ? {} : { tpm: options.tpmUri }),
  };
  const journal = RunJournal.create(options.journalDir, runId, meta);
  try {
    return await drive(context(options, journal, options.journalDir, ['lockout', 'platform']));
  } finally {
    journal.close();
  }
}

/**
 * Resumes a run from its journal after a crash, a reboot or a power cut: checks that the TPM is
 * the run's (verifySameTpm: 'wrong-tpm' otherwise, before anything reaches the TPM), settles the
 * step in flight (see the module comment for the clear), runs the remaining steps, and finishes. On
 * a run that already ended it sends nothing to the TPM and returns its result (writing the receipt
 * again if a crash came before it was written). The journal's lock is held throughout: a run
 * another live process is resuming is refused (RunLockedError from RunJournal.open).
 */
export async function resumeClearRun(options: ResumeClearRunOptions): Promise<ClearRunResult> {
  const journal = RunJournal.open(options.journalPath);
  try {
    if (methodOf(journal) === 'ppi') {
      // The physical-presence route has its own steps; the same `tpm-doctor resume` drives it,
      // in the same open journal (so the lock is never let go in between).
      const { resumePpiJournal } = await import('./ppi-run.js');
      return await resumePpiJournal(journal, {
        ...options,
        ppi: options.ppi ?? defaultPpiTarget(),
        ...(options.taskDeps === undefined ? {} : { taskDeps: options.taskDeps }),
      });
    }
    const ctx = context(options, journal, path.dirname(options.journalPath), ['lockout', 'platform']);
    if (journal.state().status === 'running') await verifySameTpm(ctx);
    return await drive(ctx);
  } finally {
    journal.close();
  }
}

/**
 * The TPM URI the run was started with (meta.tpm: startClearRun / startPpiRun `tpmUri`), or null
 * when it recorded none (an older run, or a caller that gave none). Reads the journal without
 * taking its lock. Throws when the file cannot be read.
 */
export function recordedTpmUri(journalPath: string): string | null {
  const first = readJournal(journalPath).records[0];
  if (first?.kind !== 'run-started') return null;
  const uri = (first.data.meta as Record<string, unknown>).tpm;
  return typeof uri === 'string' ? uri : null;
}

/**
 * @internal Before a resume touches the TPM: checks that it is the TPM the run fingerprinted, by
 * the Name of its L-1 EK (derived from the endorsement primary seed, which TPM2_Clear keeps, so it
 * is the same before and after a clear, and different on any other TPM). Throws ClearRunError
 * 'wrong-tpm' on a mismatch, having sent the TPM nothing but the EK's TPM2_CreatePrimary and
 * TPM2_FlushContext and written nothing to the journal. Before fingerprint-before succeeded the run
 * has changed nothing on any TPM, so there is nothing to check.
 */
export async function verifySameTpm(ctx: Ctx): Promise<void> {
  const { journal } = ctx;
  const before = succeededFingerprint(journal.records(), 'fingerprint-before');
  if (before === null) return;
  const where = ctx.meta.tpm === undefined ? '' : ` (started on ${ctx.meta.tpm})`;
  const expected = nameOf(before.ek);
  if (expected === null) {
    // No EK Name was recorded (the EK could not be made then): fall back on the EK certificates,
    // which are as unique; with neither there is no way to tell this TPM from another.
    const certsBefore = certificateHashes(before);
    if (certsBefore.length === 0) {
      throw new ClearRunError(
        'tpm-unverifiable',
        `${journal.path}: this run${where} recorded neither an EK Name (${'error' in before.ek ? before.ek.error : 'none'}) ` +
          'nor an EK certificate before the clear, so it cannot check that the TPM it is given now is the same one; ' +
          'nothing was sent to it. Check the TPM by hand, then abandon the run (tpm-doctor abandon).',
        journal.path,
      );
    }
    const now = await takeClearFingerprint(ctx.tpm, fingerprintAuth(ctx.auth)).catch((e: unknown) => {
      throw unreachable(journal.path, 'The EK certificates', e);
    });
    const certsNow = certificateHashes(now);
    if (!certsBefore.some((h) => certsNow.includes(h))) {
      throw new ClearRunError(
        'wrong-tpm',
        `${journal.path}: this is not the TPM this run was started on${where}: expected an EK certificate with ` +
          `SHA-256 ${certsBefore.join(' or ')}, found ${certsNow.length === 0 ? 'none' : certsNow.join(', ')}. ` +
          'Nothing was sent to it and the journal is unchanged; resume the run against its own TPM.',
        journal.path,
      );
    }
    return;
  }
  const found = await ekNameNow(ctx);
  if ('error' in found) {
    throw new ClearRunError(
      'tpm-unverifiable',
      `${journal.path}: the EK cannot be made on the TPM given now (${found.error}), so it cannot be checked to be ` +
        `the TPM this run was started on${where} (EK Name ${expected}); nothing was sent to it. If the endorsement ` +
        'hierarchy has an authorization value, resume with it.',
      journal.path,
    );
  }
  if (found.name !== expected) {
    throw new ClearRunError(
      'wrong-tpm',
      `${journal.path}: this is not the TPM this run was started on${where}: expected EK Name ${expected} ` +
        `(recorded by fingerprint-before), found ${found.name}. Nothing was sent to it and the journal is ` +
        'unchanged; resume the run against its own TPM.',
      journal.path,
    );
  }
}

/** The L-1 EK's Name now: the given endorsement auth, then the empty one (what a clear leaves). */
async function ekNameNow(ctx: Ctx): Promise<NameReading> {
  const given = ctx.auth.endorsementAuth;
  let last = '';
  for (const auth of given === undefined ? [undefined] : [given, undefined]) {
    try {
      const { name } = await createEk(ctx.tpm, ekTemplate('L-1').publicArea(), {
        handle: TPM_RH.ENDORSEMENT,
        session: password(auth),
      });
      return { name: Buffer.from(name).toString('hex') };
    } catch (e) {
      // The TPM answered (a wrong auth value, a disabled hierarchy): try the next value.
      if (!(e instanceof TpmError)) throw unreachable(ctx.journal.path, 'The EK', e);
      last = e.message;
    }
  }
  return { error: last };
}

function certificateHashes(print: ClearFingerprint): string[] {
  return print.ekCertificates.flatMap((c) => (c.sha256 === undefined ? [] : [c.sha256]));
}

/** @internal The TPM did not answer (a transport error, not a TPM response code): resumable. */
export function unreachable(journalPath: string, what: string, e: unknown): ClearRunError {
  if (e instanceof ClearRunError) return e;
  return new ClearRunError(
    'tpm-unreachable',
    `${what} could not be read: the TPM did not answer (${e instanceof Error ? e.message : String(e)}). ` +
      'Nothing was decided from it; resume the run once the TPM answers.',
    journalPath,
    { cause: e },
  );
}

/** Same as resumeClearRun: dispatches on the journal's method (lockout, platform or ppi). */
export const resumeRun = resumeClearRun;

/** This machine's physical-presence interface: Linux sysfs, or Win32_Tpm through PowerShell. */
export function defaultPpiTarget(): PpiTarget {
  return process.platform === 'win32'
    ? { platform: 'win32', powershell: runPowerShell }
    : { platform: 'linux' };
}

function methodOf(journal: RunJournal): unknown {
  const first = journal.records()[0];
  return first?.kind === 'run-started' ? (first.data.meta as Record<string, unknown>).method : undefined;
}

/**
 * Ends a clear run whose proof holds (one kept open with keepOpen, after its post-clear runbook):
 * writes run-finished and the receipt, chained to the journal's last record. On a run that already
 * finished it writes nothing and returns its result (writing the receipt again if it is missing).
 * Throws ClearRunError 'not-cleared-yet' when the proof has not succeeded or a step is in flight,
 * and returns the failed result of an abandoned run.
 */
export function finishClearRun(journal: RunJournal | string, data: JsonObject = {}): ClearRunResult {
  const opened = typeof journal === 'string' ? RunJournal.open(journal) : null;
  const j = opened ?? (journal as RunJournal);
  try {
    const ctx = context({ tpm: undefined as unknown as Tpm }, j, path.dirname(j.path), [
      'lockout',
      'platform',
      'ppi',
    ]);
    const state = j.state();
    if (state.status !== 'running') return ended(ctx);
    if (stepOutcome(j.records(), 'proof') !== 'succeeded' || state.inFlight !== null) {
      throw new ClearRunError(
        'not-cleared-yet',
        `${j.path}: the run cannot finish yet: ${
          state.inFlight !== null
            ? `step ${state.inFlight} is in flight (resume the run first)`
            : 'its proof has not succeeded (resume the clear run first)'
        }`,
        j.path,
      );
    }
    return finishRun(ctx, data);
  } finally {
    opened?.close();
  }
}

/** @internal Writes run-finished (the proof held) and returns the result with the receipt. */
export function finishRun(ctx: Ctx, data: JsonObject = {}): ClearRunResult {
  ctx.journal.append('run-finished', undefined, {
    ...data,
    proven: true,
    receipt: path.basename(receiptPath(ctx.journalDir, ctx.journal.runId)),
  });
  ctx.point('run-finished');
  return ended(ctx);
}

function newRunId(): string {
  const at = new Date().toISOString().replace(/[-:.]/g, '');
  return `clear-${at}-${randomBytes(3).toString('hex')}`;
}

/** @internal The run's context, after checking that the journal is a clear run of one of `methods`. */
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

// ---------------------------------------------------------------------------------------------
// The driver

async function drive(ctx: Ctx): Promise<ClearRunResult> {
  const { journal } = ctx;
  if (journal.state().status !== 'running') return ended(ctx);
  for (const step of CLEAR_STEPS) {
    let outcome = stepOutcome(journal.records(), step);
    if (outcome === 'in-flight') outcome = await settleInFlight(ctx, step);
    if (outcome === 'succeeded') continue;
    if (outcome === 'failed') {
      // A failure recorded as final (the TPM refused the clear, the proof did not hold) ends the
      // run; a crash between that step-failed and run-abandoned lands here.
      const last = lastData(journal.records(), step, 'step-failed');
      if (last?.final === true) return abandon(ctx, failureOf(step, last));
    }
    const done = await runStep(ctx, step, () => doStep(ctx, step), startedData(ctx, step));
    if (done !== null) return done;
  }
  if (ctx.keepOpen) return cleared(ctx);
  return finishRun(ctx);
}

/**
 * @internal Runs one step, journaled before and after. Returns null when it succeeded, the result
 * when the run ended (or waits, for a waiting step).
 */
export async function runStep(
  ctx: Ctx,
  step: RunStep,
  doWork: () => Promise<Work>,
  started?: JsonObject,
  onFinalFailure?: () => Promise<void>,
): Promise<ClearRunResult | null> {
  const { journal } = ctx;
  journal.append('step-started', step, started);
  ctx.point(`${step}:started`);
  let work: Work;
  try {
    work = await doWork();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (step === 'ppi-requested') {
      // The request may have reached the firmware: leave it in flight, for the resume to read the
      // pending request back before anything is written again.
      if (e instanceof ClearRunError) throw e;
      throw new ClearRunError(
        'ppi-outcome-unknown',
        `The physical-presence request may or may not have reached the firmware (${message}); it will not be ` +
          'written again blindly: resume the run, which reads the pending request back first.',
        journal.path,
        { cause: e },
      );
    }
    if (step === 'clear') {
      // Not a TPM answer (those are handled in doStep): the connection broke or timed out, and the
      // clear may or may not have run. Leave it in flight: the resume checks the TPM.
      throw new ClearRunError(
        'clear-outcome-unknown',
        `The clear was sent but no answer came back (${message}); whether the TPM cleared is not known yet. ` +
          'It will not be sent again blindly: resume the run, which checks the SRK Name against the one ' +
          'recorded before the clear.',
        journal.path,
        { cause: e },
      );
    }
    tryAppend(journal, 'step-failed', step, {
      final: false,
      reason: e instanceof ClearRunError ? e.code : 'error',
      message,
    });
    // A ClearRunError already says what happened and that the run can be resumed.
    if (e instanceof ClearRunError) throw e;
    throw new ClearRunError(
      'step-failed',
      `Step ${step} failed: ${message}. Nothing unsafe happened; resume the run to try it again.`,
      journal.path,
      { cause: e },
    );
  }
  if (work.ok) {
    ctx.point(`${step}:done`);
    journal.append('step-succeeded', step, work.data);
    return null;
  }
  if ('waiting' in work) {
    journal.append('step-failed', step, {
      ...work.data,
      waiting: true,
      final: false,
      message: work.message,
      instruction: work.instruction,
    });
    return { ...ended(ctx), status: 'waiting', instruction: work.instruction };
  }
  journal.append('step-failed', step, { ...work.data, ...work.failure, final: work.final });
  if (work.final) {
    await onFinalFailure?.();
    return abandon(ctx, { step, ...work.failure });
  }
  throw new ClearRunError(
    work.failure.reason === 'srk-unreadable' ? 'srk-unreadable' : 'step-failed',
    work.failure.message,
    journal.path,
  );
}

/** Data of a step's step-started record. */
function startedData(ctx: Ctx, step: ClearStep): JsonObject | undefined {
  if (ctx.meta.method === 'ppi') return undefined;
  if (step !== 'clear') return undefined;
  const before = succeededFingerprint(ctx.journal.records(), 'fingerprint-before');
  return {
    method: ctx.meta.method,
    authHandle: hex32(authHandleOf(ctx.meta.method)),
    srkBefore: before === null ? null : nameOf(before.srk),
  };
}

/** @internal The work of a step both routes share. */
export function doSharedStep(
  ctx: Ctx,
  step: 'gate-recorded' | 'fingerprint-before' | 'fingerprint-after' | 'proof',
): Promise<Work> {
  return doStep(ctx, step);
}

async function doStep(ctx: Ctx, step: ClearStep): Promise<Work> {
  switch (step) {
    case 'gate-recorded': {
      const { gate } = ctx.meta;
      if (!gate.passed) {
        return {
          ok: false,
          final: true,
          failure: {
            reason: 'gate-not-passed',
            message: 'The preflight gate recorded for this run did not pass.',
          },
        };
      }
      return {
        ok: true,
        data: {
          passed: true,
          checks: gate.checks.map((c) => ({ id: c.id, status: c.status, message: c.message })),
          inventory: JSON.parse(JSON.stringify(gate.inventory)) as JsonObject,
        },
      };
    }
    case 'fingerprint-before': {
      const print = await takeClearFingerprint(ctx.tpm, fingerprintAuth(ctx.auth));
      if (!('name' in print.srk)) {
        return {
          ok: false,
          final: false,
          failure: {
            reason: 'srk-unreadable',
            message:
              `The SRK could not be made before the clear (${print.srk.error}), so a crash during the clear could ` +
              'not be told apart from a clear that never happened; the clear is not sent. If owner authorization ' +
              'is set, resume the run with the owner authorization value.',
          },
        };
      }
      return { ok: true, data: { fingerprint: asJson(print) } };
    }
    case 'clear':
      return sendClear(ctx);
    case 'fingerprint-after': {
      // TPM2_Clear empties ownerAuth and endorsementAuth (Part 3 §24.6): read with empty values.
      const print = await takeClearFingerprint(ctx.tpm);
      return { ok: true, data: { fingerprint: asJson(print) } };
    }
    case 'proof': {
      const records = ctx.journal.records();
      const before = succeededFingerprint(records, 'fingerprint-before');
      const after = succeededFingerprint(records, 'fingerprint-after');
      if (before === null || after === null)
        throw new Error('the journal has no fingerprint before or after');
      const proof = proveClear(before, after);
      if (proof.proven) return { ok: true, data: { proof: asJson(proof) } };
      const failed = proof.checks.filter((c) => !c.passed);
      return {
        ok: false,
        final: true,
        data: { proof: asJson(proof) },
        failure: {
          reason: 'not-proven',
          message:
            'The clear could not be proven: ' +
            failed.map((c) => `${c.id}: expected ${c.expected}, found ${c.actual}`).join('; '),
        },
      };
    }
  }
}

function authHandleOf(method: ClearMethodTpm | 'ppi'): number {
  return method === 'lockout' ? TPM_RH.LOCKOUT : TPM_RH.PLATFORM;
}

/** TPM2_Clear (Part 3 §24.6) with the method's authorization, in a password session. */
async function sendClear(ctx: Ctx): Promise<Work> {
  const { method } = ctx.meta;
  if (method === 'ppi') throw new Error('a run of method ppi sends no TPM2_Clear');
  const value = method === 'lockout' ? ctx.auth.lockoutAuth : undefined;
  try {
    await ctx.tpm.run(Clear, { authHandle: { handle: authHandleOf(method), session: password(value) } });
  } catch (e) {
    if (!(e instanceof TpmError)) throw e;
    // The TPM answered with an error: the clear had no effect (Part 1 §18.9). Final for the run.
    const refusal = await explainClearRefusal(e, method, ctx.tpm);
    return { ok: false, final: true, failure: refusal };
  }
  return { ok: true, data: { method, authHandle: hex32(authHandleOf(method)) } };
}

/**
 * A step found in flight on resume. Every step but the clear is idempotent: record that it was
 * interrupted (failed) so it runs again. The clear is checked against the TPM (module comment).
 */
async function settleInFlight(ctx: Ctx, step: ClearStep): Promise<'succeeded' | 'failed'> {
  const { journal } = ctx;
  if (step !== 'clear') {
    journal.append('step-failed', step, {
      final: false,
      reason: 'interrupted',
      message: 'interrupted before its outcome was recorded; the step is idempotent and runs again',
    });
    return 'failed';
  }
  const before = succeededFingerprint(journal.records(), 'fingerprint-before');
  const srkBefore = before === null ? null : nameOf(before.srk);
  if (srkBefore === null) {
    throw new ClearRunError(
      'clear-outcome-unknown',
      'The clear is in flight but the journal has no SRK Name from before it; the clear is not sent again. ' +
        'Check the TPM by hand, then abandon the run.',
      journal.path,
    );
  }
  const now = await takeClearFingerprint(ctx.tpm, fingerprintAuth(ctx.auth));
  const srkNow = nameOf(now.srk);
  if (srkNow === null) {
    throw new ClearRunError(
      'clear-outcome-unknown',
      `The clear is in flight and the SRK cannot be made now (${'error' in now.srk ? now.srk.error : ''}), so ` +
        'whether the TPM cleared is not known; the clear is not sent again. If owner authorization is set ' +
        '(the clear did not happen), resume with the owner authorization value.',
      journal.path,
    );
  }
  if (srkNow !== srkBefore) {
    journal.append('step-succeeded', step, {
      note: 'confirmed by SRK Name after a crash',
      srkBefore,
      srkNow,
      // The TPM's own record (Part 3 §24.6 zeroes clock and resetCount): corroboration, not the test.
      countersWentBack:
        BigInt(now.clock.clock) < BigInt(before?.clock.clock ?? '0') ||
        now.clock.resetCount < (before?.clock.resetCount ?? 0),
    });
    return 'succeeded';
  }
  journal.append('step-failed', step, {
    final: false,
    reason: 'not sent before the crash',
    message:
      'the SRK Name is the one from before the clear: the TPM was not cleared, so the clear runs again',
    srkNow,
  });
  return 'failed';
}

/** @internal The result of a run kept open after its proof held: no run-finished, no receipt yet. */
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

/** @internal Ends the run with run-abandoned and returns its result. */
export function abandon(ctx: Ctx, failure: ClearRunFailure): ClearRunResult {
  ctx.journal.append('run-abandoned', undefined, { ...failure });
  return ended(ctx);
}

/**
 * @internal The result of a run that ended, from its journal alone; writes the receipt when the run
 * has a proof. Called on a run still running, it reports 'failed' without a receipt (the callers
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
    status: finished ? 'finished' : 'failed',
    proof,
    receipt,
    receiptPath: file,
    failure:
      !finished && last?.kind === 'run-abandoned' && last.data !== undefined
        ? failureOf(stepOf(last.data.step), last.data)
        : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the journal back

/** @internal The data of the last `kind` record of `step` (a step record), if there is one. */
export function lastData(
  records: readonly JournalRecord[],
  step: RunStep,
  kind: 'step-succeeded' | 'step-failed',
): JsonObject | undefined {
  const r = records.findLast((x) => x.step === step && x.kind === kind);
  return r?.kind === kind ? r.data : undefined;
}

/** @internal */
export function succeededFingerprint(
  records: readonly JournalRecord[],
  step: RunStep,
): ClearFingerprint | null {
  const data = lastData(records, step, 'step-succeeded');
  return (data?.fingerprint as unknown as ClearFingerprint | undefined) ?? null;
}

/** The proof recorded by the proof step, whether it held (step-succeeded) or not (step-failed). */
function proofOf(records: readonly JournalRecord[]): ClearProof | null {
  const data = lastData(records, 'proof', 'step-succeeded') ?? lastData(records, 'proof', 'step-failed');
  return (data?.proof as unknown as ClearProof | undefined) ?? null;
}

/** @internal */
export function failureOf(step: RunStep, data: JsonObject): ClearRunFailure {
  const failure: ClearRunFailure = {
    step,
    reason: typeof data.reason === 'string' ? data.reason : 'unknown',
    message: typeof data.message === 'string' ? data.message : '',
  };
  if (typeof data.responseCode === 'string') failure.responseCode = data.responseCode;
  return failure;
}

function stepOf(value: unknown): RunStep {
  return (CLEAR_STEPS as readonly unknown[]).includes(value) ||
    (PPI_STEPS as readonly unknown[]).includes(value) ||
    value === TASK_REMOVED_STEP
    ? (value as RunStep)
    : 'clear';
}

/** @internal */
export function nameOf(reading: NameReading): string | null {
  return 'name' in reading ? reading.name : null;
}

/** @internal */
export function fingerprintAuth(auth: CommonOptions): {
  ownerAuth?: string | Uint8Array;
  endorsementAuth?: string | Uint8Array;
} {
  return {
    ...(auth.ownerAuth === undefined ? {} : { ownerAuth: auth.ownerAuth }),
    ...(auth.endorsementAuth === undefined ? {} : { endorsementAuth: auth.endorsementAuth }),
  };
}

function asJson(value: ClearFingerprint | ClearProof): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

/** @internal Appends, swallowing a failure: used on an error path, where the original error matters more. */
export function tryAppend(journal: RunJournal, kind: 'step-failed', step: RunStep, data: JsonObject): void {
  try {
    journal.append(kind, step, data);
  } catch {
    // The step stays in flight; the resume records it as interrupted and runs it again.
  }
}
