import { createHash, randomBytes } from 'node:crypto';
import { TpmDoctorError } from '../errors.js';
import { isSafeApprovalText } from '../fleet/campaign/clear-script.js';
import { ClearRequestRefusal } from '../plan/clear-request-refusal.js';
import { type ClearRequest, executeClear, type PreparedClear, prepareClear } from '../plan/clear-session.js';
import type { ClearRunResult } from '../remedy/clear/clear-run.js';
import { type CheckedRun, checkRun } from '../remedy/clear/receipt-check.js';
import type { ResumeTaskCommand } from '../remedy/clear/resume-task.js';
import type { CheckId, ClearMethod, ClearPurpose, GateResult } from '../remedy/preflight/gate.js';
import { listRuns, runIds } from '../remedy/run-catalog.js';
import { isRunId } from '../remedy/run-id.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { ClockState } from '../snapshot/tpm-status.js';
import { loadMessages } from '../text/messages/catalog.js';
import type { Language } from '../text/messages/language.js';
import { CLEAR_WORD, isTypedWord } from '../text/typed-word.js';
import type {
  ApiEnvelope,
  ThisDeviceClearPlanResponse,
  ThisDeviceClearResponse,
  ThisDeviceRunResponse,
  ThisDeviceRunsResponse,
} from './api-types.js';
import type { ActionOutcome } from './console-actions.js';
import type { ThisDeviceTpm } from './this-device.js';

type Answer<T> = ActionOutcome<Omit<T, keyof ApiEnvelope>>;

/** What the console's "this device" clear is given at start, never by the browser. */
export interface ThisDeviceClearOptions {
  tpm: ThisDeviceTpm;
  language: Language;
  /** The runs folder (remedy/run-catalog.ts runCatalogDir), fixed for the console's life. */
  journalDir: string;
  /** `--state-dir` as given to the console, for the machine state folder's check. */
  stateDirFlag: string | undefined;
  /**
   * The lockout value, as the CLI reads it (`--lockout-auth-file`, TPM_DOCTOR_LOCKOUT_AUTH) when
   * the console started; '' when neither was given. Never taken from a request.
   */
  lockoutAuth: string;
  /** The start-up task a PPI clear installs to resume the run after the restart. */
  resumeTask: () => ResumeTaskCommand;
  /** Runs `work` alone on the TPM: the view's reads and the clear never interleave. */
  exclusive: <T>(work: () => Promise<T>) => Promise<T>;
}

/** A dry run is quoted by its clear within this time, or the dry run is run again. */
const PLAN_LIFETIME_MS = 10 * 60_000;
const MAX_PLANS = 20;
const METHODS: readonly ClearMethod[] = ['lockout', 'platform', 'ppi'];
const PURPOSES: readonly ClearPurpose[] = ['repair', 'decommission'];
const CHECK_IDS: readonly CheckId[] = [
  'evidence.same-tpm',
  'reason',
  'backup.recovery-password',
  'backup.escrow',
  'backup.bitlocker-suspended',
  'rights.elevated',
  'rights.clear-authorization',
  'approval',
  'blocker.disable-clear',
  'blocker.lockout',
  'blocker.firmware',
  'inventory',
];
const PROTECTOR_ID = /^[0-9a-f-]{8,64}$/;
const TPM_COMMAND_TIMEOUT_MS = 30_000;

/** The parts of a clear request the page may set; everything else the console decides. */
interface PageRequest {
  method: ClearMethod | undefined;
  purpose: ClearPurpose;
  acknowledged: CheckId[];
  escrowedProtectorIds: string[] | undefined;
  backupConfirmedBy: string | undefined;
}

interface StoredPlan {
  id: string;
  request: PageRequest;
  /** The TPM as read at the dry run: the clear refuses when it is no longer that TPM in that state. */
  binding: string;
  /** The TPM's Clock at the dry run (TPM2_Clear sets it back to zero). */
  clockMs: number;
  /** performance.now() when the dry run's snapshot had been read (so its Clock was read before). */
  readEndedAt: number;
  /** How many clears this console had started when the dry run began. */
  generation: number;
  needsApproval: boolean;
  expires: number;
}

function refuse<T>(status: number, error: string): ActionOutcome<T> {
  return { status, error };
}

/**
 * A clear that must not start, as an answer: the plan rules' refusals (another run unfinished, a
 * missing lockout value) and the tpm-doctor errors found before the TPM was touched (the state
 * folder, the TPM unreachable) are 409 with their own sentence; anything else is a bug.
 */
function refusalOf(e: unknown): { status: number; error: string } | undefined {
  if (e instanceof ClearRequestRefusal || e instanceof TpmDoctorError)
    return { status: 409, error: e.message };
  return undefined;
}

function onlyKeys(body: Record<string, unknown>, keys: readonly string[]): string | undefined {
  return Object.keys(body).some((key) => !keys.includes(key))
    ? `Unknown field in the request (allowed: ${keys.join(', ')}).`
    : undefined;
}

/** A field's value, or why it is refused (never quoting the value back). */
type Field<T> = T | undefined | { error: string };

function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): Field<T> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    return { error: `"${name}" must be one of ${allowed.join(', ')}.` };
  return value as T;
}

/** Who approved, the ticket, who confirmed the backup: as a clear campaign takes them (clear-script.ts). */
function approvalTextOf(value: unknown, name: string): Field<string> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isSafeApprovalText(value))
    return { error: `"${name}" must be 1 to 100 letters, digits, spaces or . , _ @ ( ) / # : + ' -.` };
  return value.trim();
}

function listOf(value: unknown, name: string, ok: (item: string) => boolean, max: number): Field<string[]> {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > max || !value.every((v) => typeof v === 'string' && ok(v)))
    return { error: `"${name}" must be a list of up to ${max} known values.` };
  return [...new Set(value as string[])];
}

/**
 * What identifies the TPM and what a clear would destroy, as read: its URI, identity, persistent
 * objects, NV indices and endorsement; its reset and restart counts, which TPM2_Clear sets to zero
 * and a TPM Reset or Restart counts up (TPM 2.0 Library Part 3 §24.6 TPM2_Clear, Part 2 §10.11.1
 * TPMS_CLOCK_INFO); and the runs of the journal folder, which any clear by tpm-doctor (the CLI's
 * included) adds to.
 * A clear quoting a dry run of another TPM, or of this one after it changed or was cleared, is
 * refused (docs/console.md, "This device").
 */
function bindingOf(uri: string, request: PageRequest, snapshot: Snapshot, runs: readonly string[]): string {
  const tpm = snapshot.tpm;
  return createHash('sha256')
    .update(
      JSON.stringify({
        uri,
        request,
        identity: tpm?.identity ?? null,
        persistent: tpm?.persistentObjects ?? null,
        nv: tpm?.nvIndices ?? null,
        endorsement: tpm?.endorsement ?? null,
        resetCount: tpm?.clock?.resetCount ?? null,
        restartCount: tpm?.clock?.restartCount ?? null,
        runs,
      }),
    )
    .digest('hex');
}

/** How far the TPM's Clock may run slow against this machine's clock and still count as running. */
const CLOCK_RATE_TOLERANCE = 0.05;

/**
 * Whether the TPM may have been cleared since the dry run read its Clock: TPM2_Clear sets Clock to
 * zero (Part 3 §24.6); TPM2_ClockSet only sets it forward (Part 3 §29.2), and a Clock lost with
 * the power comes back with a new reset count, which the binding holds. So a Clock behind the dry
 * run's means a clear, and a Clock not read means one cannot be ruled out (unknown is never safe).
 */
function clockWentBack(planned: number, now: ClockState | null | undefined, elapsedMs: number): boolean {
  if (now === null || now === undefined) return true;
  // Clock also runs on while the TPM is powered (TPM 2.0 Part 1, "Timing Components"), so it must have moved on by at
  // least the time that passed between the two reads: a clear in between (by anyone: tpm2-tools
  // too) sets it to zero, and it cannot catch up. `elapsedMs` runs from the end of the dry run's
  // read to the start of this one, so it never exceeds the time between the two Clock reads. The
  // slack allows for the TPM's own oscillator and TPM2_ClockRateAdjust, and the Clock's update
  // granularity: a false refusal only asks for a new dry run.
  const slackMs = 1_000 + elapsedMs * CLOCK_RATE_TOLERANCE;
  return now.clockMs < planned + Math.max(0, elapsedMs - slackMs);
}

/** The checks that did not pass, other than the approval the clear's form may still give. */
function refusesBeyondApproval(gate: GateResult): boolean {
  return gate.checks.some((c) => c.status !== 'pass' && c.id !== 'approval');
}

/**
 * The "this device" clear of the console (docs/console.md): the same request, gate, refusals and
 * run as `tpm-doctor clear` (plan/clear-session.ts), with the dry run first, its plan quoted by the
 * clear, the typed CLEAR checked here, and the gate run again just before acting. One clear at a
 * time; the runs read back with their receipts checked.
 */
export class ThisDeviceClear {
  readonly #options: ThisDeviceClearOptions;
  readonly #plans = new Map<string, StoredPlan>();
  #clearing = false;
  /** Clears started by this console: a dry run begun before one can never be used after it. */
  #generation = 0;

  constructor(options: ThisDeviceClearOptions) {
    this.#options = options;
  }

  async #request(
    page: PageRequest,
    dryRun: boolean,
    approval?: { approvedBy: string; ticket: string },
  ): Promise<ClearRequest> {
    const { tpm, language, journalDir, stateDirFlag, lockoutAuth } = this.#options;
    return {
      target: { uri: tpm.uri, lab: tpm.lab },
      method: page.method,
      purpose: page.purpose,
      acknowledged: page.acknowledged,
      ...(approval === undefined ? {} : approval),
      ...(page.escrowedProtectorIds === undefined ? {} : { escrowedProtectorIds: page.escrowedProtectorIds }),
      ...(page.backupConfirmedBy === undefined ? {} : { backupConfirmedBy: page.backupConfirmedBy }),
      // The console reads no evidence bundle; its own Windows evidence would be collected live
      // by the status view's rules, which a lab or simulator TPM does not have.
      evidence: { source: { kind: 'none' }, windows: null },
      journalDir,
      stateDirFlag,
      timeoutMs: TPM_COMMAND_TIMEOUT_MS,
      dryRun,
      messages: await loadMessages(language),
      lockoutAuth: () => lockoutAuth,
    };
  }

  async #prepare(request: ClearRequest): Promise<PreparedClear | { status: number; error: string }> {
    try {
      return await this.#options.exclusive(() => prepareClear(request));
    } catch (e) {
      const refusal = refusalOf(e);
      if (refusal === undefined) throw e;
      return refusal;
    }
  }

  /** POST /api/this-device/clear/plan: the dry run. Changes nothing. */
  async plan(body: Record<string, unknown>): Promise<Answer<ThisDeviceClearPlanResponse>> {
    const extra = onlyKeys(body, ['method', 'purpose', 'acknowledge', 'escrowed', 'backupConfirmedBy']);
    if (extra !== undefined) return refuse(400, extra);
    const method = oneOf(body.method, METHODS, 'method');
    const purpose = oneOf(body.purpose, PURPOSES, 'purpose');
    const acknowledged = listOf(
      body.acknowledge,
      'acknowledge',
      (v) => (CHECK_IDS as string[]).includes(v),
      CHECK_IDS.length,
    );
    const escrowed = listOf(body.escrowed, 'escrowed', (v) => PROTECTOR_ID.test(v.toLowerCase()), 50);
    const backup = approvalTextOf(body.backupConfirmedBy, 'backupConfirmedBy');
    for (const field of [method, purpose, acknowledged, escrowed, backup])
      if (typeof field === 'object' && !Array.isArray(field)) return refuse(400, field.error);
    const page: PageRequest = {
      method: method as ClearMethod | undefined,
      purpose: (purpose as ClearPurpose | undefined) ?? 'repair',
      acknowledged: (acknowledged ?? []) as CheckId[],
      escrowedProtectorIds: (escrowed as string[] | undefined)?.map((v) => v.toLowerCase()),
      backupConfirmedBy: backup as string | undefined,
    };
    const generation = this.#generation;
    const prepared = await this.#prepare(await this.#request(page, true));
    const readEndedAt = performance.now();
    if ('error' in prepared) return refuse(prepared.status, prepared.error);
    const { gate, shownGate, diagnosis, snapshot, plan } = prepared;
    const approvalCheck = gate.checks.find((c) => c.id === 'approval');
    const needsApproval = approvalCheck !== undefined && approvalCheck.status !== 'pass';
    const now = Date.now();
    let planId: string | null = null;
    const clockMs = snapshot.tpm?.clock?.clockMs;
    // No plan without the TPM's Clock: the clear could not tell whether the TPM was cleared since.
    if (!refusesBeyondApproval(gate) && clockMs !== undefined) {
      planId = randomBytes(16).toString('base64url');
      for (const [key, stored] of this.#plans) if (stored.expires < now) this.#plans.delete(key);
      if (this.#plans.size >= MAX_PLANS) this.#plans.delete(this.#plans.keys().next().value as string);
      this.#plans.set(planId, {
        id: planId,
        request: page,
        binding: bindingOf(this.#options.tpm.uri, page, snapshot, runIds(this.#options.journalDir)),
        clockMs,
        readEndedAt,
        generation,
        needsApproval,
        expires: now + PLAN_LIFETIME_MS,
      });
    }
    const v = diagnosis.verdict;
    return {
      status: 200,
      value: {
        planId,
        expiresAt: planId === null ? null : new Date(now + PLAN_LIFETIME_MS).toISOString(),
        tpm: snapshot.tpm?.tpm.uri ?? this.#options.tpm.uri,
        method: plan.method,
        purpose: page.purpose,
        verdict: { status: v.status, nextStep: v.nextStep, clearRecommended: v.clearRecommended },
        gate: { passed: shownGate.passed, checks: shownGate.checks, inventory: shownGate.inventory },
        needsApproval,
        confirmWord: CLEAR_WORD,
      },
    };
  }

  /**
   * POST /api/this-device/clear: the clear a dry run planned, after the typed CLEAR and, when the
   * gate asks for it, the approval; the gate is run again on a fresh snapshot just before acting.
   */
  async clear(body: Record<string, unknown>): Promise<Answer<ThisDeviceClearResponse>> {
    const extra = onlyKeys(body, ['planId', 'approvedBy', 'ticket', 'confirm']);
    if (extra !== undefined) return refuse(400, extra);
    if (typeof body.planId !== 'string' || body.planId.length > 100)
      return refuse(400, 'A clear starts from its dry run: "planId" is missing.');
    const approvedBy = approvalTextOf(body.approvedBy, 'approvedBy');
    const ticket = approvalTextOf(body.ticket, 'ticket');
    if (typeof approvedBy === 'object') return refuse(400, approvedBy.error);
    if (typeof ticket === 'object') return refuse(400, ticket.error);
    if ((approvedBy === undefined) !== (ticket === undefined))
      return refuse(400, 'Approved by and ticket go together: who approved, and the ticket that records it.');
    if (this.#clearing) return refuse(409, 'A clear of this TPM is running: wait for its result.');
    const stored = this.#plans.get(body.planId);
    if (stored === undefined || stored.expires < Date.now())
      return refuse(404, 'No such dry run (or it lapsed, or it was used): run the dry run again.');
    if (stored.needsApproval && approvedBy === undefined)
      return refuse(400, 'This clear needs who approved it and the ticket that records it.');
    if (
      typeof body.confirm !== 'string' ||
      body.confirm.length > 100 ||
      !isTypedWord(body.confirm, CLEAR_WORD)
    )
      return refuse(400, `Not confirmed: type ${CLEAR_WORD} to clear this TPM. Nothing was changed.`);
    // Single use: from here on this plan is spent, whatever follows; and every other plan too,
    // as each was read from the TPM before this clear (a dry run still running gets none).
    this.#plans.clear();
    this.#clearing = true;
    this.#generation += 1;
    if (stored.generation !== this.#generation - 1) {
      this.#clearing = false;
      return refuse(409, 'The TPM changed since the dry run: nothing was changed. Run the dry run again.');
    }
    try {
      const approval = approvedBy === undefined || ticket === undefined ? undefined : { approvedBy, ticket };
      const request = await this.#request(stored.request, false, approval);
      let result: ClearRunResult | undefined;
      let refusal: { status: number; error: string } | undefined;
      await this.#options.exclusive(async () => {
        let prepared: PreparedClear;
        const readStartedAt = performance.now();
        try {
          prepared = await prepareClear(request);
        } catch (e) {
          refusal = refusalOf(e);
          if (refusal === undefined) throw e;
          return;
        }
        if (!prepared.gate.passed) {
          refusal = {
            status: 409,
            error: 'The gate no longer passes: nothing was changed. Run the dry run again to see why.',
          };
          return;
        }
        const binding = bindingOf(
          this.#options.tpm.uri,
          stored.request,
          prepared.snapshot,
          runIds(this.#options.journalDir),
        );
        if (
          binding !== stored.binding ||
          clockWentBack(stored.clockMs, prepared.snapshot.tpm?.clock, readStartedAt - stored.readEndedAt)
        ) {
          refusal = {
            status: 409,
            error: 'The TPM changed since the dry run: nothing was changed. Run the dry run again.',
          };
          return;
        }
        if (prepared.plan.method === 'ppi' && this.#options.tpm.lab !== null) {
          refusal = { status: 409, error: 'A lab TPM has no firmware to ask for a PPI clear.' };
          return;
        }
        try {
          result = await executeClear(request, prepared, this.#options.resumeTask);
        } catch (e) {
          // A run that stopped part-way (a journal write, the TPM gone): as the CLI's exit 12.
          if (!(e instanceof TpmDoctorError)) throw e;
          refusal = { status: 500, error: `${e.message} ("tpm-doctor resume" continues the run.)` };
        }
      });
      if (refusal !== undefined) return refuse(refusal.status, refusal.error);
      const run = result as ClearRunResult;
      const checked = checkRun(this.#options.journalDir, run.runId);
      return {
        status: 200,
        value: {
          ...runView(checked, run.runId),
          status: run.status,
          instruction: run.instruction ?? null,
          failure:
            run.failure === null
              ? null
              : { step: run.failure.step, reason: run.failure.reason, message: run.failure.message },
        },
      };
    } finally {
      this.#clearing = false;
    }
  }

  /** GET /api/this-device/runs: the runs of the console's journal folder. */
  runs(): Answer<ThisDeviceRunsResponse> {
    return {
      status: 200,
      value: {
        runs: listRuns(this.#options.journalDir).map((r) => ({
          runId: r.runId,
          startedAt: r.startedAt,
          status: r.status,
          inFlight: r.inFlight,
        })),
      },
    };
  }

  /** GET /api/this-device/runs/ID: one run's journal and its receipt, checked. */
  run(runId: string): Answer<ThisDeviceRunResponse> {
    if (!isRunId(runId)) return refuse(400, 'Malformed run id.');
    const checked = checkRun(this.#options.journalDir, runId);
    if (checked === undefined) return refuse(404, 'No such run.');
    return { status: 200, value: runView(checked, runId) };
  }
}

/** A run as the page shows it: the journal's steps, the proof, the receipt and its check. */
function runView(
  checked: CheckedRun | undefined,
  runId: string,
): Omit<ThisDeviceRunResponse, keyof ApiEnvelope> {
  if (checked === undefined) {
    return {
      runId,
      status: 'running',
      records: [],
      journalError: null,
      proof: null,
      srkNameBefore: null,
      srkNameAfter: null,
      receipt: null,
      receiptVerified: null,
      receiptProblem: null,
    };
  }
  const { receipt, proof } = checked;
  return {
    runId,
    status: checked.status,
    records: checked.records.map((r) => ({ seq: r.seq, at: r.at, kind: r.kind, step: r.step ?? null })),
    journalError: checked.journalError,
    proof:
      proof === null
        ? null
        : {
            proven: proof.proven,
            checks: proof.checks.map((c) => ({ id: c.id, passed: c.passed, detail: c.actual })),
          },
    srkNameBefore: checked.srkNameBefore,
    srkNameAfter: checked.srkNameAfter,
    receipt:
      receipt === null
        ? null
        : {
            purpose: receipt.purpose,
            method: receipt.method,
            approvedBy: receipt.approvedBy,
            ticket: receipt.ticket,
            journalHash: receipt.journalHash,
            journalSeq: receipt.journalSeq,
            finishedAt: receipt.finishedAt,
          },
    receiptVerified: checked.receiptVerified,
    receiptProblem: checked.receiptProblem,
  };
}
