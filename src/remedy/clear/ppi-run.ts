/**
 * The physical-presence route of `tpm-doctor clear --method ppi` (issue 4 §1) as a run in the same
 * journal format as clear-run.ts (meta.method 'ppi'):
 *
 *   gate-recorded → fingerprint-before → ppi-requested → resume-task-installed
 *     … the machine restarts; the firmware asks the person at the machine …
 *   ppi-confirmed → fingerprint-after → proof → [keepOpen: 'cleared'] → resume-task-removed → run-finished
 *
 * The firmware, not tpm-doctor, clears the TPM, so the one proof that it happened is the SRK Name:
 * ppi-confirmed reads the firmware's response and requires the SRK Name to differ from
 * fingerprint-before's. A response of success with the SRK unchanged fails the run ('not-proven').
 *
 * **The request is written at most once per run.** A ppi-requested found in flight after a crash
 * (or whose call failed after the write may have happened) is settled by reading the pending request
 * back (ppi/request, Win32_Tpm.GetPhysicalPresenceRequest): a clear operation pending means the
 * request is in; nothing pending and the SRK unchanged means it was not acted on, and then the
 * firmware's response is read: if it reports that a clear was declined or failed (the request did
 * go in, the machine restarted and the person said no), the run ends with that message; only when
 * it reports neither is the request written again. If the pending request, the SRK or the response
 * cannot be read, nothing is written.
 *
 * Only a readable, unchanged SRK Name proves that the TPM was not cleared: an SRK that cannot be
 * made (the TPM did not answer, or refused with the values given) stops the run where it can be
 * resumed ('tpm-unreachable', 'srk-unreadable'), never as 'not-proven'.
 *
 * Every resume first checks that the TPM is the run's (verifySameTpm, clear-run.ts).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { FlushContext } from '../../tpm/commands/context.js';
import { CreatePrimary } from '../../tpm/commands/hierarchy.js';
import { TPM_RH } from '../../tpm/constants/handles.js';
import { TpmError } from '../../tpm/rc/tpm-error.js';
import { password } from '../../tpm/session/password.js';
import type { Tpm } from '../../tpm/tpm.js';
import { srkTemplate } from '../../verify/clear-fingerprint.js';
import { type JsonObject, RunJournal, stepOutcome } from '../journal.js';
import {
  type PpiRequestResult,
  type PpiResponse,
  type PpiTarget,
  readPendingPhysicalPresenceRequest,
  readPhysicalPresenceResponse,
  requestPhysicalPresenceClear,
} from '../platform/ppi.js';
import { PPI_CLEAR, PPI_ENABLE_CLEAR, transitionOf } from '../platform/ppi-codes.js';
import { PpiError } from '../platform/ppi-error.js';
import type { StartupTaskDeps } from '../platform/startup-task.js';
import type { ClearPurpose, GateResult } from '../preflight/gate.js';
import {
  abandon,
  ClearRunError,
  type ClearRunResult,
  type CommonOptions,
  type Ctx,
  cleared,
  context,
  doSharedStep,
  ended,
  failureOf,
  finishRun,
  lastData,
  nameOf,
  PPI_STEPS,
  type PpiClearStep,
  RUN_KIND,
  runStep,
  succeededFingerprint,
  unreachable,
  verifySameTpm,
  type Work,
} from './clear-run.js';
import {
  installTaskStep,
  type ResumeTaskCommand,
  removeTaskQuietly,
  removeTaskStep,
  settleIdempotent,
  type TaskPlatform,
  thisPlatform,
} from './task-step.js';

export interface StartPpiRunOptions extends CommonOptions {
  /** Directory of the run journals; the journal is `<journalDir>/<runId>.jsonl`. */
  journalDir: string;
  /** The preflight gate's result (evaluated for method 'ppi'); a run starts only when it passed. */
  gate: GateResult;
  purpose: ClearPurpose;
  approvedBy?: string;
  ticket?: string;
  /** Default: `clear-<UTC time>-<6 hex digits>`. */
  runId?: string;
  /** Where the request goes: Linux sysfs (root, files, operation) or Win32_Tpm (a PowerShell runner). No dryRun. */
  ppi: PpiTarget;
  /** The start-up task that resumes the run after the restart. */
  task: ResumeTaskCommand;
  /** How the task is installed and removed (default: the real systemctl / schtasks). */
  taskDeps?: StartupTaskDeps;
  /** The URI of the TPM the run is for, recorded in meta as `tpm` (see StartClearRunOptions.tpmUri). */
  tpmUri?: string;
}

export interface ResumePpiRunOptions extends CommonOptions {
  journalPath: string;
  /** Where the response and the pending request are read (the same machine as the request). */
  ppi: PpiTarget;
  taskDeps?: StartupTaskDeps;
}

/** Operations that clear the TPM (ppi-codes.ts: EDK2 runs TPM2_Clear for 5, 14, 21 and 22). */
const CLEAR_OPERATIONS = new Set([PPI_CLEAR, PPI_ENABLE_CLEAR, 21, 22]);

interface PpiExtra {
  ppi: PpiTarget;
  task: ResumeTaskCommand & { platform: TaskPlatform };
  taskDeps: StartupTaskDeps | undefined;
}

/**
 * Starts a PPI clear run: records the gate, fingerprints the TPM, submits the request, installs the
 * start-up task, and returns 'waiting' with what the person must do (restart, accept the prompt).
 * Refuses (ClearRunError 'gate-not-passed' or 'bad-options', no journal) before anything changes.
 */
export async function startPpiRun(options: StartPpiRunOptions): Promise<ClearRunResult> {
  const { gate } = options;
  if (options.ppi.dryRun === true) {
    throw new ClearRunError('bad-options', 'a PPI run cannot be a dry run: use the preflight gate for that');
  }
  if (!gate.passed) {
    const blocking = gate.checks.filter((c) => c.status !== 'pass');
    throw new ClearRunError(
      'gate-not-passed',
      'The preflight gate did not pass, so the clear run does not start and nothing is requested. ' +
        (blocking.length === 0
          ? 'The gate reported passed: false.'
          : `Blocking: ${blocking.map((c) => `${c.id} (${c.status}): ${c.message}`).join('; ')}`),
    );
  }
  const platform = options.task.platform ?? options.ppi.platform;
  const runId =
    options.runId ??
    `clear-${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
  const meta: JsonObject = {
    kind: RUN_KIND,
    method: 'ppi',
    purpose: options.purpose,
    approvedBy: options.approvedBy ?? null,
    ticket: options.ticket ?? null,
    gate: JSON.parse(JSON.stringify(gate)) as JsonObject,
    ppi: {
      platform: options.ppi.platform,
      operation: options.ppi.operation ?? null,
      ...(options.ppi.platform === 'linux' && options.ppi.sysfsRoot !== undefined
        ? { sysfsRoot: options.ppi.sysfsRoot }
        : {}),
    },
    task: { nodePath: options.task.nodePath, cliPath: options.task.cliPath, platform },
    ...(options.keepOpen === true ? { keepOpen: true } : {}),
    ...(options.tpmUri === undefined ? {} : { tpm: options.tpmUri }),
  };
  const journal = RunJournal.create(options.journalDir, runId, meta);
  try {
    const ctx = context(options, journal, options.journalDir, ['ppi']);
    return await drivePpi(
      ctx,
      { ppi: options.ppi, task: { ...options.task, platform }, taskDeps: options.taskDeps },
      'start',
    );
  } finally {
    journal.close();
  }
}

/**
 * Resumes a PPI run (after the restart, or a crash): settles the step in flight, reads what the
 * firmware did, proves the clear, and finishes (or returns 'cleared' with keepOpen). Before the
 * firmware has acted it returns 'waiting'. On a run that already ended it sends nothing, removes a
 * leftover start-up task, and returns its result.
 */
export async function resumePpiRun(options: ResumePpiRunOptions): Promise<ClearRunResult> {
  const journal = RunJournal.open(options.journalPath);
  try {
    return await resumePpiJournal(journal, options);
  } finally {
    journal.close();
  }
}

/**
 * @internal resumePpiRun on a journal already open (resumeClearRun hands its own over, so the
 * run's lock is held throughout). The caller closes it.
 */
export async function resumePpiJournal(
  journal: RunJournal,
  options: Omit<ResumePpiRunOptions, 'journalPath'>,
): Promise<ClearRunResult> {
  const ctx = context(options, journal, path.dirname(journal.path), ['ppi']);
  const first = journal.records()[0];
  const meta = (first?.kind === 'run-started' ? first.data.meta : {}) as Record<string, unknown>;
  const task = (meta.task ?? {}) as Record<string, unknown>;
  const extra: PpiExtra = {
    ppi: options.ppi,
    task: {
      nodePath: String(task.nodePath ?? process.execPath),
      cliPath: String(task.cliPath ?? ''),
      platform: task.platform === 'win32' ? 'win32' : task.platform === 'linux' ? 'linux' : thisPlatform(),
    },
    taskDeps: options.taskDeps,
  };
  // Before anything reaches the TPM (or the firmware): is this the run's TPM?
  if (journal.state().status === 'running') await verifySameTpm(ctx);
  return await drivePpi(ctx, extra, 'resume');
}

async function drivePpi(ctx: Ctx, x: PpiExtra, phase: 'start' | 'resume'): Promise<ClearRunResult> {
  const { journal } = ctx;
  if (journal.state().status !== 'running') {
    await removeTaskQuietly(journal, x.taskDeps);
    return ended(ctx);
  }
  const onFinal = () => removeTaskQuietly(journal, x.taskDeps);
  for (const step of PPI_STEPS) {
    if (step === 'resume-task-installed') {
      const done = await installTaskStep(ctx, x.task, x.taskDeps);
      if (done !== null) return done;
      continue;
    }
    let outcome = stepOutcome(journal.records(), step);
    if (outcome === 'in-flight') outcome = await settlePpiInFlight(ctx, x, step);
    if (outcome === 'succeeded') continue;
    if (outcome === 'failed') {
      const last = lastData(journal.records(), step, 'step-failed');
      if (last?.final === true) {
        await onFinal();
        return abandon(ctx, failureOf(step, last));
      }
    }
    // Before the restart there is nothing for ppi-confirmed to read.
    if (step === 'ppi-confirmed' && phase === 'start') return waitingForRestart(ctx);
    const done = await runStep(ctx, step, () => doPpiStep(ctx, x, step), startedData(ctx, x, step), onFinal);
    if (done !== null) return done;
  }
  if (ctx.keepOpen) return cleared(ctx);
  const removed = await removeTaskStep(ctx, x.task.platform, x.taskDeps);
  if (removed !== null) return removed;
  return finishRun(ctx);
}

function startedData(ctx: Ctx, x: PpiExtra, step: PpiClearStep): JsonObject | undefined {
  if (step !== 'ppi-requested') return undefined;
  const before = succeededFingerprint(ctx.journal.records(), 'fingerprint-before');
  return {
    platform: x.ppi.platform,
    operation: x.ppi.operation ?? null,
    srkBefore: before === null ? null : nameOf(before.srk),
  };
}

/** The instruction the request journaled (or the generic one). */
function restartInstruction(ctx: Ctx): string {
  const data = lastData(ctx.journal.records(), 'ppi-requested', 'step-succeeded');
  return typeof data?.instruction === 'string' ? data.instruction : transitionOf(2).instruction;
}

function waitingForRestart(ctx: Ctx): ClearRunResult {
  const instruction =
    `${restartInstruction(ctx)} Someone must be at the machine to accept the firmware prompt; ` +
    'the run resumes by itself after the restart (tpm-doctor resume).';
  return { ...ended(ctx), status: 'waiting', instruction };
}

function requestData(r: PpiRequestResult): JsonObject {
  return {
    platform: r.platform,
    operation: r.operation,
    pending: r.pending,
    transition: r.transition === null ? null : { code: r.transition.code, action: r.transition.action },
    instruction: r.transition?.instruction ?? transitionOf(2).instruction,
    confirmation: r.confirmation,
    version: r.version,
    message: r.message,
  };
}

async function doPpiStep(ctx: Ctx, x: PpiExtra, step: PpiClearStep): Promise<Work> {
  switch (step) {
    case 'gate-recorded':
    case 'fingerprint-before':
    case 'fingerprint-after':
    case 'proof':
      return doSharedStep(ctx, step);
    case 'ppi-requested':
      return requestOnce(ctx, x);
    case 'ppi-confirmed':
      return confirm(ctx, x);
    case 'resume-task-installed':
      throw new Error('resume-task-installed runs through installTaskStep');
  }
}

/** Submits the request; when the call fails, reads the pending request back before deciding anything. */
async function requestOnce(ctx: Ctx, x: PpiExtra): Promise<Work> {
  try {
    return { ok: true, data: requestData(await requestPhysicalPresenceClear({ ...x.ppi, dryRun: false })) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    let pending: number;
    try {
      pending = await readPendingPhysicalPresenceRequest(x.ppi);
    } catch (readError) {
      throw new ClearRunError(
        'ppi-outcome-unknown',
        `The physical-presence request failed (${message}) and the pending request cannot be read back ` +
          `(${readError instanceof Error ? readError.message : String(readError)}); nothing is written again. ` +
          'Resume the run once the PPI can be read.',
        ctx.journal.path,
        { cause: e },
      );
    }
    if (CLEAR_OPERATIONS.has(pending)) {
      return {
        ok: true,
        data: {
          platform: x.ppi.platform,
          operation: pending,
          pending,
          instruction: transitionOf(2).instruction,
          note: `the call reported an error (${message}) but operation ${pending} is pending`,
        },
      };
    }
    if (e instanceof PpiError) {
      return { ok: false, final: true, failure: { reason: `ppi-${e.code}`, message: e.message } };
    }
    throw e;
  }
}

/**
 * The SRK's Name now (hex), or `{ error }` when the TPM refused to make it with every value tried
 * (the empty owner auth, what a clear leaves, then the given one). A transport error (the TPM did
 * not answer) is not a reading: it throws ClearRunError 'tpm-unreachable', resumable.
 */
async function srkNameNow(
  ctx: Ctx,
  tpm: Tpm,
  ownerAuth: CommonOptions['ownerAuth'],
): Promise<string | { error: string }> {
  const empty = new Uint8Array(0);
  let last = '';
  for (const auth of ownerAuth === undefined ? [undefined] : [undefined, ownerAuth]) {
    try {
      const created = await tpm.run(CreatePrimary, {
        primaryHandle: { handle: TPM_RH.OWNER, session: password(auth) },
        inSensitive: { userAuth: empty, data: empty },
        inPublic: srkTemplate(),
        outsideInfo: empty,
        creationPCR: [],
      });
      await tpm.run(FlushContext, { flushHandle: created.objectHandle });
      return Buffer.from(created.name).toString('hex');
    } catch (e) {
      if (!(e instanceof TpmError)) throw unreachable(ctx.journal.path, 'The SRK', e);
      // The TPM refused (a wrong owner auth): try the next value.
      last = e.message;
    }
  }
  return { error: last };
}

function srkBefore(ctx: Ctx): string | null {
  const before = succeededFingerprint(ctx.journal.records(), 'fingerprint-before');
  return before === null ? null : nameOf(before.srk);
}

/** After the restart: what the firmware did, and the SRK Name, the only proof that the TPM was cleared. */
async function confirm(ctx: Ctx, x: PpiExtra): Promise<Work> {
  const instruction = `${restartInstruction(ctx)} Someone must be at the machine to accept the firmware prompt.`;
  const pending = await readPendingPhysicalPresenceRequest(x.ppi);
  if (CLEAR_OPERATIONS.has(pending)) {
    return {
      ok: false,
      waiting: true,
      message: `Physical-presence operation ${pending} is still pending: the firmware has not acted on it yet (no restart since the request).`,
      instruction,
      data: { pending },
    };
  }
  const response = await readPhysicalPresenceResponse(x.ppi);
  const responseData: JsonObject = { ...response };
  if (response.outcome === 'no-request') {
    return {
      ok: false,
      waiting: true,
      message: response.message,
      instruction,
      data: { pending, response: responseData },
    };
  }
  if (response.outcome !== 'success') {
    return {
      ok: false,
      final: true,
      data: { response: responseData },
      failure: { reason: `ppi-${response.outcome}`, message: response.message },
    };
  }
  const before = srkBefore(ctx);
  const now = await srkNameNow(ctx, ctx.tpm, ctx.auth.ownerAuth);
  if (typeof now !== 'string') {
    // Not a reading: the TPM refused to make the SRK with the values tried. Nothing is proven
    // either way, and nothing is ended: resume with the owner authorization value.
    return {
      ok: false,
      final: false,
      data: { response: responseData, srkBefore: before, srkNow: null },
      failure: {
        reason: 'srk-unreadable',
        message:
          `${response.message} But the SRK cannot be made now (${now.error}), so whether the TPM was cleared is ` +
          'not known yet. If owner authorization is set, resume the run with the owner authorization value.',
      },
    };
  }
  if (before === null || now === before) {
    return {
      ok: false,
      final: true,
      data: { response: responseData, srkBefore: before, srkNow: now },
      failure: {
        reason: 'not-proven',
        message:
          before === null
            ? `${response.message} But the journal has no SRK Name from before the request, so the clear cannot be proven.`
            : `${response.message} But the SRK Name is the one from before the request: the TPM was not cleared.`,
      },
    };
  }
  return { ok: true, data: { response: responseData, srkBefore: before, srkNow: now } };
}

/**
 * A step found in flight. ppi-requested is settled by the pending request (module comment);
 * every other step is idempotent and runs again.
 */
async function settlePpiInFlight(ctx: Ctx, x: PpiExtra, step: PpiClearStep): Promise<'succeeded' | 'failed'> {
  const { journal } = ctx;
  if (step !== 'ppi-requested') {
    settleIdempotent(journal, step);
    return 'failed';
  }
  let pending: number;
  try {
    pending = await readPendingPhysicalPresenceRequest(x.ppi);
  } catch (e) {
    throw new ClearRunError(
      'ppi-outcome-unknown',
      `The physical-presence request is in flight and the pending request cannot be read back (${
        e instanceof Error ? e.message : String(e)
      }); it is not written again. Resume the run once the PPI can be read.`,
      journal.path,
      { cause: e },
    );
  }
  if (CLEAR_OPERATIONS.has(pending)) {
    journal.append('step-succeeded', step, {
      note: 'confirmed by the pending request after a crash',
      platform: x.ppi.platform,
      operation: pending,
      pending,
      instruction: transitionOf(2).instruction,
    });
    return 'succeeded';
  }
  // Nothing pending: either it was never written, or the firmware already acted on it (a restart
  // came before this resume). The SRK tells the two apart when the firmware cleared.
  const before = srkBefore(ctx);
  const now = await srkNameNow(ctx, ctx.tpm, ctx.auth.ownerAuth);
  if (typeof now !== 'string') {
    throw new ClearRunError(
      'srk-unreadable',
      `The physical-presence request is in flight, none is pending now, and the SRK cannot be made (${now.error}), ` +
        'so whether the firmware already cleared the TPM is not known; the request is not written again. If owner ' +
        'authorization is set, resume the run with the owner authorization value.',
      journal.path,
    );
  }
  if (before !== null && now !== before) {
    journal.append('step-succeeded', step, {
      note: 'the firmware already acted on it: the SRK Name changed',
      platform: x.ppi.platform,
      srkBefore: before,
      srkNow: now,
    });
    return 'succeeded';
  }
  // The TPM was not cleared. Either the request never reached the firmware, or it did and the
  // firmware did not clear: the person declined the prompt, or the firmware failed. Its response
  // tells: a clear declined or failed ends the run with its message, never a second prompt.
  let response: PpiResponse;
  try {
    response = await readPhysicalPresenceResponse(x.ppi);
  } catch (e) {
    throw new ClearRunError(
      'ppi-outcome-unknown',
      `The physical-presence request is in flight, none is pending now and the TPM was not cleared, but the firmware's ` +
        `response cannot be read (${e instanceof Error ? e.message : String(e)}), so whether the request was already ` +
        'declined is not known; it is not written again. Resume the run once the PPI can be read.',
      journal.path,
      { cause: e },
    );
  }
  if (
    response.outcome !== 'success' &&
    response.outcome !== 'no-request' &&
    response.operation !== null &&
    CLEAR_OPERATIONS.has(response.operation)
  ) {
    journal.append('step-failed', step, {
      final: true,
      reason: `ppi-${response.outcome}`,
      message:
        `The physical-presence request was interrupted before it was recorded, and the firmware now reports: ${response.message} ` +
        'This run does not request it again.',
      response: { ...response },
      pending,
      srkNow: now,
    });
    return 'failed';
  }
  journal.append('step-failed', step, {
    final: false,
    reason: 'not sent before the crash',
    message:
      'no physical-presence operation is pending and the TPM was not cleared: the request is written again',
    pending,
  });
  return 'failed';
}
