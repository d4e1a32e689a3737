import type { CommandRunner } from '../command.js';
import { GetCapability } from '../commands/capability.js';
import { commandCodeFromAttributes } from '../constants/attributes.js';
import { HANDLE_RANGE, handleType } from '../constants/handles.js';
import { TPM_CAP } from '../constants/structure-tags.js';
import { MarshalError } from '../errors.js';
import { type CapabilityId, type CapabilityItems, isCapabilityData } from '../structures/capability.js';

export type { CapabilityId, CapabilityItems } from '../structures/capability.js';

/** The property/handle/code an item stands at, so the next page can start right after it. */
const POSITION: { [C in CapabilityId]: (item: CapabilityItems[C]) => number } = {
  [TPM_CAP.ALGS]: (a) => a.alg,
  [TPM_CAP.HANDLES]: (h) => h,
  [TPM_CAP.COMMANDS]: commandCodeFromAttributes,
  [TPM_CAP.PP_COMMANDS]: (cc) => cc,
  [TPM_CAP.AUDIT_COMMANDS]: (cc) => cc,
  [TPM_CAP.PCRS]: (s) => s.hash,
  [TPM_CAP.TPM_PROPERTIES]: (p) => p.property,
  [TPM_CAP.PCR_PROPERTIES]: (p) => p.tag,
  [TPM_CAP.ECC_CURVES]: (c) => c,
  [TPM_CAP.AUTH_POLICIES]: (p) => p.handle,
  [TPM_CAP.ACT]: (a) => a.handle,
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
    if (!isCapabilityData(capabilityData, capability)) {
      throw new MarshalError(
        `TPM2_GetCapability answered capability ${capabilityData.capability} when asked for ${capability}`,
        0,
      );
    }
    const items: CapabilityItems[C][] = capabilityData.data;
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
  const props = await getCapabilityAll(tpm, TPM_CAP.TPM_PROPERTIES, first, until);
  return new Map(props.map((p) => [p.property, p.value]));
}

/**
 * Every handle of the type whose first handle is `first`, e.g. HANDLE_RANGE.PERSISTENT_FIRST
 * (Part 3 §30.2: the most significant octet selects the type).
 */
export function getHandles(tpm: CommandRunner, first: number): Promise<number[]> {
  const typeEnd = (handleType(first) + 1) * 2 ** HANDLE_RANGE.HR_SHIFT;
  return getCapabilityAll(tpm, TPM_CAP.HANDLES, first, typeEnd);
}
