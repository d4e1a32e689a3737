import { defineCommand } from '../command.js';
import { alias, u32, yesNo } from '../marshal/codec.js';
import { TPM2B_AUTH, TPM2B_DATA, TPM2B_DIGEST, TPM2B_NAME } from '../structures/basic.js';
import { TPM2B_CREATION_DATA, TPMT_TK_CREATION } from '../structures/creation.js';
import { TPML_PCR_SELECTION } from '../structures/pcr.js';
import { TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE } from '../structures/public.js';

/** Part 3 §24.1 TPM2_CreatePrimary: derived from the hierarchy's seed, so the same template gives the same key. */
export const CreatePrimary = defineCommand({
  name: 'TPM2_CreatePrimary',
  code: 0x131,
  handles: { primaryHandle: 'auth' },
  params: {
    inSensitive: TPM2B_SENSITIVE_CREATE,
    inPublic: TPM2B_PUBLIC,
    outsideInfo: TPM2B_DATA,
    creationPCR: TPML_PCR_SELECTION,
  },
  responseHandles: ['objectHandle'],
  response: {
    outPublic: TPM2B_PUBLIC,
    creationData: TPM2B_CREATION_DATA,
    creationHash: TPM2B_DIGEST,
    creationTicket: TPMT_TK_CREATION,
    name: TPM2B_NAME,
  },
});

/** Part 3 §24.2 TPM2_HierarchyControl: enable or disable a hierarchy (TPM_RH_OWNER/ENDORSEMENT/PLATFORM/PLATFORM_NV). */
export const HierarchyControl = defineCommand({
  name: 'TPM2_HierarchyControl',
  code: 0x121,
  handles: { authHandle: 'auth' },
  params: { enable: alias('TPMI_RH_ENABLES', u32), state: yesNo },
  response: {},
});

/** Part 3 §24.8 TPM2_HierarchyChangeAuth. */
export const HierarchyChangeAuth = defineCommand({
  name: 'TPM2_HierarchyChangeAuth',
  code: 0x129,
  handles: { authHandle: 'auth' },
  params: { newAuth: TPM2B_AUTH },
  response: {},
});

/**
 * Part 3 §24.6 TPM2_Clear: authorised by TPM_RH_LOCKOUT or TPM_RH_PLATFORM. Regenerates the
 * storage and endorsement proofs and SPS (not the EPS), flushes owner/endorsement objects and
 * non-platform NV indices, resets ownerAuth/endorsementAuth/lockoutAuth. TPM_RC_DISABLED when
 * disableClear is set.
 */
export const Clear = defineCommand({
  name: 'TPM2_Clear',
  code: 0x126,
  handles: { authHandle: 'auth' },
  params: {},
  response: {},
});

/** Part 3 §24.7 TPM2_ClearControl: lockout may only set disableClear; platform may set or clear it. */
export const ClearControl = defineCommand({
  name: 'TPM2_ClearControl',
  code: 0x127,
  handles: { auth: 'auth' },
  params: { disable: yesNo },
  response: {},
});
