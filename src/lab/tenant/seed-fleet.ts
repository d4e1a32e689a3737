import { STREAM } from './device-profile.js';
import { DEFAULT_MIX, LAB_CONDITIONS, type LabCondition } from './fleet-mix.js';
import { Prng } from './prng.js';

/** What Graph holds for a device's BitLocker recovery keys, against the key on the device. */
export const ESCROW = {
  /** One OS-volume key whose id is the device's RecoveryPassword protector id: a clear is safe. */
  matching: 0,
  /** No key in Graph. */
  none: 1,
  /** A key from an earlier protector that the device no longer has: escrowed, but not this key. */
  stale: 2,
} as const;
type EscrowKind = (typeof ESCROW)[keyof typeof ESCROW];

export interface SeedFleetOptions {
  /** Number of devices (default 5,000). */
  devices?: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** "Now" at seeding, epoch ms: last sync times are set back from it. */
  now: number;
}

/**
 * A seeded fleet, held compactly: one byte or one number per device per column, and the two
 * GUID columns Graph looks devices up by. Everything else (names, models, TPMs, evidence) is a
 * pure function of (seed, index) computed when a response needs it (device-profile.ts), so
 * 100,000 devices cost a few megabytes.
 */
export interface LabFleet {
  seed: number;
  size: number;
  seededAt: number;
  /** Index into LAB_CONDITIONS. */
  condition: Uint8Array;
  /** Intune managedDevice ids. */
  ids: string[];
  /** Entra ID device ids (azureADDeviceId), which BitLocker keys are filed under. */
  aadIds: string[];
  /** Last sync, epoch ms, as seeded. */
  lastSyncAt: Float64Array;
  /** 1 when the device has a Remediations evidence run from before the lab started. */
  hasEvidence: Uint8Array;
  escrow: Uint8Array;
  indexById: Map<string, number>;
  indexByAadId: Map<string, number>;
  /** How many devices of each condition were seeded. */
  counts: Record<LabCondition, number>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function seedFleet(options: SeedFleetOptions): LabFleet {
  const size = options.devices ?? 5000;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(size) || size < 0 || size > 1_000_000) {
    throw new RangeError(`seedFleet: expected a device count from 0 to 1,000,000, got ${size}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seedFleet: expected a seed from 0 to 4294967295, got ${seed}`);
  }
  const weights = LAB_CONDITIONS.map((c) => [c, DEFAULT_MIX[c]] as const);
  const fleet: LabFleet = {
    seed,
    size,
    seededAt: options.now,
    condition: new Uint8Array(size),
    ids: new Array<string>(size),
    aadIds: new Array<string>(size),
    lastSyncAt: new Float64Array(size),
    hasEvidence: new Uint8Array(size),
    escrow: new Uint8Array(size),
    indexById: new Map(),
    indexByAadId: new Map(),
    counts: Object.fromEntries(LAB_CONDITIONS.map((c) => [c, 0])) as Record<LabCondition, number>,
  };
  for (let i = 0; i < size; i++) {
    const rng = Prng.forKey(seed, i, STREAM.condition);
    const condition = rng.weighted(weights);
    fleet.condition[i] = LAB_CONDITIONS.indexOf(condition);
    fleet.counts[condition]++;
    fleet.lastSyncAt[i] = options.now - lastSyncAge(condition, rng);
    fleet.hasEvidence[i] = rng.chance(evidenceShare(condition)) ? 1 : 0;
    fleet.escrow[i] = escrowOf(condition, rng);
    const ids = Prng.forKey(seed, i, STREAM.ids);
    const id = ids.guid();
    const aadId = ids.guid();
    fleet.ids[i] = id;
    fleet.aadIds[i] = aadId;
    fleet.indexById.set(id, i);
    fleet.indexByAadId.set(aadId, i);
  }
  return fleet;
}

export function conditionOf(fleet: LabFleet, index: number): LabCondition {
  return LAB_CONDITIONS[fleet.condition[index]!]!;
}

/** How long before seeding the device last synced. */
function lastSyncAge(condition: LabCondition, rng: Prng): number {
  switch (condition) {
    case 'sync-stale':
      // Past Intune's default 30-day compliance validity period, so the device reads non-compliant.
      return rng.between(31, 60) * DAY + rng.int(DAY);
    case 'stays-broken':
      return rng.between(20, 90) * DAY + rng.int(DAY);
    case 'healthy':
      // Windows MDM checks in about every 8 hours.
      return rng.int(8 * HOUR);
    default:
      return rng.int(DAY);
  }
}

/** Most TPM-troubled devices have run the evidence script; a few healthy ones too. */
function evidenceShare(condition: LabCondition): number {
  switch (condition) {
    case 'healthy':
      return 0.01;
    case 'stays-broken':
    case 'sync-stale':
      return 0;
    default:
      return 0.7;
  }
}

function escrowOf(condition: LabCondition, rng: Prng): EscrowKind {
  switch (condition) {
    case 'bitlocker-off':
      return ESCROW.none;
    case 'tpm-needs-clear-no-escrow':
      return rng.chance(0.5) ? ESCROW.none : ESCROW.stale;
    case 'tpm-needs-clear':
      return ESCROW.matching;
    default:
      return rng.chance(0.02) ? ESCROW.stale : ESCROW.matching;
  }
}
