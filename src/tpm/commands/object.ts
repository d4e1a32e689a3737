import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import {
  TPM2B_DATA,
  TPM2B_DIGEST,
  TPM2B_NAME,
  TPM2B_PRIVATE,
  TPM2B_SENSITIVE_DATA,
} from '../structures/basic.js';
import { TPM2B_CREATION_DATA, TPMT_TK_CREATION } from '../structures/creation.js';
import { TPML_PCR_SELECTION } from '../structures/pcr.js';
import { TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE } from '../structures/public.js';

/** Part 3 §12.1 TPM2_Create: a child object, returned (not loaded). */
export const Create = defineCommand({
  code: TPM_CC.Create,
  handles: { parentHandle: 'auth' },
  params: {
    inSensitive: TPM2B_SENSITIVE_CREATE,
    inPublic: TPM2B_PUBLIC,
    outsideInfo: TPM2B_DATA,
    creationPCR: TPML_PCR_SELECTION,
  },
  response: {
    outPrivate: TPM2B_PRIVATE,
    outPublic: TPM2B_PUBLIC,
    creationData: TPM2B_CREATION_DATA,
    creationHash: TPM2B_DIGEST,
    creationTicket: TPMT_TK_CREATION,
  },
});

/** Part 3 §12.2 TPM2_Load. */
export const Load = defineCommand({
  code: TPM_CC.Load,
  handles: { parentHandle: 'auth' },
  params: { inPrivate: TPM2B_PRIVATE, inPublic: TPM2B_PUBLIC },
  responseHandles: ['objectHandle'],
  response: { name: TPM2B_NAME },
});

/** Part 3 §12.7 TPM2_Unseal. */
export const Unseal = defineCommand({
  code: TPM_CC.Unseal,
  handles: { itemHandle: 'auth' },
  params: {},
  response: { outData: TPM2B_SENSITIVE_DATA },
});

/** Part 3 §12.4 TPM2_ReadPublic: no authorisation; works on transient and persistent objects. */
export const ReadPublic = defineCommand({
  code: TPM_CC.ReadPublic,
  handles: { objectHandle: 'handle' },
  params: {},
  response: { outPublic: TPM2B_PUBLIC, name: TPM2B_NAME, qualifiedName: TPM2B_NAME },
});
