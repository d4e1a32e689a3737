import { EVIDENCE_SCRIPT_NAME } from '../../fleet/campaign/evidence-script.js';
import type { DeviceHealthScript } from '../../fleet/graph/graph-types.js';
import { Prng } from './prng.js';

/** The Remediations package seeded with every device's earlier evidence run (scripts/collect-evidence.ps1). */
export const SEEDED_EVIDENCE_SCRIPT_NAME = EVIDENCE_SCRIPT_NAME;

/**
 * A script counts as a TPM clear when its remediation script runs `tpm-doctor clear` (by name, or
 * as tpm-doctor.exe by its full path: `$exe = ... 'tpm-doctor\tpm-doctor.exe'`, then `& $exe clear`)
 * or `Clear-Tpm`. Like tpm-doctor's own clear, it clears only behind the preflight gate: a TPM that
 * needs a clear and has its recovery password escrowed; anything else is refused on the device.
 */
const CLEAR_SCRIPT = /tpm-doctor(\.exe)?\s+clear|tpm-doctor\.exe'[\s\S]*&\s+\$exe\s+clear\s|Clear-Tpm/i;

/**
 * A clear script that restarts the PC once the clear succeeded (`shutdown /r`, `Restart-Computer`),
 * or shuts it down for the person at the machine to power on (`shutdown /s`): Windows
 * re-provisions the TPM at that boot, as after a rebootNow.
 */
const RESTART_AFTER_CLEAR = /shutdown(\.exe)?"?\s+\/[rs]\b|Restart-Computer/i;

/** What a finished run reports: Intune's detection and remediation states and the detection output. */
export interface ScriptRunResult {
  detectionState: 'success' | 'fail';
  remediationState: string;
  output: string;
}

/** One device's run of one script. */
export interface ScriptRun {
  requestedAt: number;
  completesAt: number;
  /** Set when the run completes (or, for seeded runs, computed from the seeded state). */
  result: ScriptRunResult | null;
  seeded: boolean;
}

/** A Remediations package as the lab keeps it: Graph's entity and what its remediation does. */
export interface StoredScript {
  entity: DeviceHealthScript;
  /** The remediation clears the TPM (CLEAR_SCRIPT). */
  clears: boolean;
  /** The remediation restarts the PC (or shuts it down, to be powered on) after a successful clear. */
  restarts: boolean;
  /** The remediation script's text, decoded. */
  remediation: string;
}

/**
 * The lab tenant's Remediations scripts (deviceHealthScripts) and, for each, the last run on each
 * device. It only stores: when a run completes and what it reports is the simulation's business
 * (device-simulation.ts).
 */
export class ScriptCatalog {
  readonly #scripts = new Map<string, StoredScript>();
  readonly #runs = new Map<string, Map<number, ScriptRun>>();
  readonly #rng: Prng;

  /** Script ids are GUIDs drawn from the fleet's seed, so the same seed gives the same ids. */
  constructor(seed: number) {
    this.#rng = Prng.forKey(seed, 0xffffffff);
  }

  list(): StoredScript[] {
    return [...this.#scripts.values()];
  }

  get(id: string): StoredScript | undefined {
    return this.#scripts.get(id);
  }

  findByName(displayName: string): StoredScript | undefined {
    return this.list().find((s) => s.entity.displayName === displayName);
  }

  create(script: Omit<DeviceHealthScript, 'id'>): StoredScript {
    const id = this.#rng.guid();
    const remediation = decodeBase64Text(script.remediationScriptContent ?? undefined);
    const clears = CLEAR_SCRIPT.test(remediation);
    const stored: StoredScript = {
      entity: { ...script, id },
      clears,
      restarts: clears && RESTART_AFTER_CLEAR.test(remediation),
      remediation,
    };
    this.#scripts.set(id, stored);
    this.#runs.set(id, new Map());
    return stored;
  }

  /** A device's last run of a script, or undefined when it never ran it. */
  lastRun(scriptId: string, index: number): ScriptRun | undefined {
    return this.#runs.get(scriptId)?.get(index);
  }

  /** Records a device's run of a script; it replaces the device's earlier run of it. */
  recordRun(scriptId: string, index: number, run: ScriptRun): void {
    let runs = this.#runs.get(scriptId);
    if (!runs) {
      runs = new Map();
      this.#runs.set(scriptId, runs);
    }
    runs.set(index, run);
  }
}

function decodeBase64Text(content: string | undefined): string {
  if (!content) return '';
  return Buffer.from(content, 'base64').toString('utf8');
}
