import { alias, bytes8, type Infer, list, select, struct, u16, u32 } from '../marshal/codec.js';
import { TPM_ALG_ID, TPM_HANDLE, TPMT_HA } from './basic.js';
import { TPML_PCR_SELECTION } from './pcr.js';

// Part 2 §6.12 TPM_CAP: the selector of TPMU_CAPABILITIES.
const CAP = {
  ALGS: 0,
  HANDLES: 1,
  COMMANDS: 2,
  PP_COMMANDS: 3,
  AUDIT_COMMANDS: 4,
  PCRS: 5,
  TPM_PROPERTIES: 6,
  PCR_PROPERTIES: 7,
  ECC_CURVES: 8,
  AUTH_POLICIES: 9,
  ACT: 10,
} as const;

/** Part 2 §10.8.1 TPMS_ALG_PROPERTY. */
export const TPMS_ALG_PROPERTY = struct('TPMS_ALG_PROPERTY', {
  alg: TPM_ALG_ID,
  algProperties: alias('TPMA_ALGORITHM', u32),
});
/** Part 2 §10.8.2 TPMS_TAGGED_PROPERTY. */
export const TPMS_TAGGED_PROPERTY = struct('TPMS_TAGGED_PROPERTY', { property: u32, value: u32 });
/** Part 2 §10.8.3 TPMS_TAGGED_PCR_SELECT. */
export const TPMS_TAGGED_PCR_SELECT = struct('TPMS_TAGGED_PCR_SELECT', {
  tag: alias('TPM_PT_PCR', u32),
  pcrSelect: bytes8('pcrSelect'),
});
/** Part 2 §10.8.4 TPMS_TAGGED_POLICY. */
export const TPMS_TAGGED_POLICY = struct('TPMS_TAGGED_POLICY', { handle: TPM_HANDLE, policyHash: TPMT_HA });
/** Part 2 §10.8.5 TPMS_ACT_DATA. */
export const TPMS_ACT_DATA = struct('TPMS_ACT_DATA', {
  handle: TPM_HANDLE,
  timeout: u32,
  attributes: alias('TPMA_ACT', u32),
});

export type TpmsAlgProperty = Infer<typeof TPMS_ALG_PROPERTY>;
export type TpmsTaggedProperty = Infer<typeof TPMS_TAGGED_PROPERTY>;
export type TpmsTaggedPcrSelect = Infer<typeof TPMS_TAGGED_PCR_SELECT>;
export type TpmsTaggedPolicy = Infer<typeof TPMS_TAGGED_POLICY>;
export type TpmsActData = Infer<typeof TPMS_ACT_DATA>;

/** Part 2 §10.10.2 TPMS_CAPABILITY_DATA: TPMU_CAPABILITIES is selected by `capability`. */
export const TPMS_CAPABILITY_DATA = struct('TPMS_CAPABILITY_DATA', {
  capability: alias('TPM_CAP', u32),
  data: select<unknown[]>('TPMU_CAPABILITIES', 'capability', {
    [CAP.ALGS]: list('TPML_ALG_PROPERTY', TPMS_ALG_PROPERTY),
    [CAP.HANDLES]: list('TPML_HANDLE', TPM_HANDLE),
    [CAP.COMMANDS]: list('TPML_CCA', alias('TPMA_CC', u32)),
    [CAP.PP_COMMANDS]: list('TPML_CC', alias('TPM_CC', u32)),
    [CAP.AUDIT_COMMANDS]: list('TPML_CC', alias('TPM_CC', u32)),
    [CAP.PCRS]: TPML_PCR_SELECTION,
    [CAP.TPM_PROPERTIES]: list('TPML_TAGGED_TPM_PROPERTY', TPMS_TAGGED_PROPERTY),
    [CAP.PCR_PROPERTIES]: list('TPML_TAGGED_PCR_PROPERTY', TPMS_TAGGED_PCR_SELECT),
    [CAP.ECC_CURVES]: list('TPML_ECC_CURVE', alias('TPM_ECC_CURVE', u16)),
    [CAP.AUTH_POLICIES]: list('TPML_TAGGED_POLICY', TPMS_TAGGED_POLICY),
    [CAP.ACT]: list('TPML_ACT_DATA', TPMS_ACT_DATA),
  }),
});
