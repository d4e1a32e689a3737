import type { AuthHandle } from '../tpm/command.js';
import { ReadClock } from '../tpm/commands/clock.js';
import { FlushContext } from '../tpm/commands/context.js';
import { CreatePrimary } from '../tpm/commands/hierarchy.js';
import { NV_ReadPublic } from '../tpm/commands/nv.js';
import { ReadPublic } from '../tpm/commands/object.js';
import { TPM_ALG, TPM_ECC_CURVE } from '../tpm/constants/algorithms.js';
import { TPMA_NV, TPMA_OBJECT } from '../tpm/constants/attributes.js';
import { HANDLE_RANGE, PERSISTENT_RANGE, TPM_RH } from '../tpm/constants/handles.js';
import { hex32 } from '../tpm/constants/lookup.js';
import { TPM_PT, TPMA_PERMANENT } from '../tpm/constants/properties.js';
import { readEkCertificates } from '../tpm/ek/certificates.js';
import { createEk } from '../tpm/ek/read-endorsement-keys.js';
import { ekTemplate } from '../tpm/ek/templates.js';
import { getHandles, getProperties } from '../tpm/read/capability.js';
import { password } from '../tpm/session/password.js';
import type { TpmsNvPublic } from '../tpm/structures/nv.js';
import type { TpmtPublic } from '../tpm/structures/public.js';
import type { Tpm } from '../tpm/tpm.js';

/**
 * What a TPM2_Clear changes and what it keeps (Part 3 §24.6), read so that two readings can be
 * compared: see ./clear-proof.ts. Read-only apart from two transient primaries (the SRK and the
 * EK), each flushed whatever happens. Plain data: handles and Names are hex strings, the 64-bit
 * clock a decimal string, so the fingerprint goes into a receipt or a journal as JSON.
 */

/** Owner- and endorsement-hierarchy persistent handles (Part 2 §7.5; TCG handle registry §2.3). */
const OWNER_PERSISTENT_RANGE = PERSISTENT_RANGE.OWNER;

/** A Name (Part 1 §16: nameAlg || H(public area)) in lower-case hex, or why it could not be had. */
export type NameReading = { name: string } | { error: string };

export interface PersistentObjectPrint {
  /** '0x81000005' */
  handle: string;
  name: string;
}

export interface NvIndexPrint {
  /** '0x01C00002' */
  index: string;
  /** The NV Name: nameAlg || H(TPMS_NV_PUBLIC) (Part 1 §16), so it changes with the attributes and size. */
  name: string;
  /** TPMA_NV as '0x62072801'. */
  attributes: string;
}

export interface EkCertificatePrint {
  index: string;
  /** SHA-256 of the certificate's DER, lower-case hex. */
  sha256?: string;
  error?: string;
}

export interface ClearFingerprint {
  /** ISO time of the reading (the host's clock, for people; the proof uses the TPM's). */
  takenAt: string;
  /** The storage root key made from {@link SRK_TEMPLATE} under TPM_RH_OWNER: it changes exactly when the SPS does. */
  srk: NameReading;
  /** Persistent objects in 0x81000000-0x817FFFFF, by handle. */
  persistent: PersistentObjectPrint[];
  /** NV indices, split on TPMA_NV_PLATFORMCREATE (Part 2 §13.4). */
  nv: { platform: NvIndexPrint[]; other: NvIndexPrint[] };
  /** TPM_PT_PERMANENT (Part 2 §8.6). */
  permanent: {
    value: string;
    ownerAuthSet: boolean;
    endorsementAuthSet: boolean;
    lockoutAuthSet: boolean;
    disableClear: boolean;
  };
  /** The L-1 (RSA 2048) EK's Name: derived from the EPS, which TPM2_Clear keeps. */
  ek: NameReading;
  /** EK certificates of the EK Credential Profile range, by index. */
  ekCertificates: EkCertificatePrint[];
  /** TPM2_ReadClock (Part 3 §29.1): TPM2_Clear sets clock, resetCount and restartCount to zero (Part 3 §24.6). */
  clock: { clock: string; resetCount: number; restartCount: number };
}

export interface ClearFingerprintOptions {
  /** The owner hierarchy's auth value (for the SRK and owner-readable EK certificates); default empty. */
  ownerAuth?: string | Uint8Array;
  /** The endorsement hierarchy's auth value (for the EK); default empty. */
  endorsementAuth?: string | Uint8Array;
  now?: () => Date;
}

const SRK_ATTRIBUTES =
  TPMA_OBJECT.fixedTPM |
  TPMA_OBJECT.fixedParent |
  TPMA_OBJECT.sensitiveDataOrigin |
  TPMA_OBJECT.userWithAuth |
  TPMA_OBJECT.noDA |
  TPMA_OBJECT.restricted |
  TPMA_OBJECT.decrypt;

/**
 * TCG TPM v2.0 Provisioning Guidance §7.5.1, the ECC NIST P-256 SRK template, byte for byte as
 * google/go-tpm tpm2/templates.go `ECCSRKTemplate` encodes it: attributes 0x00030472, SHA-256,
 * AES-128-CFB, NULL scheme and KDF, empty authPolicy, unique x and y 32 zero bytes each (go-tpm
 * zero-fills unique like the EK templates; tpm2_createprimary's default leaves it empty, which gives
 * another key and so another Name; only consistency matters here, and this is the published one).
 */
export function srkTemplate(): TpmtPublic {
  return {
    type: TPM_ALG.ECC,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes: SRK_ATTRIBUTES,
    authPolicy: new Uint8Array(0),
    parameters: {
      symmetric: { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB },
      scheme: { scheme: TPM_ALG.NULL },
      curveID: TPM_ECC_CURVE.NIST_P256,
      kdf: { scheme: TPM_ALG.NULL },
    },
    unique: { x: new Uint8Array(32), y: new Uint8Array(32) },
  };
}

/** Reads everything a clear changes or keeps. Throws only when the TPM cannot be read at all. */
export async function takeClearFingerprint(
  tpm: Tpm,
  options: ClearFingerprintOptions = {},
): Promise<ClearFingerprint> {
  const takenAt = (options.now?.() ?? new Date()).toISOString();
  const owner: AuthHandle = { handle: TPM_RH.OWNER, session: password(options.ownerAuth) };
  const endorsement: AuthHandle = {
    handle: TPM_RH.ENDORSEMENT,
    session: password(options.endorsementAuth),
  };

  // First, so that the clock is read before our own commands add to it.
  const { clockInfo } = (await tpm.run(ReadClock, {})).currentTime;
  const permanentValue = (await getProperties(tpm, TPM_PT.PERMANENT, TPM_PT.PERMANENT + 1)).get(
    TPM_PT.PERMANENT,
  );
  if (permanentValue === undefined) throw new Error('the TPM did not report TPM_PT_PERMANENT (0x200)');

  const srk = await nameOf(() => createSrk(tpm, owner));

  const persistent: PersistentObjectPrint[] = [];
  for (const handle of await getHandles(tpm, OWNER_PERSISTENT_RANGE.first)) {
    if (handle > OWNER_PERSISTENT_RANGE.last) continue;
    const { name } = await tpm.run(ReadPublic, { objectHandle: handle });
    persistent.push({ handle: hex32(handle), name: toHex(name) });
  }

  const nvPublics = new Map<number, TpmsNvPublic>();
  const nv: ClearFingerprint['nv'] = { platform: [], other: [] };
  for (const index of await getHandles(tpm, HANDLE_RANGE.NV_INDEX_FIRST)) {
    const { nvPublic, nvName } = await tpm.run(NV_ReadPublic, { nvIndex: index });
    nvPublics.set(index, nvPublic);
    const print = { index: hex32(index), name: toHex(nvName), attributes: hex32(nvPublic.attributes) };
    (nvPublic.attributes & TPMA_NV.PLATFORMCREATE ? nv.platform : nv.other).push(print);
  }

  const ek = await nameOf(
    async () => (await createEk(tpm, ekTemplate('L-1').publicArea(), endorsement)).name,
  );

  const scan = await readEkCertificates(tpm, { ownerAuth: owner, nvPublics });
  const ekCertificates = scan.certificates.map(
    (c): EkCertificatePrint =>
      c.status === 'ok'
        ? { index: hex32(c.nvIndex), sha256: c.sha256Fingerprint }
        : { index: hex32(c.nvIndex), error: c.error },
  );

  return {
    takenAt,
    srk,
    persistent,
    nv,
    permanent: {
      value: hex32(permanentValue),
      ownerAuthSet: (permanentValue & TPMA_PERMANENT.ownerAuthSet) !== 0,
      endorsementAuthSet: (permanentValue & TPMA_PERMANENT.endorsementAuthSet) !== 0,
      lockoutAuthSet: (permanentValue & TPMA_PERMANENT.lockoutAuthSet) !== 0,
      disableClear: (permanentValue & TPMA_PERMANENT.disableClear) !== 0,
    },
    ek,
    ekCertificates,
    clock: {
      clock: clockInfo.clock.toString(),
      resetCount: clockInfo.resetCount,
      restartCount: clockInfo.restartCount,
    },
  };
}

/**
 * TPM2_CreatePrimary(TPM_RH_OWNER, SRK template) (Part 3 §24.1), then TPM2_FlushContext of the
 * object whatever happens (Part 3 §28.4): without a resource manager a leaked object stays loaded
 * until the next reset.
 */
async function createSrk(tpm: Tpm, owner: AuthHandle): Promise<Uint8Array> {
  const empty = new Uint8Array(0);
  const created = await tpm.run(CreatePrimary, {
    primaryHandle: owner,
    inSensitive: { userAuth: empty, data: empty },
    inPublic: srkTemplate(),
    outsideInfo: empty,
    creationPCR: [],
  });
  try {
    return created.name;
  } finally {
    await tpm.run(FlushContext, { flushHandle: created.objectHandle });
  }
}

/** A primary's Name, or the reason it could not be made (wrong hierarchy auth, hierarchy disabled). */
async function nameOf(make: () => Promise<Uint8Array>): Promise<NameReading> {
  try {
    return { name: toHex(await make()) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
