import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { alias, u32, yesNo } from '../marshal/codec.js';
import { TPM2B_AUTH, TPM2B_DATA, TPM2B_DIGEST, TPM2B_NAME } from '../structures/basic.js';
import { TPM2B_CREATION_DATA, TPMT_TK_CREATION } from '../structures/creation.js';
import { TPML_PCR_SELECTION } from '../structures/pcr.js';
import { TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE } from '../structures/public.js';

/** Part 3 §24.1 TPM2_CreatePrimary: derived from the hierarchy's seed, so the same template gives the same key. */
export const CreatePrimary = defineCommand({
  code: TPM_CC.CreatePrimary,
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
  code: TPM_CC.HierarchyControl,
  handles: { authHandle: 'auth' },
  params: { enable: alias('TPMI_RH_ENABLES', u32), state: yesNo },
  response: {},
});

/** Part 3 §24.8 TPM2_HierarchyChangeAuth. */
export const HierarchyChangeAuth = defineCommand({
  code: TPM_CC.HierarchyChangeAuth,
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
  code: TPM_CC.Clear,
  handles: { authHandle: 'auth' },
  params: {},
  response: {},
});

/** Part 3 §24.7 TPM2_ClearControl: lockout may only set disableClear; platform may set or clear it. */
export const ClearControl = defineCommand({
  code: TPM_CC.ClearControl,
  handles: { auth: 'auth' },
  params: { disable: yesNo },
  response: {},
});
