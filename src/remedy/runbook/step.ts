/**
 * A runbook step: one stage of carrying a device back to "synced and compliant" after a TPM clear
 * (docs/clear.md). Each step has an
 * automatic check wherever Windows (or Intune) can answer, an idempotent action where tpm-doctor can
 * push things along, and plain words for the person where only a person can act (the firmware
 * prompt, signing in, the Windows Hello PIN).
 *
 * Steps never hold state of their own between calls: everything they need is re-read from the
 * device through `ctx.runner` (the same PowerShellRunner the live collector uses, so the recorded
 * outputs in tests go through the same interface), or comes from the journal via the engine.
 */
import type { PowerShellRunner } from '../../system/powershell.js';
import type { JsonObject } from '../journal.js';

export type CheckState = 'done' | 'waiting' | 'failed';

/** What a check found. Journaled as is: evidence and words must never hold a secret. */
export interface CheckResult {
  /** done: the step's goal holds; waiting: not yet (time or a person will fix it); failed: it will not get there by waiting. */
  readonly state: CheckState;
  /** What the check saw: flags, times, protector IDs (never a recovery password or an auth value). */
  readonly evidence: JsonObject;
  /** One or two sentences: what was found. */
  readonly message: string;
  /** What a person should do now, when it is more specific than the step's `instruction`. */
  readonly instruction?: string;
}

/**
 * Intune through Microsoft Graph, when fleet credentials are configured (another issue implements
 * it). `managedDeviceId` is Intune's managedDevice id, not the Entra device ID from dsregcmd.
 */
export interface IntuneGraph {
  /** POST /deviceManagement/managedDevices/{id}/syncDevice. */
  syncDevice(managedDeviceId: string): Promise<void>;
  /** managedDevice.lastSyncDateTime (ISO 8601), or null when Intune has none. */
  lastSyncDateTime(managedDeviceId: string): Promise<string | null>;
  /** managedDevice.complianceState: compliant, noncompliant, inGracePeriod, unknown, error, conflict, configManager. */
  complianceState(managedDeviceId: string): Promise<string>;
  /**
   * The recovery key IDs Entra ID holds for a device (GET /informationProtection/bitlocker/recoveryKeys
   * ?$filter=deviceId eq '{azureAdDeviceId}'): IDs only, never the keys. Optional: without it the
   * escrow is confirmed by a person.
   */
  escrowedRecoveryKeyIds?(azureAdDeviceId: string): Promise<readonly string[]>;
}

/**
 * What the run knows about itself, journal-safe (kept in the run's journal so that a resume after a
 * reboot rebuilds the same context): plain strings, no secrets.
 */
export interface RunFacts extends JsonObject {
  /** When the clear was requested (ISO 8601; the clear step's step-started time): the "after" for event 33. */
  readonly clearRequestedAt: string;
  /** The OS volume; default the first OperatingSystem volume, else C:. */
  readonly osMountPoint?: string;
  /** Intune's managedDevice id, for Graph. */
  readonly managedDeviceId?: string;
  /** The organisation's Windows Hello PIN rules in words, e.g. "at least 8 characters, letters and symbols". */
  readonly pinRules?: string;
  /**
   * How the TPM was cleared: 'os' (TPM2_Clear sent by tpm-doctor, already proven by the run's
   * proof step) or 'firmware' (a PPI request the firmware carries out at the next reboot).
   */
  readonly clearedBy?: 'os' | 'firmware';
}

/** What the caller gives the engine for one advance. */
export interface RunbookContext {
  /** Runs one PowerShell script on the device (runPowerShell live; recorded outputs in tests). */
  readonly runner: PowerShellRunner;
  /** The clock (tests move it). */
  now(): Date;
  readonly facts: RunFacts;
  /**
   * Step IDs a person confirmed by hand (`tpm-doctor resume --confirm recovery-key-escrowed`), for
   * checks the device cannot make on its own. The engine journals each confirmation it uses.
   */
  readonly confirmed?: readonly string[];
  readonly graph?: IntuneGraph;
}

/** Where this step stands in the run, from the journal (the engine fills it in). */
export interface StepAttempt {
  /** 1 for the first attempt at this step in the run. */
  readonly number: number;
  /** ctx.now() when this step was first started in this run (ISO 8601). */
  readonly firstStartedAt: string;
  /** ctx.now() when this step's action last finished in this run (ISO 8601), or null. */
  readonly lastActedAt: string | null;
  /** The step was found in flight (a crash, a reboot or a power cut interrupted it). */
  readonly resumed: boolean;
}

export interface StepContext extends RunbookContext {
  readonly attempt: StepAttempt;
}

export interface RunbookStep {
  /** Stable: it is the step's name in the journal. */
  readonly id: string;
  readonly title: string;
  /** Plain words for the person when the step cannot be automated (or while it waits on them). */
  readonly instruction: string;
  /**
   * 'user': the step's facts exist only in the signed-in user's session (the Windows Hello PIN,
   * the Primary Refresh Token): SYSTEM's runbook leaves it to the user's part, run at logon
   * (post-clear.ts, user-steps.ts). Default: any context that runs the runbook can check it.
   */
  readonly context?: 'user';
  check(ctx: StepContext): Promise<CheckResult>;
  /**
   * An idempotent action that moves the step along (resume BitLocker, escrow a key, trigger a
   * sync). The engine calls it only after a check that did not find the step done, with that
   * check's result, and checks again afterwards. It may return what it did (journal-safe).
   */
  act?(ctx: StepContext, seen: CheckResult): Promise<JsonObject | undefined>;
  /**
   * Do not act again within this many ms of the last action (a step that waits for hours should
   * not trigger a sync on every advance). Default: act on every attempt the check is not done.
   */
  readonly actAtMostEveryMs?: number;
}

export function done(message: string, evidence: JsonObject = {}): CheckResult {
  return { state: 'done', message, evidence };
}

export function waiting(message: string, evidence: JsonObject = {}, instruction?: string): CheckResult {
  return instruction === undefined
    ? { state: 'waiting', message, evidence }
    : { state: 'waiting', message, evidence, instruction };
}

export function failed(message: string, evidence: JsonObject = {}, instruction?: string): CheckResult {
  return instruction === undefined
    ? { state: 'failed', message, evidence }
    : { state: 'failed', message, evidence, instruction };
}
