import type { ClearReport } from '../../fleet/campaign/clear-report.js';
import {
  type DeviceKeyIds,
  type DeviceProfile,
  deviceKeyIds,
  deviceProfile,
  STREAM,
} from './device-profile.js';
import { compactEvidence } from './evidence.js';
import type { LabCondition } from './fleet-mix.js';
import type { LabClock } from './lab-clock.js';
import { Prng } from './prng.js';
import type { ScriptCatalog, ScriptRun, ScriptRunResult, StoredScript } from './script-catalog.js';
import { SEEDED_EVIDENCE_SCRIPT_NAME } from './script-catalog.js';
import { conditionOf, ESCROW, type LabFleet } from './seed-fleet.js';

export interface TenantTimings {
  /** From syncDevice/rebootNow/an on-demand run to the device acting on it (its next check-in). */
  syncDelayMs: number;
  /** From the fixing event (a sync, a reboot after a clear) to Intune reporting the settings compliant. */
  complianceDelayMs: number;
}

/** What a device's clear script has to work with: its own facts, as the device would see them. */
export interface RealClearRequest {
  /** The device's compact evidence now (its detection script's output). */
  evidenceLine: string;
  /** The device's Entra ID device ID, as its `dsregcmd /status` prints it (the script looks itself up by it). */
  entraDeviceId: string | null;
  /** The clear script's remediation text: the device runs its `tpm-doctor clear` command line. */
  remediationScript: string;
}

export interface RealClearOutcome {
  /** True only when the TPM was cleared and the clear proven. */
  cleared: boolean;
  /** The run state's output: a clear report (src/fleet/campaign/clear-report.ts). */
  output: string;
  /**
   * What the script does after the accepted clear, as it reads the firmware's transition: a
   * restart, or a full shutdown after which the person at the machine powers it on.
   */
  powerAction?: 'restart' | 'shutdown';
}

/** Devices whose clear is done for real (swtpm-devices.ts): the rest are simulated. */
export interface RealClearer {
  has(index: number): boolean;
  clear(index: number, request: RealClearRequest): Promise<RealClearOutcome>;
  /** The report of the device's latest clear receipt, as its evidence script prints it; null when none. */
  clearReport(index: number): Omit<ClearReport, 'tpmdoctor'> | null;
}

/**
 * The lab tenant's devices as they evolve under actions (sync, reboot, Remediations runs). Nothing
 * runs on timers: each action records when its effect is due, and a device is brought up to "now"
 * (settled) whenever something reads it, so time can be a real clock or a hand-driven one.
 * stays-broken devices accept every action and never change: they are off the network. What
 * Graph shows of a device is shaped from these facts by graph-views.ts.
 */
export class DeviceSimulation {
  readonly fleet: LabFleet;
  readonly clock: LabClock;
  readonly timings: TenantTimings;
  readonly #scripts: ScriptCatalog;
  readonly #lastSyncAt: Float64Array;
  readonly #syncDueAt: Float64Array;
  readonly #rebootDueAt: Float64Array;
  readonly #lastRebootAt: Float64Array;
  readonly #clearedAt: Float64Array;
  readonly #fixDueAt: Float64Array;
  readonly #fixed: Uint8Array;
  readonly #restartCount: Uint32Array;
  readonly #shutdownCount: Uint32Array;
  /** 1 when the boot due is a power-on after a full shutdown, 0 for a restart. */
  readonly #bootAfterShutdown: Uint8Array;
  readonly #postCount: Uint32Array;
  /** Devices with something due: the only ones settling has to visit. */
  readonly #active = new Set<number>();
  readonly #pendingRuns = new Map<number, { scriptId: string; run: ScriptRun }[]>();
  #realClearer: RealClearer | null = null;

  /** Seeds `scripts` with the evidence script and every seeded device's earlier run of it. */
  constructor(fleet: LabFleet, clock: LabClock, timings: TenantTimings, scripts: ScriptCatalog) {
    this.fleet = fleet;
    this.clock = clock;
    this.timings = timings;
    this.#scripts = scripts;
    const n = fleet.size;
    this.#lastSyncAt = Float64Array.from(fleet.lastSyncAt);
    this.#syncDueAt = new Float64Array(n).fill(Number.NaN);
    this.#rebootDueAt = new Float64Array(n).fill(Number.NaN);
    this.#lastRebootAt = new Float64Array(n).fill(Number.NaN);
    this.#clearedAt = new Float64Array(n).fill(Number.NaN);
    this.#fixDueAt = new Float64Array(n).fill(Number.NaN);
    this.#fixed = new Uint8Array(n);
    this.#restartCount = new Uint32Array(n);
    this.#shutdownCount = new Uint32Array(n);
    this.#bootAfterShutdown = new Uint8Array(n);
    this.#postCount = new Uint32Array(n);
    this.#seedEvidenceScript();
  }

  get size(): number {
    return this.fleet.size;
  }

  indexOf(id: string): number | undefined {
    return this.fleet.indexById.get(id);
  }

  indexOfAadId(aadId: string): number | undefined {
    return this.fleet.indexByAadId.get(aadId.toLowerCase());
  }

  condition(index: number): LabCondition {
    return conditionOf(this.fleet, index);
  }

  profile(index: number): DeviceProfile {
    return deviceProfile(this.fleet.seed, index, this.condition(index));
  }

  keyIds(index: number): DeviceKeyIds {
    return deviceKeyIds(this.fleet.seed, index);
  }

  /** True once the device's seeded problem no longer shows in Intune. */
  isFixed(index: number): boolean {
    this.settle(index);
    return this.#fixed[index] === 1;
  }

  lastSyncAt(index: number): number {
    this.settle(index);
    return this.#lastSyncAt[index]!;
  }

  /** How many times the device restarted since the lab started. */
  restartCount(index: number): number {
    return this.#restartCount[index]!;
  }

  /** How many times the device was shut down fully and powered on again (a clear script's shutdown /s). */
  shutdownCount(index: number): number {
    return this.#shutdownCount[index]!;
  }

  /** How many device actions (sync, reboot, Remediations run) were accepted for a device: tests check nothing is posted twice. */
  postCount(index: number): number {
    return this.#postCount[index]!;
  }

  /** The BitLocker recovery key ids Graph holds for a device (never key material). */
  escrowedKeyIds(index: number): string[] {
    const escrow = this.fleet.escrow[index];
    if (escrow === ESCROW.none) return [];
    return [
      escrow === ESCROW.matching
        ? this.keyIds(index).recoveryProtectorId.toLowerCase()
        : Prng.forKey(this.fleet.seed, index, STREAM.staleKey).guid(),
    ];
  }

  /** Hands the clears of some devices to real TPMs (swtpm-devices.ts). */
  attachRealClearer(clearer: RealClearer): void {
    this.#realClearer = clearer;
  }

  // ---- actions ---------------------------------------------------------------------------------

  /** POST syncDevice: the device checks in after syncDelayMs (a sync already due is not moved). */
  syncDevice(index: number): void {
    this.#postCount[index]!++;
    if (this.condition(index) === 'stays-broken') return;
    this.settle(index);
    if (Number.isNaN(this.#syncDueAt[index]!)) {
      this.#syncDueAt[index] = this.clock.now() + this.timings.syncDelayMs;
      this.#active.add(index);
    }
  }

  /** POST rebootNow: the device restarts after syncDelayMs (it gets the command at its next check-in). */
  rebootNow(index: number): void {
    this.#postCount[index]!++;
    if (this.condition(index) === 'stays-broken') return;
    this.settle(index);
    if (Number.isNaN(this.#rebootDueAt[index]!)) {
      this.#rebootDueAt[index] = this.clock.now() + this.timings.syncDelayMs;
      this.#active.add(index);
    }
  }

  /** initiateOnDemandProactiveRemediation: the run completes after syncDelayMs with fresh evidence. */
  runScript(index: number, scriptId: string): void {
    const script = this.#scripts.get(scriptId);
    if (!script) throw new Error(`runScript: no script ${scriptId}`);
    this.#postCount[index]!++;
    if (this.condition(index) === 'stays-broken') return;
    this.settle(index);
    const now = this.clock.now();
    const run: ScriptRun = {
      requestedAt: now,
      completesAt: now + this.timings.syncDelayMs,
      result: null,
      seeded: false,
    };
    this.#scripts.recordRun(scriptId, index, run);
    const pending = this.#pendingRuns.get(index) ?? [];
    pending.push({ scriptId, run });
    this.#pendingRuns.set(index, pending);
    this.#active.add(index);
  }

  /** The device's compact evidence now: what its detection script prints before a remediation runs. */
  evidenceLine(index: number): string {
    this.settle(index);
    return compactEvidence(this.#evidenceView(index, this.clock.now()));
  }

  /**
   * Gives a device an earlier evidence run, as if the evidence script had run on it before the
   * lab started (swtpm-backed devices get one: triage needs it to call a clear safe).
   */
  giveEvidence(index: number): void {
    if (this.fleet.hasEvidence[index] === 1) return;
    this.fleet.hasEvidence[index] = 1;
    const seeded = this.#scripts.findByName(SEEDED_EVIDENCE_SCRIPT_NAME);
    if (seeded === undefined) return;
    this.#scripts.recordRun(seeded.entity.id, index, this.#seededRun(index));
  }

  // ---- evolution -------------------------------------------------------------------------------

  /** Applies every effect due by now to one device, in time order. */
  settle(index: number): void {
    if (!this.#active.has(index)) return;
    const now = this.clock.now();
    for (;;) {
      const sync = this.#syncDueAt[index]!;
      const reboot = this.#rebootDueAt[index]!;
      const fix = this.#fixDueAt[index]!;
      const runs = this.#pendingRuns.get(index) ?? [];
      const run = runs.reduce<(typeof runs)[number] | null>(
        (a, b) => (a === null || b.run.completesAt < a.run.completesAt ? b : a),
        null,
      );
      const due = Math.min(
        Number.isNaN(sync) ? Infinity : sync,
        Number.isNaN(reboot) ? Infinity : reboot,
        Number.isNaN(fix) ? Infinity : fix,
        run ? run.run.completesAt : Infinity,
      );
      if (due > now) break;
      if (due === fix) this.#applyFix(index);
      else if (due === reboot) this.#applyReboot(index, reboot);
      else if (due === sync) this.#applySync(index, sync);
      else if (run) this.#applyRun(index, run.scriptId, run.run, runs);
    }
    if (this.#idle(index)) this.#active.delete(index);
  }

  /** Settles every device with something due (before a tenant-wide listing). */
  settleAll(): void {
    for (const index of [...this.#active]) this.settle(index);
  }

  /**
   * What a device's run reports: its result once it completed, or for a seeded run the device as
   * it was seeded (computed only when someone reads it); null while the run is pending.
   */
  runResult(index: number, run: ScriptRun): ScriptRunResult | null {
    return run.result ?? (run.seeded ? this.#seededResult(index, run) : null);
  }

  #idle(index: number): boolean {
    return (
      Number.isNaN(this.#syncDueAt[index]!) &&
      Number.isNaN(this.#rebootDueAt[index]!) &&
      Number.isNaN(this.#fixDueAt[index]!) &&
      (this.#pendingRuns.get(index)?.length ?? 0) === 0
    );
  }

  #applySync(index: number, at: number): void {
    this.#syncDueAt[index] = Number.NaN;
    this.#lastSyncAt[index] = at;
    const condition = this.condition(index);
    const rebootedBefore = !Number.isNaN(this.#lastRebootAt[index]!);
    // sync-stale: the check-in itself is the fix. attestation-stale: the health attestation report
    // is refreshed at boot and reported at the next check-in, so it needs a reboot before the sync
    // ("non-compliant although encrypted": Device Health Attestation measures at boot,
    // docs/findings.md bitlocker.suspended, docs/lab-tenant.md).
    if (condition === 'sync-stale' || (condition === 'attestation-stale' && rebootedBefore)) {
      this.#scheduleFix(index, at);
    }
  }

  #applyReboot(index: number, at: number): void {
    this.#rebootDueAt[index] = Number.NaN;
    this.#lastRebootAt[index] = at;
    this.#restartCount[index]!++;
    if (this.#bootAfterShutdown[index] === 1) {
      this.#bootAfterShutdown[index] = 0;
      this.#shutdownCount[index]!++;
    }
    // After TPM2_Clear, Windows re-provisions the TPM at the next boot; then TpmRequired passes.
    if (!Number.isNaN(this.#clearedAt[index]!)) this.#scheduleFix(index, at);
  }

  #applyFix(index: number): void {
    this.#fixDueAt[index] = Number.NaN;
    this.#fixed[index] = 1;
  }

  #scheduleFix(index: number, from: number): void {
    if (this.#fixed[index] === 1 || !Number.isNaN(this.#fixDueAt[index]!)) return;
    this.#fixDueAt[index] = from + this.timings.complianceDelayMs;
  }

  #applyRun(index: number, scriptId: string, run: ScriptRun, pending: { run: ScriptRun }[]): void {
    pending.splice(
      pending.findIndex((p) => p.run === run),
      1,
    );
    const script = this.#scripts.get(scriptId);
    const at = run.completesAt;
    // Detection runs first and reports the state before any remediation (preRemediation output).
    const output = compactEvidence(this.#evidenceView(index, at));
    const issue = JSON.parse(output).exit === 1;
    const remediationState = issue ? 'remediationFailed' : 'skipped';
    if (issue && script?.clears && this.#realClearer?.has(index)) {
      this.#startRealClear(index, script, run, at, output);
      return;
    }
    if (issue && script?.clears) {
      const gatePasses =
        this.condition(index) === 'tpm-needs-clear' &&
        this.#fixed[index] === 0 &&
        Number.isNaN(this.#clearedAt[index]!) &&
        this.fleet.escrow[index] === ESCROW.matching;
      if (gatePasses) {
        this.#clearedAt[index] = at;
        // As on a real tenant: the PPI clear waits for the restart (tpm-doctor clear exits 12), and
        // Intune's post-remediation detection runs before it, still finding the problem, so the run
        // reports remediationFailed; a refused clear (exit 10) reports the same.
        if (script.restarts) this.#scheduleRestart(index, at);
      }
    }
    run.result = { detectionState: issue ? 'fail' : 'success', remediationState, output };
  }

  /**
   * The device runs `tpm-doctor clear` on its real TPM. The run stays pending until the clear run
   * ends; only a proven clear marks the device cleared. Its outcome (a clear report: the receipt's
   * summary, or the reason it was refused) is the run state's output, and detectionState says
   * whether it succeeded, since the client reads only detection fields (docs/graph-calls.md #11).
   */
  #startRealClear(
    index: number,
    script: StoredScript,
    run: ScriptRun,
    at: number,
    evidenceLine: string,
  ): void {
    const clearer = this.#realClearer!;
    void clearer
      .clear(index, {
        evidenceLine,
        entraDeviceId: this.fleet.aadIds[index] ?? null,
        remediationScript: script.remediation,
      })
      .then((outcome) => {
        const now = Math.max(at, this.clock.now());
        run.completesAt = now;
        run.result = {
          detectionState: outcome.cleared ? 'success' : 'fail',
          remediationState: outcome.cleared ? 'success' : 'remediationFailed',
          output: outcome.output,
        };
        if (outcome.cleared) {
          this.#clearedAt[index] = now;
          const power = outcome.powerAction ?? (script.restarts ? 'restart' : undefined);
          if (power !== undefined) this.#scheduleRestart(index, now, power === 'shutdown');
        }
      });
  }

  /**
   * The restart a clear script asks for: the device restarts after syncDelayMs (its shutdown /t).
   * LAB: after a full shutdown (`shutdown /s`) the person at the machine powers it on again, at the
   * same time; the boot counts as a shutdown too.
   */
  #scheduleRestart(index: number, from: number, afterShutdown = false): void {
    if (Number.isNaN(this.#rebootDueAt[index]!)) {
      this.#rebootDueAt[index] = from + this.timings.syncDelayMs;
      this.#bootAfterShutdown[index] = afterShutdown ? 1 : 0;
      this.#active.add(index);
    }
  }

  // ---- the evidence script's earlier runs ------------------------------------------------------

  #seedEvidenceScript(): void {
    const script = this.#scripts.create({
      displayName: SEEDED_EVIDENCE_SCRIPT_NAME,
      description:
        'LAB: tpm-doctor evidence collection (scripts/collect-evidence.ps1) as a detection script.',
      publisher: 'tpm-doctor lab',
      runAsAccount: 'system',
      runAs32Bit: false,
      enforceSignatureCheck: false,
      detectionScriptContent: Buffer.from('# LAB: scripts/collect-evidence.ps1 -Compact').toString('base64'),
      remediationScriptContent: '',
    });
    for (let index = 0; index < this.fleet.size; index++) {
      if (this.fleet.hasEvidence[index] !== 1) continue;
      this.#scripts.recordRun(script.entity.id, index, this.#seededRun(index));
    }
  }

  /** A run that completed a minute before the device's seeded last sync. */
  #seededRun(index: number): ScriptRun {
    const completesAt = this.fleet.lastSyncAt[index]! - 60_000;
    return { requestedAt: completesAt - 3_600_000, completesAt, result: null, seeded: true };
  }

  /** A seeded run reports the device as it was seeded. */
  #seededResult(index: number, run: ScriptRun): ScriptRunResult {
    const view = {
      ...this.#evidenceView(index, run.completesAt),
      fixed: false,
      clearedAwaitingRestart: false,
      // Seeded runs are from before the lab started: no receipt of a clear run since.
      clearReport: null,
    };
    view.lastSyncAt = this.fleet.lastSyncAt[index]!;
    const output = compactEvidence(view);
    const issue = JSON.parse(output).exit === 1;
    return { detectionState: issue ? 'fail' : 'success', remediationState: 'skipped', output };
  }

  /** The device as its evidence script sees it at `at`. */
  #evidenceView(index: number, at: number) {
    const profile = this.profile(index);
    const cleared = this.#clearedAt[index]!;
    const lastReboot = this.#lastRebootAt[index]!;
    return {
      profile,
      keyIds: this.keyIds(index),
      condition: this.condition(index),
      fixed: this.#fixed[index] === 1,
      clearedAwaitingRestart: !Number.isNaN(cleared) && !(lastReboot > cleared),
      at,
      lastSyncAt: this.#lastSyncAt[index]!,
      aadDeviceId: this.fleet.aadIds[index]!,
      hasRecoveryProtector: this.condition(index) !== 'bitlocker-off',
      clearReport: this.#realClearer?.has(index) ? this.#realClearer.clearReport(index) : null,
    };
  }
}
