import type {
  BitlockerRecoveryKeyInfo,
  ComplianceState,
  DeviceComplianceSettingState,
  DeviceHealthAttestationState,
  DeviceHealthScript,
  DeviceHealthScriptRunState,
  HardwareInformation,
  ManagedDevice,
} from '../../fleet/graph/graph-types.js';
import {
  type DeviceKeyIds,
  type DeviceProfile,
  deviceKeyIds,
  deviceProfile,
  STREAM,
} from './device-profile.js';
import { compactEvidence } from './evidence.js';
import { FAILING_SETTINGS, type LabCondition, type LabSetting, SETTING_NAMES } from './fleet-mix.js';
import type { LabClock } from './lab-clock.js';
import { Prng } from './prng.js';
import { conditionOf, ESCROW, type LabFleet } from './seed-fleet.js';

export interface TenantTimings {
  /** From syncDevice/rebootNow/an on-demand run to the device acting on it (its next check-in). */
  syncDelayMs: number;
  /** From the fixing event (a sync, a reboot after a clear) to Intune reporting the settings compliant. */
  complianceDelayMs: number;
}

/** The Remediations package seeded with every device's earlier evidence run (scripts/collect-evidence.ps1). */
export const SEEDED_EVIDENCE_SCRIPT_NAME = 'tpm-doctor evidence';

/**
 * A script counts as a TPM clear when its remediation script mentions `tpm-doctor clear` or
 * `Clear-Tpm`. Like tpm-doctor's own clear, it clears only behind the preflight gate: a TPM that
 * needs a clear and has its recovery password escrowed; anything else is refused on the device.
 */
const CLEAR_SCRIPT = /tpm-doctor(\.exe)?\s+clear|Clear-Tpm/i;

/**
 * A clear script that restarts the PC once the clear succeeded (`shutdown /r`, `Restart-Computer`):
 * Windows re-provisions the TPM at that boot, as after a rebootNow.
 */
const RESTART_AFTER_CLEAR = /shutdown(\.exe)?\s+\/r|Restart-Computer/i;

/** What a device's clear script has to work with: its own facts, as the device would see them. */
export interface RealClearRequest {
  /** The device's compact evidence now (its detection script's output). */
  evidenceLine: string;
  /** The recovery key ids Graph holds for the device (ids only, never key material). */
  escrowedProtectorIds: string[];
  /** The clear script's remediation text (it carries the approval: --approved-by, --ticket). */
  remediationScript: string;
}

export interface RealClearOutcome {
  /** True only when the TPM was cleared and the clear proven. */
  cleared: boolean;
  /** The run state's output: a clear report (src/fleet/campaign/clear-report.ts). */
  output: string;
}

/** Devices whose clear is done for real (swtpm-devices.ts): the rest are simulated. */
export interface RealClearer {
  has(index: number): boolean;
  clear(index: number, request: RealClearRequest): Promise<RealClearOutcome>;
}

interface RunRecord {
  requestedAt: number;
  completesAt: number;
  /** Set when the run completes (or, for seeded runs, computed from the seeded state). */
  result: { detectionState: 'success' | 'fail'; remediationState: string; output: string } | null;
  seeded: boolean;
}

interface StoredScript extends DeviceHealthScript {
  clears: boolean;
  /** The remediation restarts the PC after a successful clear. */
  restarts: boolean;
  remediation: string;
}

/**
 * The lab tenant's devices as they evolve. Nothing runs on timers: each action records when its
 * effect is due, and a device is brought up to "now" (settled) whenever something reads it, so
 * time can be a real clock or a hand-driven one. stays-broken devices accept every action and
 * never change: they are off the network.
 */
export class TenantState {
  readonly fleet: LabFleet;
  readonly clock: LabClock;
  readonly timings: TenantTimings;
  readonly #lastSyncAt: Float64Array;
  readonly #syncDueAt: Float64Array;
  readonly #rebootDueAt: Float64Array;
  readonly #lastRebootAt: Float64Array;
  readonly #clearedAt: Float64Array;
  readonly #fixDueAt: Float64Array;
  readonly #fixed: Uint8Array;
  readonly #restartCount: Uint32Array;
  readonly #postCount: Uint32Array;
  /** Devices with something due: the only ones settling has to visit. */
  readonly #active = new Set<number>();
  readonly #pendingRuns = new Map<number, { scriptId: string; run: RunRecord }[]>();
  readonly #scripts = new Map<string, StoredScript>();
  readonly #runs = new Map<string, Map<number, RunRecord>>();
  readonly #rng: Prng;
  #realClearer: RealClearer | null = null;

  constructor(fleet: LabFleet, clock: LabClock, timings: TenantTimings) {
    this.fleet = fleet;
    this.clock = clock;
    this.timings = timings;
    const n = fleet.size;
    this.#lastSyncAt = Float64Array.from(fleet.lastSyncAt);
    this.#syncDueAt = new Float64Array(n).fill(Number.NaN);
    this.#rebootDueAt = new Float64Array(n).fill(Number.NaN);
    this.#lastRebootAt = new Float64Array(n).fill(Number.NaN);
    this.#clearedAt = new Float64Array(n).fill(Number.NaN);
    this.#fixDueAt = new Float64Array(n).fill(Number.NaN);
    this.#fixed = new Uint8Array(n);
    this.#restartCount = new Uint32Array(n);
    this.#postCount = new Uint32Array(n);
    this.#rng = Prng.forKey(fleet.seed, 0xffffffff);
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

  /** How many device actions (sync, reboot, Remediations run) were accepted for a device: tests check nothing is posted twice. */
  postCount(index: number): number {
    return this.#postCount[index]!;
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
    const run: RunRecord = {
      requestedAt: now,
      completesAt: now + this.timings.syncDelayMs,
      result: null,
      seeded: false,
    };
    this.#runsOf(scriptId).set(index, run);
    const pending = this.#pendingRuns.get(index) ?? [];
    pending.push({ scriptId, run });
    this.#pendingRuns.set(index, pending);
    this.#active.add(index);
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
    // ("non-compliant although encrypted": DHA needs a reboot, research §5).
    if (condition === 'sync-stale' || (condition === 'attestation-stale' && rebootedBefore)) {
      this.#scheduleFix(index, at);
    }
  }

  #applyReboot(index: number, at: number): void {
    this.#rebootDueAt[index] = Number.NaN;
    this.#lastRebootAt[index] = at;
    this.#restartCount[index]!++;
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

  #applyRun(index: number, scriptId: string, run: RunRecord, pending: { run: RunRecord }[]): void {
    pending.splice(
      pending.findIndex((p) => p.run === run),
      1,
    );
    const script = this.#scripts.get(scriptId);
    const at = run.completesAt;
    // Detection runs first and reports the state before any remediation (preRemediation output).
    const output = compactEvidence(this.#evidenceView(index, at));
    const issue = JSON.parse(output).exit === 1;
    let remediationState = issue ? 'remediationFailed' : 'skipped';
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
        remediationState = 'success';
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
    run: RunRecord,
    at: number,
    evidenceLine: string,
  ): void {
    const clearer = this.#realClearer!;
    void clearer
      .clear(index, {
        evidenceLine,
        escrowedProtectorIds: this.recoveryKeys(index).map((key) => key.id),
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
          if (script.restarts) this.#scheduleRestart(index, now);
        }
      });
  }

  /** The restart a clear script asks for: the device restarts after syncDelayMs (its shutdown /t). */
  #scheduleRestart(index: number, from: number): void {
    if (Number.isNaN(this.#rebootDueAt[index]!)) {
      this.#rebootDueAt[index] = from + this.timings.syncDelayMs;
      this.#active.add(index);
    }
  }

  // ---- what Graph shows ------------------------------------------------------------------------

  /** The failing settings a device reports now (none once fixed). */
  failingSettings(index: number): readonly { setting: LabSetting; state: 'nonCompliant' | 'error' }[] {
    return this.isFixed(index) ? [] : FAILING_SETTINGS[this.condition(index)];
  }

  complianceState(index: number): ComplianceState {
    return this.failingSettings(index).length === 0 ? 'compliant' : 'noncompliant';
  }

  /** Every property of ManagedDevice (v1.0), before $select. */
  managedDevice(index: number): ManagedDevice {
    const p = this.profile(index);
    const encrypted = this.condition(index) !== 'bitlocker-off' || this.isFixed(index);
    return {
      id: this.fleet.ids[index]!,
      deviceName: p.deviceName,
      azureADDeviceId: this.fleet.aadIds[index]!,
      operatingSystem: 'Windows',
      osVersion: p.osVersion,
      complianceState: this.complianceState(index),
      lastSyncDateTime: iso(this.lastSyncAt(index)),
      isEncrypted: encrypted,
      managementAgent: 'mdm',
      deviceRegistrationState: 'registered',
      userPrincipalName: p.userPrincipalName,
      serialNumber: p.serialNumber,
      manufacturer: p.manufacturer,
      model: p.model,
    };
  }

  /** hardwareInformation (beta): the TPM fields. */
  hardwareInformation(index: number): HardwareInformation {
    const p = this.profile(index);
    return {
      tpmSpecificationVersion: p.tpmSpecVersion,
      tpmManufacturer: p.tpm.id,
      tpmVersion: p.tpmFirmware,
      isEncrypted: this.condition(index) !== 'bitlocker-off' || this.isFixed(index),
      operatingSystemEdition: 'Enterprise',
      systemManagementBIOSVersion: p.biosVersion,
    };
  }

  /** deviceHealthAttestationState as the device's last health attestation report says. */
  healthAttestation(index: number): DeviceHealthAttestationState {
    const condition = this.isFixed(index) ? 'healthy' : this.condition(index);
    const attestationStale = condition === 'attestation-stale';
    const tpmBad = condition.startsWith('tpm-') || condition === 'stays-broken';
    const onOff = (on: boolean) => (on ? 'enabled' : 'disabled');
    const reported = this.lastSyncAt(index);
    return {
      tpmVersion: '2.0',
      bitLockerStatus: onOff(condition !== 'bitlocker-off' && !attestationStale),
      secureBoot: onOff(condition !== 'secure-boot-off' && !attestationStale),
      codeIntegrity: onOff(!attestationStale),
      attestationIdentityKey: onOff(!tpmBad),
      deviceHealthAttestationStatus: condition === 'tpm-lockout' ? 'error' : tpmBad ? 'unhealthy' : 'healthy',
      healthAttestationSupportedStatus: 'supported',
      healthStatusMismatchInfo: null,
      issuedDateTime: iso(attestationStale ? reported - 45 * 86_400_000 : reported),
      lastUpdateDateTime: iso(reported),
      pcr0: null,
      pcrHashAlgorithm: 'SHA256',
      testSigning: 'disabled',
      virtualSecureMode: 'enabled',
      resetCount: 0,
      restartCount: 40 + this.#restartCount[index]!,
    };
  }

  /** BitLocker recovery key ids in Graph for a device (never key material). */
  recoveryKeys(index: number): BitlockerRecoveryKeyInfo[] {
    const escrow = this.fleet.escrow[index];
    if (escrow === ESCROW.none) return [];
    const id =
      escrow === ESCROW.matching
        ? this.keyIds(index).recoveryProtectorId.toLowerCase()
        : Prng.forKey(this.fleet.seed, index, STREAM.staleKey).guid();
    return [
      {
        id,
        createdDateTime: iso(this.fleet.seededAt - (100 + (index % 200)) * 86_400_000),
        volumeType: '1',
        deviceId: this.fleet.aadIds[index]!,
      },
    ];
  }

  /** One device's entry in a setting's tenant-wide state summary. */
  settingState(
    index: number,
    setting: LabSetting,
    state: DeviceComplianceSettingState['state'],
  ): DeviceComplianceSettingState {
    return {
      id: `${this.fleet.ids[index]}_${setting}`,
      setting,
      settingName: SETTING_NAMES[setting],
      deviceId: this.fleet.ids[index]!,
      deviceName: this.profile(index).deviceName,
      state,
      complianceGracePeriodExpirationDateTime: null,
    };
  }

  // ---- Remediations ----------------------------------------------------------------------------

  scripts(): DeviceHealthScript[] {
    return [...this.#scripts.values()].map(
      ({ clears: _c, restarts: _r, remediation: _t, ...script }) => script,
    );
  }

  script(id: string): DeviceHealthScript | undefined {
    const found = this.#scripts.get(id);
    if (!found) return undefined;
    const { clears: _c, restarts: _r, remediation: _t, ...script } = found;
    return script;
  }

  createScript(script: Omit<DeviceHealthScript, 'id'>): DeviceHealthScript {
    const id = this.#rng.guid();
    const remediation = decodeBase64Text(script.remediationScriptContent);
    const clears = CLEAR_SCRIPT.test(remediation);
    const stored: StoredScript = {
      ...script,
      id,
      clears,
      restarts: clears && RESTART_AFTER_CLEAR.test(remediation),
      remediation,
    };
    this.#scripts.set(id, stored);
    this.#runs.set(id, new Map());
    return this.script(id)!;
  }

  /** A device's last run of a script, or null when it never ran it. */
  runState(scriptId: string, index: number): DeviceHealthScriptRunState | null {
    const run = this.#runs.get(scriptId)?.get(index);
    if (!run) return null;
    this.settle(index);
    const result = run.result ?? (run.seeded ? this.#seededResult(index, run) : null);
    return {
      id: `${scriptId}:${this.fleet.ids[index]}`,
      detectionState: result ? result.detectionState : 'pending',
      remediationState: result ? result.remediationState : 'unknown',
      lastStateUpdateDateTime: iso(result ? run.completesAt : run.requestedAt),
      lastSyncDateTime: iso(this.lastSyncAt(index)),
      preRemediationDetectionScriptOutput: result ? result.output : null,
      preRemediationDetectionScriptError: null,
      // What Intune reports for a remediation that exited non-zero; null when it ran clean.
      remediationScriptError:
        result?.remediationState === 'remediationFailed'
          ? 'The remediation script exited with a non-zero code.'
          : null,
      postRemediationDetectionScriptOutput: null,
      managedDevice: { id: this.fleet.ids[index]! },
    };
  }

  #runsOf(scriptId: string): Map<number, RunRecord> {
    let runs = this.#runs.get(scriptId);
    if (!runs) {
      runs = new Map();
      this.#runs.set(scriptId, runs);
    }
    return runs;
  }

  /**
   * Gives a device an earlier evidence run, as if the evidence script had run on it before the
   * lab started (swtpm-backed devices get one: triage needs it to call a clear safe).
   */
  giveEvidence(index: number): void {
    if (this.fleet.hasEvidence[index] === 1) return;
    this.fleet.hasEvidence[index] = 1;
    const seeded = [...this.#scripts.values()].find((s) => s.displayName === SEEDED_EVIDENCE_SCRIPT_NAME);
    if (seeded === undefined) return;
    const completesAt = this.fleet.lastSyncAt[index]! - 60_000;
    this.#runsOf(seeded.id).set(index, {
      requestedAt: completesAt - 3_600_000,
      completesAt,
      result: null,
      seeded: true,
    });
  }

  #seedEvidenceScript(): void {
    const script = this.createScript({
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
    const runs = this.#runsOf(script.id);
    for (let index = 0; index < this.fleet.size; index++) {
      if (this.fleet.hasEvidence[index] !== 1) continue;
      const completesAt = this.fleet.lastSyncAt[index]! - 60_000;
      runs.set(index, { requestedAt: completesAt - 3_600_000, completesAt, result: null, seeded: true });
    }
  }

  /** A seeded run reports the device as it was seeded, computed only when someone reads it. */
  #seededResult(index: number, run: RunRecord): NonNullable<RunRecord['result']> {
    const view = {
      ...this.#evidenceView(index, run.completesAt),
      fixed: false,
      clearedAwaitingRestart: false,
    };
    view.lastSyncAt = this.fleet.lastSyncAt[index]!;
    const output = compactEvidence(view);
    const issue = JSON.parse(output).exit === 1;
    return { detectionState: issue ? 'fail' : 'success', remediationState: 'skipped', output };
  }

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
    };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeBase64Text(content: string | undefined): string {
  if (!content) return '';
  return Buffer.from(content, 'base64').toString('utf8');
}
