import { defineCommand } from '../command.js';
import { alias, u32, yesNo } from '../marshal/codec.js';
import { TPMS_CAPABILITY_DATA } from '../structures/capability.js';

/** Part 3 §30.2 TPM2_GetCapability. moreData = YES means ask again from the next property. */
export const GetCapability = defineCommand({
  name: 'TPM2_GetCapability',
  code: 0x17a,
  handles: {},
  params: { capability: alias('TPM_CAP', u32), property: u32, propertyCount: u32 },
  response: { moreData: yesNo, capabilityData: TPMS_CAPABILITY_DATA },
});
