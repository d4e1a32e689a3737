import { errorReport, TpmDoctorError } from '../errors.js';
import type {
  Capacity,
  DictionaryAttackState,
  FlagSet,
  NvIndex,
  PcrBank,
  PersistentObject,
  SectionError,
  TpmIdentity,
  TpmStatus,
} from '../snapshot/tpm-status.js';
import { ReadClock } from '../tpm/commands/clock.js';
import { NV_ReadPublic } from '../tpm/commands/nv.js';
import { ReadPublic } from '../tpm/commands/object.js';
import { GetTestResult } from '../tpm/commands/testing.js';
import {
  algorithmName,
  digestSize,
  eccCurveName,
  TPM_ALG,
  TPMA_ALGORITHM,
} from '../tpm/constants/algorithms.js';
import {
  flagNames,
  nvAttributeNames,
  nvIndexType,
  nvTypeName,
  objectAttributeNames,
  TPMA_NV,
} from '../tpm/constants/attributes.js';
import { describeNvIndex, describePersistentHandle, HANDLE_RANGE } from '../tpm/constants/handles.js';
import { decodeVendorString, manufacturerInfo } from '../tpm/constants/manufacturers.js';
import {
  PT_FIXED,
  PT_GROUP,
  PT_VAR,
  propertyName,
  TPM_PT,
  TPMA_PERMANENT,
  TPMA_STARTUP_CLEAR,
} from '../tpm/constants/properties.js';
import { TPM_CAP } from '../tpm/constants/structure-tags.js';
import { TransportError } from '../tpm/errors.js';
import { decodeResponseCode, RC } from '../tpm/rc/decode-response-code.js';
import { TpmError } from '../tpm/rc/tpm-error.js';
import { getCapabilityAll, getHandles, getProperties } from '../tpm/read/capability.js';
import { readPcrBank } from '../tpm/read/pcrs.js';
import type { TpmsNvPublic } from '../tpm/structures/nv.js';
import { selectedPcrs } from '../tpm/structures/pcr.js';
import type { TpmtPublic } from '../tpm/structures/public.js';
import type { Tpm } from '../tpm/tpm.js';
import { probeEndorsement } from './endorsement-status.js';

export interface ProbeOptions {
  uri: string;
  lab?: boolean;
  /** Compute every EK from its template with TPM2_CreatePrimary (slow on RSA); default: compare certificates with persistent EKs. */
  computeEk?: boolean;
  now?: Date;
}

const hex = (v: number, width = 8) => `0x${(v >>> 0).toString(16).padStart(width, '0')}`;
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Reads everything tpm.msc shows and far more, one section at a time: a section that fails is
 * recorded in `errors` and the others are still read, so a half-broken TPM still yields a
 * useful report. A transport failure ends the probe (nothing more can be read).
 */
export async function probeTpmStatus(tpm: Tpm, options: ProbeOptions): Promise<TpmStatus> {
  const status = unreadTpmStatus(options.uri, options.lab ?? false, options.now ?? new Date());
  let reachable = true;
  const section = async <T>(name: string, read: () => Promise<T>): Promise<T | null> => {
    if (!reachable) return null;
    try {
      const value = await read();
      status.present = true;
      return value;
    } catch (e) {
      if (e instanceof TransportError) reachable = false;
      if (e instanceof TpmError) status.present = true;
      if (e instanceof TpmError && e.is(RC.INITIALIZE)) status.started = false;
      status.errors.push(sectionError(name, e));
      return null;
    }
  };

  // GetTestResult first: it works even in failure mode (Part 3 §10.4), so it tells a dead TPM from a broken one.
  status.selfTest = await section('selfTest', async () => {
    const { testResult } = await tpm.run(GetTestResult, {});
    const d = decodeResponseCode(testResult);
    return { ok: testResult === 0, code: hex(testResult, 3), name: d.name, message: d.text };
  });
  // TPM2_GetCapability does not run on from the fixed group into the variable one (libtpms stops
  // at the group's end with moreData NO), so ask for each group.
  const props = await section('properties', async () => {
    const fixed = await getProperties(tpm, PT_FIXED, PT_FIXED + PT_GROUP);
    const variable = await getProperties(tpm, PT_VAR, PT_VAR + PT_GROUP);
    return new Map([...fixed, ...variable]);
  });
  if (props && status.started === null) status.started = true;
  if (props) {
    status.properties = Object.fromEntries([...props].map(([k, v]) => [propertyName(k), v]));
    status.identity = identityFrom(props);
    const permanent = props.get(TPM_PT.PERMANENT);
    const startup = props.get(TPM_PT.STARTUP_CLEAR);
    if (permanent !== undefined) status.permanent = flagSet(permanent, TPMA_PERMANENT);
    if (startup !== undefined) status.startupClear = flagSet(startup, TPMA_STARTUP_CLEAR);
    status.dictionaryAttack = dictionaryAttackFrom(props);
    status.capacity = capacityFrom(props);
  }
  status.pcrBanks = await section('pcrBanks', () => readBanks(tpm));
  const persistentPublics = new Map<number, TpmtPublic>();
  status.persistentObjects = await section('persistentObjects', () => readPersistent(tpm, persistentPublics));
  status.transientHandles = await section('transientHandles', async () =>
    (await getHandles(tpm, HANDLE_RANGE.TRANSIENT_FIRST)).map((h) => hex(h)),
  );
  const nvPublics = new Map<number, TpmsNvPublic>();
  status.nvIndices = await section('nvIndices', () => readNvIndices(tpm, nvPublics));
  status.algorithms = await section('algorithms', async () =>
    (await getCapabilityAll(tpm, TPM_CAP.ALGS, 0)).map((a) => ({
      name: algorithmName(a.alg),
      id: hex(a.alg, 4),
      properties: flagNames(a.algProperties, TPMA_ALGORITHM),
    })),
  );
  status.eccCurves = await section('eccCurves', async () =>
    (await getCapabilityAll(tpm, TPM_CAP.ECC_CURVES, 0)).map((c) => eccCurveName(c)),
  );
  status.clock = await section('clock', async () => {
    const { clockInfo } = (await tpm.run(ReadClock, {})).currentTime;
    return {
      clockMs: Number(clockInfo.clock),
      resetCount: clockInfo.resetCount,
      restartCount: clockInfo.restartCount,
      safe: clockInfo.safe,
    };
  });
  status.endorsement = await section('endorsement', () =>
    probeEndorsement(tpm, {
      nvBufferMax: props?.get(TPM_PT.NV_BUFFER_MAX),
      computeEk: options.computeEk ?? false,
      now: options.now ?? new Date(),
      persistent: persistentPublics,
      // Reuse the NV public areas read above, unless that section failed.
      ...(status.nvIndices ? { nvPublics } : {}),
    }),
  );
  // No answer: absent only when the device itself is missing (TPM_ABSENT: no /dev/tpmrm0,
  // TBS_E_TPM_NOT_FOUND); any other failure to reach it leaves its presence unknown (null).
  if (status.present === null && status.errors.some((e) => e.code === 'TPM_ABSENT')) status.present = false;
  return status;
}

/** A status with nothing read yet (every section null, presence unknown): what a TPM that never answered yields. */
export function unreadTpmStatus(uri: string, lab: boolean, now: Date): TpmStatus {
  return {
    schema: 'tpm-doctor/status/v1',
    tpm: { uri, lab },
    collectedAt: now.toISOString(),
    present: null,
    started: null,
    identity: null,
    selfTest: null,
    permanent: null,
    startupClear: null,
    dictionaryAttack: null,
    pcrBanks: null,
    persistentObjects: null,
    transientHandles: null,
    nvIndices: null,
    capacity: null,
    algorithms: null,
    eccCurves: null,
    clock: null,
    endorsement: null,
    properties: null,
    errors: [],
  };
}

/**
 * A section's error as docs/status-json.md spells it: the TPM's response-code name
 * (`TPM_RC_INITIALIZE`), the error's code in capitals (`tpm-transport` -> `TPM_TRANSPORT`), or
 * `INTERNAL` for an error that is reported as a bug.
 */
function sectionError(section: string, e: unknown): SectionError {
  if (e instanceof TpmError) return { section, code: e.decoded.name, message: e.message };
  if (e instanceof TpmDoctorError && errorReport(e).internal !== true) {
    return { section, code: e.code.toUpperCase().replaceAll('-', '_'), message: e.message };
  }
  return { section, code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

function identityFrom(props: Map<number, number>): TpmIdentity | null {
  const family = props.get(TPM_PT.FAMILY_INDICATOR);
  if (family === undefined) return null;
  const manufacturer = props.get(TPM_PT.MANUFACTURER) ?? 0;
  const info = manufacturerInfo(manufacturer);
  const fw1 = props.get(TPM_PT.FIRMWARE_VERSION_1) ?? 0;
  const fw2 = props.get(TPM_PT.FIRMWARE_VERSION_2) ?? 0;
  const year = props.get(TPM_PT.YEAR);
  const day = props.get(TPM_PT.DAY_OF_YEAR);
  const revision = props.get(TPM_PT.REVISION) ?? 0;
  return {
    family: decodeVendorString([family]),
    level: props.get(TPM_PT.LEVEL) ?? 0,
    // Part 2 §6.13: TPM_PT_REVISION is the spec revision times 100 (159 = 1.59).
    revision: (revision / 100).toFixed(2),
    specDate: year && day ? dateFromDayOfYear(year, day) : null,
    manufacturer: { id: info.id, name: info.name, code: hex(manufacturer) },
    vendorString: decodeVendorString(
      [TPM_PT.VENDOR_STRING_1, TPM_PT.VENDOR_STRING_2, TPM_PT.VENDOR_STRING_3, TPM_PT.VENDOR_STRING_4].map(
        (p) => props.get(p) ?? 0,
      ),
    ),
    vendorTpmType: props.get(TPM_PT.VENDOR_TPM_TYPE) ?? 0,
    // Windows shows ManufacturerVersion as the four 16-bit halves of FIRMWARE_VERSION_1 and _2.
    firmwareVersion: `${fw1 >>> 16}.${fw1 & 0xffff}.${fw2 >>> 16}.${fw2 & 0xffff}`,
    firmwareVersionRaw: [hex(fw1), hex(fw2)],
  };
}

function dateFromDayOfYear(year: number, day: number): string | null {
  if (year < 2000 || year > 2200 || day < 1 || day > 366) return null;
  return new Date(Date.UTC(year, 0, day)).toISOString().slice(0, 10);
}

function flagSet(value: number, bits: Readonly<Record<string, number>>): FlagSet {
  const flags = Object.fromEntries(Object.entries(bits).map(([name, bit]) => [name, (value & bit) !== 0]));
  return { value: hex(value), set: flagNames(value, bits), flags };
}

function dictionaryAttackFrom(props: Map<number, number>): DictionaryAttackState | null {
  const permanent = props.get(TPM_PT.PERMANENT);
  const counter = props.get(TPM_PT.LOCKOUT_COUNTER);
  if (permanent === undefined || counter === undefined) return null;
  return {
    inLockout: (permanent & TPMA_PERMANENT.inLockout) !== 0,
    failedTries: counter,
    maxTries: props.get(TPM_PT.MAX_AUTH_FAIL) ?? 0,
    recoveryTimeSeconds: props.get(TPM_PT.LOCKOUT_INTERVAL) ?? 0,
    lockoutRecoverySeconds: props.get(TPM_PT.LOCKOUT_RECOVERY) ?? 0,
    lockoutAuthSet: (permanent & TPMA_PERMANENT.lockoutAuthSet) !== 0,
  };
}

function capacityFrom(props: Map<number, number>): Capacity {
  const get = (pt: number) => props.get(pt) ?? null;
  return {
    persistentLoaded: get(TPM_PT.HR_PERSISTENT),
    persistentAvailable: get(TPM_PT.HR_PERSISTENT_AVAIL),
    persistentMin: get(TPM_PT.HR_PERSISTENT_MIN),
    transientAvailable: get(TPM_PT.HR_TRANSIENT_AVAIL),
    loadedSessionsAvailable: get(TPM_PT.HR_LOADED_AVAIL),
    activeSessionsAvailable: get(TPM_PT.HR_ACTIVE_AVAIL),
    nvIndicesDefined: get(TPM_PT.HR_NV_INDEX),
    nvCountersAvailable: get(TPM_PT.NV_COUNTERS_AVAIL),
  };
}

async function readBanks(tpm: Tpm): Promise<PcrBank[]> {
  const allocation = await getCapabilityAll(tpm, TPM_CAP.PCRS, 0);
  const banks: PcrBank[] = [];
  for (const selection of allocation) {
    const pcrs = selectedPcrs(selection.pcrSelect);
    if (pcrs.length === 0 || digestSize(selection.hash) === undefined) continue;
    const { values } = await readPcrBank(tpm, selection.hash, pcrs);
    banks.push({
      hashAlg: algorithmName(selection.hash),
      algorithmId: hex(selection.hash, 4),
      pcrs,
      values: Object.fromEntries([...values].map(([pcr, digest]) => [String(pcr), toHex(digest)])),
    });
  }
  return banks;
}

async function readPersistent(tpm: Tpm, publics: Map<number, TpmtPublic>): Promise<PersistentObject[]> {
  const out: PersistentObject[] = [];
  for (const handle of await getHandles(tpm, HANDLE_RANGE.PERSISTENT_FIRST)) {
    const where = describePersistentHandle(handle);
    const listed = { handle: hex(handle), hierarchy: where.hierarchyHint, purpose: where.purpose };
    try {
      const { outPublic, name } = await tpm.run(ReadPublic, { objectHandle: handle });
      publics.set(handle, outPublic);
      out.push({ ...listed, ...publicSummary(outPublic), name: toHex(name), error: null });
    } catch (e) {
      // One unreadable object must not hide the others (a TpmError is per handle; anything
      // else, such as a lost connection, ends the section).
      if (!(e instanceof TpmError)) throw e;
      out.push({
        ...listed,
        type: '',
        nameAlg: '',
        attributes: '',
        attributesValue: '',
        keyBits: null,
        curve: null,
        name: '',
        error: e.message,
      });
    }
  }
  return out;
}

function publicSummary(
  pub: TpmtPublic,
): Pick<PersistentObject, 'type' | 'nameAlg' | 'attributes' | 'attributesValue' | 'keyBits' | 'curve'> {
  const rsa = pub.type === TPM_ALG.RSA ? pub.parameters : undefined;
  const ecc = pub.type === TPM_ALG.ECC ? pub.parameters : undefined;
  return {
    type: algorithmName(pub.type),
    nameAlg: algorithmName(pub.nameAlg),
    attributes: objectAttributeNames(pub.objectAttributes),
    attributesValue: hex(pub.objectAttributes),
    keyBits: rsa ? rsa.keyBits : null,
    curve: ecc ? eccCurveName(ecc.curveID) : null,
  };
}

async function readNvIndices(tpm: Tpm, publics: Map<number, TpmsNvPublic>): Promise<NvIndex[]> {
  const out: NvIndex[] = [];
  for (const index of await getHandles(tpm, HANDLE_RANGE.NV_INDEX_FIRST)) {
    const { nvPublic, nvName } = await tpm.run(NV_ReadPublic, { nvIndex: index });
    publics.set(index, nvPublic);
    // Part 3 §31.3: TPMA_NV_PLATFORMCREATE records that the platform hierarchy defined the index;
    // such indices survive TPM2_Clear, all others belong to the owner and are deleted by it.
    const platformCreated = (nvPublic.attributes & TPMA_NV.PLATFORMCREATE) !== 0;
    out.push({
      index: hex(index),
      hierarchy: platformCreated ? 'platform' : 'owner',
      platformCreated,
      purpose: describeNvIndex(index).purpose,
      type: nvTypeName(nvIndexType(nvPublic.attributes)),
      nameAlg: algorithmName(nvPublic.nameAlg),
      attributes: nvAttributeNames(nvPublic.attributes),
      attributesValue: hex(nvPublic.attributes),
      size: nvPublic.dataSize,
      authPolicy: toHex(nvPublic.authPolicy),
      name: toHex(nvName),
    });
  }
  return out;
}
