/**
 * Lab devices backed by a real TPM, so that a campaign really clears a TPM (docs/lab-tenant.md,
 * "Devices backed by a real TPM"). Each gets its own provisioned swtpm (EK
 * certificates, like a PC), put into the state that makes a clear the right fix: owner keys and an
 * NV index left by a previous owner (src/lab/scenarios.ts stale-objects), on a device whose
 * Windows evidence says "Clear Needed To Recover" and whose BitLocker key is escrowed.
 *
 * When the lab runs a clear script on one of them, it runs what the tenant's device would run:
 * the `tpm-doctor clear` command line worked out from the script text (clear-script-args.ts: the
 * escrow table looked up by the device's Entra ID device ID, every flag, method included), parsed
 * strictly, and tpm-doctor's own preflight gate judging those exact flags against the device's own
 * facts (its evidence, its TPM) as a PC's TPM, not as a lab TPM. Nothing else is handed to it: no
 * escrowed key IDs from Graph, no method of the lab's choosing.
 *
 * LAB substitution, only for the TPM-touching step: a gate-passed `--method ppi` clear on a PC
 * queues PPI operation 5 and the firmware sends TPM2_Clear with platformAuth at the next boot
 * (TCG PC Client Physical Presence Interface); swtpm has no firmware, so the lab sends that
 * TPM2_Clear itself with platform authorisation in tpm-doctor's journaled clear run
 * (src/remedy/clear/clear-run.ts), proven by fingerprints before and after. The firmware's answer
 * to GetPhysicalPresenceTransition is simulated per device (2, a restart, unless a test sets
 * another with setFirmwareTransition), and the script's own restart block decides from it whether
 * the device restarts or shuts down (clear-script-args.ts clearScriptPowerAction).
 *
 * Every swtpm is stopped by its PID on close; journals live in a lab temp dir, deleted on close.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ClearReport, formatClearReport } from '../../fleet/campaign/clear-report.js';
import { clearReportFromReceipt, latestReceipt } from '../../fleet/campaign/receipt-report.js';
import { parseCompactEvidence } from '../../probe/windows/compact.js';
import { ClearRunError, startClearRun } from '../../remedy/clear/clear-run.js';
import { parseEscrowVerification } from '../../remedy/preflight/escrow-verification.js';
import type { ClearMethod, ClearPurpose, GateOptions, GateResult } from '../../remedy/preflight/gate.js';
import { Tpm } from '../../tpm/tpm.js';
import { openTransport } from '../../tpm/transport/open-transport.js';
import { LAB_SCENARIOS } from '../scenarios.js';
import { type SwtpmInstance, startSwtpm } from '../swtpm-process.js';
import {
  clearScriptArgv,
  clearScriptPowerAction,
  type PowerAction,
  parseClearScriptFlags,
} from './clear-script-args.js';
import type {
  DeviceSimulation,
  RealClearer,
  RealClearOutcome,
  RealClearRequest,
} from './device-simulation.js';
import { ESCROW } from './seed-fleet.js';

/** One swtpm-backed lab device, as tests and `tpm-doctor lab tenant --swtpm N` show it. */
export interface SwtpmDevice {
  index: number;
  /** The Intune managedDevice id. */
  deviceId: string;
  deviceName: string;
  /** `swtpm://127.0.0.1:PORT` */
  uri: string;
  /** For tpm2-tools: `swtpm:host=127.0.0.1,port=PORT`. */
  tcti: string;
  pid: number;
  /** Where this device's clear runs are journaled (with their receipts). */
  journalDir: string;
}

export class SwtpmDevices implements RealClearer {
  readonly #devices = new Map<number, { device: SwtpmDevice; swtpm: SwtpmInstance }>();
  readonly #inFlight = new Map<number, Promise<RealClearOutcome>>();
  readonly #transitions = new Map<number, number | null>();
  readonly #root: string;
  #closed = false;

  private constructor(root: string) {
    this.#root = root;
  }

  /**
   * Starts one provisioned swtpm for each of the first `count` devices that need a clear and have
   * their recovery key escrowed, in index order. Each is given an earlier evidence run (as a
   * managed PC with the evidence script assigned has): triage calls a clear safe only when the
   * device's own protector matches the escrowed key, which needs its evidence. Throws a RangeError
   * when the fleet has fewer such devices; stops whatever it started when a start fails.
   */
  static async start(simulation: DeviceSimulation, count: number): Promise<SwtpmDevices> {
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`swtpmDevices: expected a whole number of devices >= 0, got ${count}`);
    }
    const chosen: number[] = [];
    for (let index = 0; index < simulation.size && chosen.length < count; index++) {
      if (
        simulation.condition(index) === 'tpm-needs-clear' &&
        simulation.fleet.escrow[index] === ESCROW.matching
      ) {
        chosen.push(index);
      }
    }
    if (chosen.length < count) {
      throw new RangeError(
        `swtpmDevices: ${count} asked, but the fleet has only ${chosen.length} tpm-needs-clear devices with their key escrowed; seed more devices`,
      );
    }
    for (const index of chosen) simulation.giveEvidence(index);
    const devices = new SwtpmDevices(await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-lab-devices-')));
    try {
      for (const index of chosen) await devices.#add(simulation, index);
    } catch (e) {
      await devices.close();
      throw e;
    }
    return devices;
  }

  async #add(simulation: DeviceSimulation, index: number): Promise<void> {
    const swtpm = await startSwtpm({ provision: true });
    // Registered before anything else can fail, so close() stops this PID too.
    const journalDir = path.join(this.#root, simulation.fleet.ids[index]!);
    this.#devices.set(index, {
      swtpm,
      device: {
        index,
        deviceId: simulation.fleet.ids[index]!,
        deviceName: simulation.profile(index).deviceName,
        uri: swtpm.uri,
        tcti: swtpm.tcti,
        pid: swtpm.pid,
        journalDir,
      },
    });
    const tpm = new Tpm(await openTransport(swtpm.uri));
    try {
      await LAB_SCENARIOS['stale-objects'].apply(tpm);
    } finally {
      await tpm.close();
    }
  }

  /**
   * What the device's simulated firmware answers to GetPhysicalPresenceTransition (0 none, 1
   * shutdown, 2 restart, 3 unknown; null: the call failed). Default 2: "Usually a computer restart
   * is needed" (https://learn.microsoft.com/windows/win32/secprov/getphysicalpresencetransition-win32-tpm).
   */
  setFirmwareTransition(index: number, transition: number | null): void {
    this.#transitions.set(index, transition);
  }

  list(): SwtpmDevice[] {
    return [...this.#devices.values()].map(({ device }) => ({ ...device }));
  }

  has(index: number): boolean {
    return this.#devices.has(index);
  }

  /**
   * The report of the device's latest clear receipt in its journal folder, made as the evidence
   * script makes it on a PC (receipt-report.ts); null when it has none. Receipts are written
   * atomically (clear-receipt.ts), so one read while a clear runs is whole.
   */
  clearReport(index: number): Omit<ClearReport, 'tpmdoctor'> | null {
    const entry = this.#devices.get(index);
    if (entry === undefined) return null;
    const receipt = latestReceipt(entry.device.journalDir);
    return receipt === null ? null : clearReportFromReceipt(receipt);
  }

  /** Whether a clear is running on the device now (its TPM is busy: tpm2-tools must wait). */
  busy(index: number): boolean {
    return this.#inFlight.has(index);
  }

  /** Resolves once no clear is running on any device. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight.values()]);
  }

  /**
   * Runs the device's `tpm-doctor clear` as the script asks. Never rejects: every outcome,
   * refusals and errors included, is a report (the run state's output).
   */
  clear(index: number, request: RealClearRequest): Promise<RealClearOutcome> {
    const running = this.#inFlight.get(index);
    if (running !== undefined || this.#closed) {
      return Promise.resolve(
        outcome({
          result: 'refused',
          runId: null,
          reason: this.#closed ? 'lab-closing' : 'run-in-progress',
          message: this.#closed
            ? 'LAB: the lab is shutting down; nothing was sent to the TPM.'
            : 'Another clear run is in progress on this device; this one was refused and nothing was sent to the TPM.',
          blocking: [],
          srkNameBefore: null,
          srkNameAfter: null,
          proven: null,
        }),
      );
    }
    const work = this.#clear(index, request)
      .catch((e: unknown) =>
        outcome({
          result: 'failed',
          runId: null,
          reason: e instanceof ClearRunError ? e.code : 'lab-error',
          message: `The clear run stopped: ${e instanceof Error ? e.message : String(e)}`,
          blocking: [],
          srkNameBefore: null,
          srkNameAfter: null,
          proven: null,
        }),
      )
      .finally(() => this.#inFlight.delete(index));
    this.#inFlight.set(index, work);
    return work;
  }

  async #clear(index: number, request: RealClearRequest): Promise<RealClearOutcome> {
    const entry = this.#devices.get(index);
    if (entry === undefined) throw new Error(`device ${index} is not swtpm-backed`);
    const { device } = entry;
    let options: GateOptions;
    let powerAction: PowerAction | null;
    try {
      options = gateOptions(clearScriptArgv(request.remediationScript, request.entraDeviceId));
      powerAction = clearScriptPowerAction(
        request.remediationScript,
        this.#transitions.has(index) ? this.#transitions.get(index)! : 2,
      );
    } catch (e) {
      // tpm-doctor exits 2 on a wrong command line, before it reads the TPM.
      return outcome({
        result: 'refused',
        runId: null,
        reason: 'usage',
        message: `tpm-doctor clear refused its command line; the TPM is untouched. ${e instanceof Error ? e.message : String(e)}`,
        blocking: [],
        srkNameBefore: null,
        srkNameAfter: null,
        proven: null,
      });
    }
    const gate = await deviceGate(device.uri, request, options);
    if (!gate.passed) {
      const blocking = gate.checks.filter((c) => c.status !== 'pass');
      return outcome({
        result: 'refused',
        runId: null,
        reason: 'gate-not-passed',
        message: `The device's preflight gate refused the clear; the TPM is untouched. ${blocking
          .map((c) => `${c.id} (${c.status}): ${c.message}`)
          .join(' ')}`,
        blocking: blocking.map((c) => c.id),
        srkNameBefore: null,
        srkNameAfter: null,
        proven: null,
      });
    }
    const tpm = new Tpm(await openTransport(device.uri));
    try {
      const run = await startClearRun({
        tpm,
        journalDir: device.journalDir,
        gate,
        // LAB: a ppi clear is the firmware's TPM2_Clear with platformAuth; the lab sends it itself.
        method: options.method === 'ppi' ? 'platform' : options.method,
        purpose: options.purpose,
        ...(options.approvedBy === undefined ? {} : { approvedBy: options.approvedBy }),
        ...(options.ticket === undefined ? {} : { ticket: options.ticket }),
        tpmUri: device.uri,
      });
      const cleared = run.status === 'finished' && run.proof?.proven === true;
      const report = outcome({
        result: cleared ? 'cleared' : 'failed',
        runId: run.runId,
        reason: cleared ? null : (run.failure?.reason ?? run.status),
        message: cleared
          ? powerAction !== 'shutdown'
            ? 'TPM cleared and proven (SRK Name changed, owner objects gone, EK unchanged); restart to re-provision.'
            : 'TPM cleared and proven (SRK Name changed, owner objects gone, EK unchanged); the PC shuts down, as its firmware asked: power it on to re-provision.'
          : `The clear run ended without a proven clear: ${run.failure?.message ?? run.status}`,
        blocking: [],
        srkNameBefore: run.receipt?.before.srkName ?? null,
        srkNameAfter: run.receipt?.after.srkName ?? null,
        proven: run.proof?.proven ?? null,
      });
      return cleared && powerAction !== null ? { ...report, powerAction } : report;
    } finally {
      await tpm.close();
    }
  }

  /** Waits for running clears, stops every swtpm by its PID and removes the journals. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
    const stops = [...this.#devices.values()].map(({ swtpm }) => swtpm.stop());
    const results = await Promise.allSettled(stops);
    await rm(this.#root, { recursive: true, force: true });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

const METHODS: readonly ClearMethod[] = ['lockout', 'platform', 'ppi'];
const PURPOSES: readonly ClearPurpose[] = ['repair', 'decommission'];

/** The gate options `tpm-doctor clear` makes of these flags (src/cli/commands/clear.ts), or an error for a wrong command line. */
function gateOptions(argv: readonly string[]): GateOptions {
  const flags = parseClearScriptFlags(argv);
  const method = flags.method ?? 'ppi';
  const purpose = flags.purpose ?? 'repair';
  if (!(METHODS as readonly string[]).includes(method))
    throw new Error(`--method must be one of ${METHODS.join(', ')}`);
  if (!(PURPOSES as readonly string[]).includes(purpose))
    throw new Error(`--purpose must be one of ${PURPOSES.join(', ')}`);
  if ((flags['approved-by'] === undefined) !== (flags.ticket === undefined)) {
    throw new Error('--approved-by and --ticket go together');
  }
  if (flags.yes !== true) throw new Error('without a terminal, tpm-doctor clear needs --yes');
  const verified = parseEscrowVerification({
    ids: flags['escrow-verified'],
    at: flags['escrow-verified-at'],
    by: flags['escrow-verified-by'],
  });
  if ('error' in verified) throw new Error(verified.error);
  return {
    method: method as ClearMethod,
    purpose: purpose as ClearPurpose,
    ...(flags['approved-by'] === undefined ? {} : { approvedBy: flags['approved-by'] }),
    ...(flags.ticket === undefined ? {} : { ticket: flags.ticket }),
    ...(verified.verification === undefined ? {} : { escrowVerification: verified.verification }),
  };
}

/**
 * The device's gate, from its own facts: the TPM read now, as a PC's TPM (lab: false, so the gate
 * applies a real device's rules), its Windows evidence as its detection script reports it (with
 * BitLocker suspended for two reboots, which the clear script does before `tpm-doctor clear`),
 * and the options its command line gives.
 */
async function deviceGate(uri: string, request: RealClearRequest, options: GateOptions): Promise<GateResult> {
  const [{ takeSnapshot }, { diagnose }, { runPreflight }] = await Promise.all([
    import('../../probe/take-snapshot.js'),
    import('../../diagnose/diagnose.js'),
    import('../../remedy/preflight/run-preflight.js'),
  ]);
  const evidence = JSON.parse(request.evidenceLine) as { bl?: Array<Record<string, unknown>> };
  for (const volume of evidence.bl ?? []) {
    if (volume.p === 'On') {
      volume.p = 'Off';
      volume.sc = 2;
    }
  }
  const windows = parseCompactEvidence(evidence, 'lab device (detection output)');
  const snapshot = await takeSnapshot({ tpm: { uri, lab: false }, windows });
  const diagnosis = diagnose(snapshot);
  return runPreflight(snapshot, diagnosis, options);
}

function outcome(report: Omit<ClearReport, 'tpmdoctor'>): RealClearOutcome {
  return { cleared: report.result === 'cleared', output: formatClearReport(report) };
}
