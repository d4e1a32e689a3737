import type { CommandRunner } from '../command.js';
import { GetCapability } from '../commands/capability.js';
import { MarshalError } from '../errors.js';
import type {
  TpmsActData,
  TpmsAlgProperty,
  TpmsTaggedPcrSelect,
  TpmsTaggedPolicy,
  TpmsTaggedProperty,
} from '../structures/capability.js';
import type { TpmsPcrSelection } from '../structures/pcr.js';

/** TPM_CAP values (Part 2 §6.12) and what each returns. */
export interface CapabilityItems {
  0: TpmsAlgProperty; // TPM_CAP_ALGS
  1: number; // TPM_CAP_HANDLES
  2: number; // TPM_CAP_COMMANDS (TPMA_CC)
  3: number; // TPM_CAP_PP_COMMANDS (TPM_CC)
  4: number; // TPM_CAP_AUDIT_COMMANDS (TPM_CC)
  5: TpmsPcrSelection; // TPM_CAP_PCRS
  6: TpmsTaggedProperty; // TPM_CAP_TPM_PROPERTIES
  7: TpmsTaggedPcrSelect; // TPM_CAP_PCR_PROPERTIES
  8: number; // TPM_CAP_ECC_CURVES
  9: TpmsTaggedPolicy; // TPM_CAP_AUTH_POLICIES
  10: TpmsActData; // TPM_CAP_ACT
}
export type CapabilityId = keyof CapabilityItems;

/** The property/handle/code an item stands at, so the next page can start right after it. */
const POSITION: { [C in CapabilityId]: (item: CapabilityItems[C]) => number } = {
  0: (a) => a.alg,
  1: (h) => h,
  // TPMA_CC: commandIndex in bits 15:0 plus the V (vendor) bit 29 form the command code (Part 2 §8.9).
  2: (cca) => (cca & 0xffff) | (cca & 0x20000000),
  3: (cc) => cc,
  4: (cc) => cc,
  5: (s) => s.hash,
  6: (p) => p.property,
  7: (p) => p.tag,
  8: (c) => c,
  9: (p) => p.handle,
  10: (a) => a.handle,
};

/** How many items to ask for per call; the TPM returns fewer when its response buffer fills (moreData). */
const PAGE = 0x400;

/**
 * Every item of one capability from `first` on, following moreData across as many
 * TPM2_GetCapability calls as the TPM needs (Part 3 §30.2). `until` bounds the range: items at
 * or past it end the read (e.g. only fixed properties, only persistent handles).
 */
export async function getCapabilityAll<C extends CapabilityId>(
  tpm: CommandRunner,
  capability: C,
  first: number,
  until = 0x1_0000_0000,
): Promise<CapabilityItems[C][]> {
  const out: CapabilityItems[C][] = [];
  let property = first;
  for (;;) {
    const { moreData, capabilityData } = await tpm.run(GetCapability, {
      capability,
      property,
      propertyCount: PAGE,
    });
    if (capabilityData.capability !== capability) {
      throw new MarshalError(
        `TPM2_GetCapability answered capability ${capabilityData.capability} when asked for ${capability}`,
        0,
      );
    }
    const items = capabilityData.data as CapabilityItems[C][];
    let last = property - 1;
    for (const item of items) {
      const at = POSITION[capability](item);
      if (at >= until) return out;
      last = at;
      out.push(item);
    }
    if (!moreData) return out;
    // A TPM that says "more" but makes no progress would loop forever; stop with a clear error.
    if (items.length === 0 || last + 1 <= property) {
      throw new MarshalError(
        `TPM2_GetCapability(${capability}) reported moreData without progress at property 0x${property.toString(16)}`,
        0,
      );
    }
    property = last + 1;
  }
}

/** Every TPM property in [first, until) as a map (Part 2 §6.13: PT_FIXED 0x100.., PT_VAR 0x200..). */
export async function getProperties(
  tpm: CommandRunner,
  first: number,
  until: number,
): Promise<Map<number, number>> {
  const props = await getCapabilityAll(tpm, 6, first, until);
  return new Map(props.map((p) => [p.property, p.value]));
}

/** Every handle of the type whose first handle is `first` (Part 3 §30.2: the MSO selects the type). */
export function getHandles(tpm: CommandRunner, first: number): Promise<number[]> {
  const typeEnd = ((first >>> 24) + 1) * 0x1000000;
  return getCapabilityAll(tpm, 1, first, typeEnd);
}
