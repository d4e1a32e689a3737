import { defineCommand } from '../command.js';
import { TPM_CC } from '../constants/command-codes.js';
import { alias, u32, yesNo } from '../marshal/codec.js';
import { TPMS_CAPABILITY_DATA } from '../structures/capability.js';

/** Part 3 §30.2 TPM2_GetCapability. moreData = YES means ask again from the next property. */
export const GetCapability = defineCommand({
  code: TPM_CC.GetCapability,
  handles: {},
  params: { capability: alias('TPM_CAP', u32), property: u32, propertyCount: u32 },
  response: { moreData: yesNo, capabilityData: TPMS_CAPABILITY_DATA },
});
