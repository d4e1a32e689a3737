import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { u16 } from '../marshal/codec.js';
import { TPM2B_AUTH, TPM2B_MAX_NV_BUFFER, TPM2B_NAME } from '../structures/basic.js';
import { TPM2B_NV_PUBLIC } from '../structures/nv.js';

/** Part 3 §31.3 TPM2_NV_DefineSpace: owner- or platform-authorised. */
export const NV_DefineSpace = defineCommand({
  code: TPM_CC.NV_DefineSpace,
  handles: { authHandle: 'auth' },
  params: { auth: TPM2B_AUTH, publicInfo: TPM2B_NV_PUBLIC },
  response: {},
});

/** Part 3 §31.6 TPM2_NV_ReadPublic: no authorisation. */
export const NV_ReadPublic = defineCommand({
  code: TPM_CC.NV_ReadPublic,
  handles: { nvIndex: 'handle' },
  params: {},
  response: { nvPublic: TPM2B_NV_PUBLIC, nvName: TPM2B_NAME },
});

/** Part 3 §31.13 TPM2_NV_Read: at most TPM_PT_NV_BUFFER_MAX bytes per call; see ../nv-read-all.ts. */
export const NV_Read = defineCommand({
  code: TPM_CC.NV_Read,
  handles: { authHandle: 'auth', nvIndex: 'handle' },
  params: { size: u16, offset: u16 },
  response: { data: TPM2B_MAX_NV_BUFFER },
});

/** Part 3 §31.7 TPM2_NV_Write. */
export const NV_Write = defineCommand({
  code: TPM_CC.NV_Write,
  handles: { authHandle: 'auth', nvIndex: 'handle' },
  params: { data: TPM2B_MAX_NV_BUFFER, offset: u16 },
  response: {},
});
