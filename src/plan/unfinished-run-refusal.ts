import { EN, type UiMessages } from '../text/messages/en.js';

/**
 * Why a new clear must not start while another run is unfinished, or undefined when it may: one
 * unfinished run at a time (docs/clear.md, "Safety rules around a run"). A second run would
 * fingerprint a TPM the first may still be clearing. A dry run changes nothing, so it may.
 */
export function unfinishedRunRefusal(
  unfinishedRunIds: readonly string[],
  options: { dryRun: boolean },
  ui: UiMessages = EN,
): string | undefined {
  if (unfinishedRunIds.length === 0 || options.dryRun) return undefined;
  return ui['refusal.unfinished-run']({ runs: unfinishedRunIds.join(', ') });
}
