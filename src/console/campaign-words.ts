import { ALL_PHASES } from '../fleet/campaign/campaign-phases.js';
import { phaseLabel, storedErrorText } from '../fleet/campaign/campaign-status.js';
import { redactGraphError } from '../fleet/campaign/redact-graph-error.js';
import type { CampaignAction, CampaignStatus, DevicePhase } from '../fleet/store/fleet-store.js';
import type { UiMessages } from '../text/messages/en.js';
import type { TitledId } from './api-types.js';

/**
 * A campaign's words in the admin's language, from the catalog `fleet status` writes with
 * (src/text/messages/): the API sends each next to its English code, so a script reads the code
 * and the page shows the word. A value outside the vocabulary (a store written by another build)
 * is shown as it is.
 */
export function actionTitle(ui: UiMessages, action: string): string {
  return Object.hasOwn(ui, `fleet.action.${action}`)
    ? ui[`fleet.action.${action as CampaignAction}`]
    : action;
}

export function statusTitle(ui: UiMessages, status: string): string {
  return Object.hasOwn(ui, `fleet.state.${status}`) ? ui[`fleet.state.${status as CampaignStatus}`] : status;
}

/** A device's phase as one word (the table's cell), as `fleet status` lists the devices that need a look. */
export function phaseTitle(ui: UiMessages, phase: string): string {
  return Object.hasOwn(ui, `fleet.phase-word.${phase}`)
    ? ui[`fleet.phase-word.${phase as DevicePhase}`]
    : phase;
}

/** Every phase in the order a device moves through them, with what it means for this action (`fleet status`'s counts). */
export function phaseTitles(ui: UiMessages, action: CampaignAction): TitledId[] {
  return ALL_PHASES.map((id) => ({ id, title: phaseLabel(ui, action, id) }));
}

/**
 * A device's stored note (Graph's error, a timed-out wait, a clear's report) redacted as every
 * answer shows it, in the admin's language where tpm-doctor wrote it; Graph's own texts stay as
 * Graph wrote them.
 */
export function noteText(ui: UiMessages, error: string | null): string | null {
  return error === null ? null : storedErrorText(redactGraphError(error), ui);
}
