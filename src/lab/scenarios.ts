import { TpmDoctorError } from '../errors.js';
import { EvictControl, FlushContext } from '../tpm/commands/context.js';
import { ClearControl, CreatePrimary } from '../tpm/commands/hierarchy.js';
import { NV_DefineSpace, NV_Read, NV_Write } from '../tpm/commands/nv.js';
import { TPM_ALG, TPM_ECC_CURVE } from '../tpm/constants/algorithms.js';
import { TPMA_NV, TPMA_OBJECT } from '../tpm/constants/attributes.js';
import { TPM_RH } from '../tpm/constants/handles.js';
import { RC } from '../tpm/rc/decode-response-code.js';
import { TpmError } from '../tpm/rc/tpm-error.js';
import { password } from '../tpm/session/password.js';
import type { TpmtPublic } from '../tpm/structures/public.js';
import type { Tpm } from '../tpm/tpm.js';

/**
 * Broken states a lab TPM can be put into, so that `diagnose --tpm lab:NAME` shows a real
 * finding on a real (software) TPM. These build the state with tpm-doctor's own client: they
 * are a demo, not a test oracle (tests build their states with tpm2-tools).
 */
export const LAB_SCENARIOS = {
  healthy: { summary: 'a freshly provisioned TPM, as a new PC has it', apply: async () => {} },
  'stale-objects': {
    summary: 'keys and an NV index left in the owner hierarchy by a previous owner or OS',
    apply: staleObjects,
  },
  lockout: {
    summary: 'dictionary-attack lockout after repeated wrong passwords',
    apply: lockout,
  },
  'disable-clear': { summary: 'disableClear set through lockout authorisation', apply: disableClear },
  'transient-leak': {
    summary: 'transient objects left loaded by a client without a resource manager',
    apply: transientLeak,
  },
} as const satisfies Record<string, { summary: string; apply: (tpm: Tpm) => Promise<void> }>;

export type LabScenario = keyof typeof LAB_SCENARIOS;

const STALE_NV_INDEX = 0x01500016;
const LOCKOUT_NV_INDEX = 0x01500017;

/** An ECC P-256 storage key template (TCG Provisioning Guidance SRK shape; fast to create). */
function storageKey(): TpmtPublic {
  return {
    type: TPM_ALG.ECC,
    nameAlg: TPM_ALG.SHA256,
    objectAttributes:
      TPMA_OBJECT.fixedTPM |
      TPMA_OBJECT.fixedParent |
      TPMA_OBJECT.sensitiveDataOrigin |
      TPMA_OBJECT.userWithAuth |
      TPMA_OBJECT.noDA |
      TPMA_OBJECT.restricted |
      TPMA_OBJECT.decrypt,
    authPolicy: new Uint8Array(0),
    parameters: {
      symmetric: { algorithm: TPM_ALG.AES, keyBits: 128, mode: TPM_ALG.CFB },
      scheme: { scheme: TPM_ALG.NULL },
      curveID: TPM_ECC_CURVE.NIST_P256,
      kdf: { scheme: TPM_ALG.NULL },
    },
    unique: { x: new Uint8Array(0), y: new Uint8Array(0) },
  };
}

async function createPrimary(tpm: Tpm): Promise<number> {
  const { objectHandle } = await tpm.run(CreatePrimary, {
    primaryHandle: TPM_RH.OWNER,
    inSensitive: { userAuth: new Uint8Array(0), data: new Uint8Array(0) },
    inPublic: storageKey(),
    outsideInfo: new Uint8Array(0),
    creationPCR: [],
  });
  return objectHandle;
}

async function staleObjects(tpm: Tpm): Promise<void> {
  for (const persistentHandle of [0x81000010, 0x81000011]) {
    const handle = await createPrimary(tpm);
    try {
      await tpm.run(EvictControl, { auth: TPM_RH.OWNER, objectHandle: handle, persistentHandle });
    } finally {
      await tpm.run(FlushContext, { flushHandle: handle });
    }
  }
  await tpm.run(NV_DefineSpace, {
    authHandle: TPM_RH.OWNER,
    auth: new Uint8Array(0),
    // An ordinary index (TPM_NT 0).
    publicInfo: {
      nvIndex: STALE_NV_INDEX,
      nameAlg: TPM_ALG.SHA256,
      attributes:
        TPMA_NV.OWNERWRITE | TPMA_NV.AUTHWRITE | TPMA_NV.OWNERREAD | TPMA_NV.AUTHREAD | TPMA_NV.NO_DA,
      authPolicy: new Uint8Array(0),
      dataSize: 32,
    },
  });
  await tpm.run(NV_Write, {
    authHandle: TPM_RH.OWNER,
    nvIndex: STALE_NV_INDEX,
    data: new TextEncoder().encode('previous owner data'.padEnd(32, '.')),
    offset: 0,
  });
}

/** Wrong passwords on a DA-protected NV index until the TPM locks out (Part 1 §19.8.6). */
async function lockout(tpm: Tpm): Promise<void> {
  const right = password('lab-right-password');
  await tpm.run(NV_DefineSpace, {
    authHandle: TPM_RH.OWNER,
    auth: new TextEncoder().encode('lab-right-password'),
    // No NO_DA: failures count toward lockout.
    publicInfo: {
      nvIndex: LOCKOUT_NV_INDEX,
      nameAlg: TPM_ALG.SHA256,
      attributes: TPMA_NV.AUTHWRITE | TPMA_NV.AUTHREAD,
      authPolicy: new Uint8Array(0),
      dataSize: 8,
    },
  });
  await tpm.run(NV_Write, {
    authHandle: { handle: LOCKOUT_NV_INDEX, session: right },
    nvIndex: LOCKOUT_NV_INDEX,
    data: new Uint8Array(8),
    offset: 0,
  });
  for (let attempt = 0; attempt < 64; attempt++) {
    try {
      await tpm.run(NV_Read, {
        authHandle: { handle: LOCKOUT_NV_INDEX, session: password(`wrong-${attempt}`) },
        nvIndex: LOCKOUT_NV_INDEX,
        size: 8,
        offset: 0,
      });
    } catch (e) {
      if (e instanceof TpmError && e.is(RC.LOCKOUT)) return; // done
      if (!(e instanceof TpmError) || !e.is(RC.AUTH_FAIL)) throw e; // expected until then
    }
  }
  throw new TpmDoctorError('lab-unavailable', 'the lab TPM did not lock out after 64 wrong passwords');
}

async function disableClear(tpm: Tpm): Promise<void> {
  await tpm.run(ClearControl, { auth: TPM_RH.LOCKOUT, disable: true });
}

async function transientLeak(tpm: Tpm): Promise<void> {
  await createPrimary(tpm);
  await createPrimary(tpm);
}

/**
 * Parses `lab:` / `lab:a,b` into scenario names, with a clear error for an unknown or repeated
 * one (a scenario applied twice meets the state its first run left, e.g. a TPM already locked out).
 */
export function parseLabScenarios(spec: string): LabScenario[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const name of names) {
    if (!(name in LAB_SCENARIOS)) {
      throw new TpmDoctorError(
        'tpm-uri',
        `unknown lab scenario "${name}". Known: ${Object.keys(LAB_SCENARIOS).join(', ')} (combine with commas: lab:stale-objects,lockout)`,
      );
    }
  }
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) {
    throw new TpmDoctorError('tpm-uri', `lab scenario "${repeated}" is given twice; give each scenario once`);
  }
  return names as LabScenario[];
}
