import type { ClearMethod } from '../remedy/preflight/gate.js';
import { EN, type UiMessages } from '../text/messages/en.js';
import type { ClearTarget } from './tpm-simulator.js';

/**
 * Why a PPI clear cannot be asked of this TPM, or undefined when it can. A physical-presence
 * request is carried out by the firmware at the next boot (TCG PC Client Platform Physical
 * Presence Interface Specification): a lab TPM has no firmware to show the prompt.
 */
export function ppiTargetRefusal(
  method: ClearMethod,
  target: ClearTarget,
  ui: UiMessages = EN,
): string | undefined {
  if (method !== 'ppi' || target.lab === null) return undefined;
  return ui['refusal.ppi-on-lab'];
}
