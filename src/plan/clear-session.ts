/**
 * One clear of one TPM, from a request to its run: what `tpm-doctor clear` and the console's
 * "this device" clear share (docs/clear.md). `prepareClear` reads the facts and runs the gate
 * (changes nothing); `executeClear` opens the TPM and starts the run the gate allowed. The
 * caller parses, shows, asks for the confirmation and decides between the two.
 */
import type { Diagnosis } from '../diagnose/diagnose.js';
import { ppiChipOf } from '../probe/linux-ppi.js';
import type { ClearRunResult } from '../remedy/clear/clear-run.js';
import type { ResumeTaskCommand } from '../remedy/clear/resume-task.js';
import type { EscrowVerification } from '../remedy/preflight/escrow-verification.js';
import type {
  CheckId,
  ClearMethod,
  ClearPurpose,
  GateOptions,
  GateResult,
} from '../remedy/preflight/gate.js';
import { unfinishedRuns } from '../remedy/run-catalog.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { WindowsEvidence } from '../snapshot/windows-evidence.js';
import { ENGLISH, type Messages } from '../text/messages/catalog.js';
import { Tpm } from '../tpm/tpm.js';
import { openTransport } from '../tpm/transport/open-transport.js';
import { type ClearPlan, planClear } from './clear-plan.js';
import { refuseIf } from './clear-request-refusal.js';
import { lockoutValueRefusal } from './lockout-value-refusal.js';
import type { ClearTarget } from './tpm-simulator.js';
import { unfinishedRunRefusal } from './unfinished-run-refusal.js';
import { type WindowsEvidenceSource, windowsEvidenceSource } from './windows-evidence-source.js';

/** The Windows evidence a clear gates on: where it came from, and what it says (null: none). */
export interface ClearEvidence {
  source: WindowsEvidenceSource;
  windows: WindowsEvidence | null;
}

/**
 * Reads the Windows evidence the gate decides on: a bundle file (`--evidence PATH`), live
 * collection on Windows for this machine's TPM, or none.
 */
export async function readClearEvidence(input: {
  evidencePath: string | undefined;
  tpmFlag: string | undefined;
  platform: NodeJS.Platform;
}): Promise<ClearEvidence> {
  const source = windowsEvidenceSource(input);
  let windows: WindowsEvidence | null = null;
  if (source.kind === 'bundle') {
    const { readEvidenceBundle } = await import('../probe/windows/evidence-bundle.js');
    windows = await readEvidenceBundle(source.path);
  } else if (source.kind === 'live') {
    const { collectWindowsEvidence } = await import('../probe/windows/collect.js');
    windows = await collectWindowsEvidence();
  }
  return { source, windows };
}

/** What a clear is asked to do: the CLI's flags, or the console's form, as plain values. */
export interface ClearRequest {
  target: ClearTarget;
  /** The method asked for; undefined: the default for this TPM (plan/default-clear-method.ts). */
  method: ClearMethod | undefined;
  purpose: ClearPurpose;
  acknowledged: readonly CheckId[];
  approvedBy?: string;
  ticket?: string;
  escrowedProtectorIds?: readonly string[];
  escrowVerification?: EscrowVerification;
  backupConfirmedBy?: string;
  evidence: ClearEvidence;
  /** Where journals and receipts go (remedy/run-catalog.ts runCatalogDir). */
  journalDir: string;
  /** `--state-dir` as given: the machine's state folder is checked when it is not a lab TPM. */
  stateDirFlag: string | undefined;
  timeoutMs: number | undefined;
  dryRun: boolean;
  /** The words of the refusals and of the shown gate. */
  messages: Messages;
  /**
   * The lockout value, asked for only after the snapshot (a file that cannot be read is reported
   * where the CLI always reported it). Never from a browser.
   */
  lockoutAuth: () => string;
}

/** A request read against its TPM: the facts, the diagnosis and the gate, nothing changed. */
export interface PreparedClear {
  plan: ClearPlan;
  snapshot: Snapshot;
  diagnosis: Diagnosis;
  /** The gate in English: what the journal and JSON record, and what decides. */
  gate: GateResult;
  /** The same checks over the same facts in the request's language: what a person reads. */
  shownGate: GateResult;
  lockoutAuth: string;
}

/**
 * Reads the TPM (and the evidence) and runs the gate. Refuses (ClearRequestRefusal), before
 * anything is read, a clear that cannot start: another run is open, or its journal could not be
 * written; and, after the snapshot, a lockout clear without the value the TPM needs.
 */
export async function prepareClear(request: ClearRequest): Promise<PreparedClear> {
  const { target, messages, journalDir } = request;
  const { ui } = messages;
  const plan = planClear({ target, method: request.method, platform: process.platform });
  const { method } = plan;
  refuseIf(unfinishedRunRefusal(unfinishedRuns(journalDir), { dryRun: request.dryRun }, ui));
  if (!request.dryRun) {
    if (target.lab === null)
      await (await import('../remedy/machine-state-dir.js')).guardMachineStateDir(request.stateDirFlag);
    const { assertJournalDirWritable } = await import('../remedy/journal-dir-check.js');
    assertJournalDirWritable(journalDir);
  }
  const { takeSnapshot } = await import('../probe/take-snapshot.js');
  const { timeoutMs } = request;
  const { windows, source } = request.evidence;
  // A PPI clear of a Linux device TPM: the kernel's PPI files are facts the gate decides on.
  const linuxPpi =
    method === 'ppi' && process.platform === 'linux' && target.uri.startsWith('device:') && !plan.simulator;
  const snapshot = await takeSnapshot({
    tpm: { uri: target.uri, lab: plan.simulator, ...(timeoutMs === undefined ? {} : { timeoutMs }) },
    windows,
    ...(linuxPpi ? { linuxPpi: { chip: ppiChipOf(target.uri) } } : {}),
  });
  const auth = request.lockoutAuth();
  refuseIf(
    lockoutValueRefusal(
      { method, lockoutAuth: auth, lockoutAuthSet: snapshot.tpm?.permanent?.flags.lockoutAuthSet },
      ui,
    ),
  );
  const { diagnose } = await import('../diagnose/diagnose.js');
  const diagnosis = diagnose(snapshot);
  const { isElevated } = await import('../remedy/platform/elevation.js');
  const elevated = await isElevated().catch(() => undefined);
  const evidenceBundle =
    source.kind === 'bundle'
      ? { tpmEkPublicKeyHashes: await tpmEkHashes(snapshot, windows, target.uri, timeoutMs) }
      : undefined;
  const options: GateOptions = {
    method,
    purpose: request.purpose,
    acknowledged: request.acknowledged,
    ...(evidenceBundle === undefined ? {} : { evidenceBundle }),
    ...(elevated === undefined ? {} : { elevated }),
    ...(request.approvedBy === undefined ? {} : { approvedBy: request.approvedBy }),
    ...(request.ticket === undefined ? {} : { ticket: request.ticket }),
    ...(request.escrowedProtectorIds === undefined
      ? {}
      : { escrowedProtectorIds: request.escrowedProtectorIds }),
    ...(request.escrowVerification === undefined ? {} : { escrowVerification: request.escrowVerification }),
    ...(request.backupConfirmedBy === undefined ? {} : { backupConfirmedBy: request.backupConfirmedBy }),
  };
  const { runPreflight } = await import('../remedy/preflight/run-preflight.js');
  const gate = runPreflight(snapshot, diagnosis, options);
  // What the admin reads: the same pure checks over the same facts, in their language (the gate
  // above, in English, is what the journal and JSON record).
  const shownGate =
    messages === ENGLISH
      ? gate
      : runPreflight(snapshot, diagnose(snapshot, undefined, messages), options, ui);
  return { plan, snapshot, diagnosis, gate, shownGate, lockoutAuth: auth };
}

/**
 * Starts the run a passed gate allows, on a TPM opened for it: the PPI request (the firmware
 * clears at the next boot, the start-up task `task` resumes the run) or TPM2_Clear now, each
 * journaled, fingerprinted and proven (remedy/clear/). The confirmation was the caller's.
 */
export async function executeClear(
  request: ClearRequest,
  prepared: PreparedClear,
  task: () => ResumeTaskCommand,
): Promise<ClearRunResult> {
  const { timeoutMs, target } = request;
  const { plan, gate } = prepared;
  const tpm = new Tpm(await openTransport(target.uri, timeoutMs === undefined ? {} : { timeoutMs }));
  try {
    const common = {
      tpm,
      // Recorded in the run, so that resume goes back to the same TPM (and checks its EK).
      tpmUri: target.uri,
      journalDir: request.journalDir,
      gate,
      purpose: request.purpose,
      keepOpen: plan.keepOpen,
      ...(request.approvedBy === undefined ? {} : { approvedBy: request.approvedBy }),
      ...(request.ticket === undefined ? {} : { ticket: request.ticket }),
    };
    if (plan.method === 'ppi') {
      const { startPpiRun } = await import('../remedy/clear/ppi-run.js');
      const { defaultPpiTarget } = await import('../remedy/clear/clear-run.js');
      return await startPpiRun({ ...common, ppi: defaultPpiTarget(), task: task() });
    }
    const { startClearRun } = await import('../remedy/clear/clear-run.js');
    return await startClearRun({ ...common, method: plan.method, lockoutAuth: prepared.lockoutAuth });
  } finally {
    await tpm.close();
  }
}

/**
 * The hash of each RSA EK of the TPM being cleared, as Windows computes it, read only when the
 * bundle has an EK public key hash to bind to (src/remedy/preflight/evidence-binding.ts).
 */
async function tpmEkHashes(
  snapshot: Snapshot,
  windows: WindowsEvidence | null,
  uri: string,
  timeoutMs: number | undefined,
): Promise<string[] | null> {
  const persistent = snapshot.tpm?.persistentObjects;
  if (!windows?.ekInfo?.publicKeyHash || !persistent) return null;
  const { readEkPublicKeyHashes } = await import('../probe/ek-public-key-hashes.js');
  const tpm = new Tpm(await openTransport(uri, timeoutMs === undefined ? {} : { timeoutMs }));
  try {
    return await readEkPublicKeyHashes(tpm, persistent);
  } finally {
    await tpm.close();
  }
}
