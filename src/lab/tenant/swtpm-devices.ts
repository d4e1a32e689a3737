/**
 * Lab devices backed by a real TPM, so that a campaign really clears a TPM (docs/lab-tenant.md,
 * "Devices backed by a real TPM"). Each gets its own provisioned swtpm (EK
 * certificates, like a PC), put into the state that makes a clear the right fix: owner keys and an
 * NV index left by a previous owner (src/lab/scenarios.ts stale-objects), on a device whose
 * Windows evidence says "Clear Needed To Recover" and whose BitLocker key is escrowed.
 *
 * When the lab runs a clear script on one of them, the clear is done as the device would do it:
 * tpm-doctor's own preflight gate, fed the device's own facts (its evidence, the recovery key ids
 * Graph holds for it, the approval the script carries), then tpm-doctor's journaled clear run
 * (src/remedy/clear/clear-run.ts), proven by fingerprints before and after. The lab TPM is cleared
 * with platform authorisation: on a PC, a PPI clear is exactly that, TPM2_Clear sent by the
 * firmware with platformAuth at the next boot (TCG PC Client Physical Presence Interface,
 * operation 5), and a lab TPM has no firmware to do it for us.
 *
 * Every swtpm is stopped by its PID on close; journals live in a lab temp dir, deleted on close.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type ClearReport, formatClearReport } from '../../fleet/campaign/clear-report.js';
import { parseCompactEvidence } from '../../probe/windows/compact.js';
import { ClearRunError, startClearRun } from '../../remedy/clear/clear-run.js';
import type { GateResult } from '../../remedy/preflight/gate.js';
import { Tpm } from '../../tpm/tpm.js';
import { openTransport } from '../../tpm/transport/open-transport.js';
import { LAB_SCENARIOS } from '../scenarios.js';
import { type SwtpmInstance, startSwtpm } from '../swtpm-process.js';
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

/**
 * What a clear script must carry for the device's approval check (docs/campaigns.md, docs/clear.md), as PowerShell
 * reads the argument: double-quoted, single-quoted (with '' for an apostrophe) or bare.
 */
const APPROVED_BY = /--approved-by\s+(?:"([^"]+)"|'((?:[^']|'')+)'|(\S+))/;
const TICKET = /--ticket\s+(?:"([^"]+)"|'((?:[^']|'')+)'|(\S+))/;

export class SwtpmDevices implements RealClearer {
  readonly #devices = new Map<number, { device: SwtpmDevice; swtpm: SwtpmInstance }>();
  readonly #inFlight = new Map<number, Promise<RealClearOutcome>>();
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

  list(): SwtpmDevice[] {
    return [...this.#devices.values()].map(({ device }) => ({ ...device }));
  }

  has(index: number): boolean {
    return this.#devices.has(index);
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
    const approvedBy = captured(APPROVED_BY.exec(request.remediationScript));
    const ticket = captured(TICKET.exec(request.remediationScript));
    const gate = await deviceGate(device.uri, request, approvedBy, ticket);
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
        method: 'platform',
        purpose: 'repair',
        ...(approvedBy === undefined ? {} : { approvedBy }),
        ...(ticket === undefined ? {} : { ticket }),
        tpmUri: device.uri,
      });
      const cleared = run.status === 'finished' && run.proof?.proven === true;
      return outcome({
        result: cleared ? 'cleared' : 'failed',
        runId: run.runId,
        reason: cleared ? null : (run.failure?.reason ?? run.status),
        message: cleared
          ? 'TPM cleared and proven (SRK Name changed, owner objects gone, EK unchanged); restart to re-provision.'
          : `The clear run ended without a proven clear: ${run.failure?.message ?? run.status}`,
        blocking: [],
        srkNameBefore: run.receipt?.before.srkName ?? null,
        srkNameAfter: run.receipt?.after.srkName ?? null,
        proven: run.proof?.proven ?? null,
      });
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

/**
 * The device's gate, from its own facts: the TPM read now, its Windows evidence as its detection
 * script reports it (with BitLocker suspended for two reboots, which the clear script does before
 * `tpm-doctor clear`), and the recovery key ids Graph holds for it.
 */
async function deviceGate(
  uri: string,
  request: RealClearRequest,
  approvedBy: string | undefined,
  ticket: string | undefined,
): Promise<GateResult> {
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
  const snapshot = await takeSnapshot({ tpm: { uri, lab: true }, windows });
  const diagnosis = diagnose(snapshot);
  return runPreflight(snapshot, diagnosis, {
    method: 'platform',
    purpose: 'repair',
    escrowedProtectorIds: request.escrowedProtectorIds,
    ...(approvedBy === undefined ? {} : { approvedBy }),
    ...(ticket === undefined ? {} : { ticket }),
  });
}

function captured(match: RegExpExecArray | null): string | undefined {
  if (match === null) return undefined;
  return match[1] ?? match[2]?.replace(/''/g, "'") ?? match[3];
}

function outcome(report: Omit<ClearReport, 'tpmdoctor'>): RealClearOutcome {
  return { cleared: report.result === 'cleared', output: formatClearReport(report) };
}
