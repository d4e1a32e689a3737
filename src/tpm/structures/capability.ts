import { TPM_CAP } from '../constants/structure-tags.js';
import {
  alias,
  bytes8,
  type Codec,
  discriminated,
  list,
  select,
  struct,
  u16,
  u32,
  type Variants,
} from '../marshal/codec.js';
import { TPM_ALG_ID, TPM_HANDLE, TPMT_HA } from './basic.js';
import { TPML_PCR_SELECTION } from './pcr.js';

/** Part 2 §10.8.1 TPMS_ALG_PROPERTY. */
const TPMS_ALG_PROPERTY = struct('TPMS_ALG_PROPERTY', {
  alg: TPM_ALG_ID,
  algProperties: alias('TPMA_ALGORITHM', u32),
});
/** Part 2 §10.8.2 TPMS_TAGGED_PROPERTY. */
const TPMS_TAGGED_PROPERTY = struct('TPMS_TAGGED_PROPERTY', { property: u32, value: u32 });
/** Part 2 §10.8.3 TPMS_TAGGED_PCR_SELECT. */
const TPMS_TAGGED_PCR_SELECT = struct('TPMS_TAGGED_PCR_SELECT', {
  tag: alias('TPM_PT_PCR', u32),
  pcrSelect: bytes8('pcrSelect'),
});
/** Part 2 §10.8.4 TPMS_TAGGED_POLICY. */
const TPMS_TAGGED_POLICY = struct('TPMS_TAGGED_POLICY', { handle: TPM_HANDLE, policyHash: TPMT_HA });
/** Part 2 §10.8.5 TPMS_ACT_DATA. */
const TPMS_ACT_DATA = struct('TPMS_ACT_DATA', {
  handle: TPM_HANDLE,
  timeout: u32,
  attributes: alias('TPMA_ACT', u32),
});

/** Part 2 §10.10.1 TPMU_CAPABILITIES: what each TPM_CAP (Part 2 §6.12) returns. */
const CAPABILITIES = {
  [TPM_CAP.ALGS]: list('TPML_ALG_PROPERTY', TPMS_ALG_PROPERTY),
  [TPM_CAP.HANDLES]: list('TPML_HANDLE', TPM_HANDLE),
  [TPM_CAP.COMMANDS]: list('TPML_CCA', alias('TPMA_CC', u32)),
  [TPM_CAP.PP_COMMANDS]: list('TPML_CC', alias('TPM_CC', u32)),
  [TPM_CAP.AUDIT_COMMANDS]: list('TPML_CC', alias('TPM_CC', u32)),
  [TPM_CAP.PCRS]: TPML_PCR_SELECTION,
  [TPM_CAP.TPM_PROPERTIES]: list('TPML_TAGGED_TPM_PROPERTY', TPMS_TAGGED_PROPERTY),
  [TPM_CAP.PCR_PROPERTIES]: list('TPML_TAGGED_PCR_PROPERTY', TPMS_TAGGED_PCR_SELECT),
  [TPM_CAP.ECC_CURVES]: list('TPML_ECC_CURVE', alias('TPM_ECC_CURVE', u16)),
  [TPM_CAP.AUTH_POLICIES]: list('TPML_TAGGED_POLICY', TPMS_TAGGED_POLICY),
  [TPM_CAP.ACT]: list('TPML_ACT_DATA', TPMS_ACT_DATA),
} as const;

/** The capabilities TPMU_CAPABILITIES has a member for (TPM_CAP_ALGS .. TPM_CAP_ACT). */
export type CapabilityId = keyof typeof CAPABILITIES;

/** One item of each capability's list: `CapabilityItems[typeof TPM_CAP.HANDLES]` is a handle. */
export type CapabilityItems = { [C in CapabilityId]: Variants<typeof CAPABILITIES>[C][number] };

/** TPMS_CAPABILITY_DATA of one capability. */
export interface CapabilityData<C extends CapabilityId> {
  capability: C;
  data: CapabilityItems[C][];
}

/**
 * Part 2 §10.10.2 TPMS_CAPABILITY_DATA, discriminated by `capability`: after
 * `d.capability === TPM_CAP.HANDLES`, `d.data` is a list of handles, with no cast.
 */
export type TpmsCapabilityData = { [C in CapabilityId]: CapabilityData<C> }[CapabilityId];

/** Part 2 §10.10.2 TPMS_CAPABILITY_DATA: TPMU_CAPABILITIES is selected by `capability`. */
export const TPMS_CAPABILITY_DATA: Codec<TpmsCapabilityData> = discriminated(
  struct('TPMS_CAPABILITY_DATA', {
    capability: alias('TPM_CAP', u32),
    data: select('TPMU_CAPABILITIES', 'capability', CAPABILITIES),
  }),
);

/** Whether `data` answers capability `capability`: narrows it to that capability's list. */
export function isCapabilityData<C extends CapabilityId>(
  data: TpmsCapabilityData,
  capability: C,
): data is TpmsCapabilityData & CapabilityData<C> {
  return data.capability === capability;
}
