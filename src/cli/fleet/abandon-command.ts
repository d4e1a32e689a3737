import { EXIT } from '../../exit-codes.js';
import { campaignStatus, phaseLabel, renderCampaignStatus } from '../../fleet/campaign/campaign-status.js';
import { openDeviceLines, openDevices } from '../../fleet/campaign/open-devices.js';
import type { DevicePhase } from '../../fleet/store/fleet-store.js';
import { openFleetStore } from '../../fleet/store/open-store.js';
import { loadMessages } from '../../text/messages/catalog.js';
import type { Language } from '../../text/messages/language.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { UsageError } from '../usage-error.js';

const OPTIONS = {
  store: {
    type: 'string',
    value: 'SPEC',
    help: `A SQLite file, sqlite:PATH or postgres://... (default: fleet.sqlite in
~/.local/state/tpm-doctor, /var/lib/tpm-doctor as root; or TPM_DOCTOR_STORE).`,
  },
  json: {
    type: 'boolean',
    help: "The campaign's status and every device not done, as JSON (docs/campaigns.md).",
  },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'fleet abandon',
  options: OPTIONS,
  page: {
    title: 'give up a stopped campaign for good, without calling Graph.',
    usage: 'CAMPAIGN-ID [--store SPEC] [--json]',
    about: `The campaign is marked abandoned in the store: nothing of it is posted again (a runner still
going stops marking devices), it is never resumed, and its devices still open are listed as not
done. Devices it never posted to are free for a new campaign; those it posted to are not sent
the same action again by a new campaign before the abandoned one's deadline.`,
    footer: `Exit codes: 0 abandoned (or already was); 2 no such campaign in the store, or the campaign is
finished (nothing to abandon); 15 the store could not be opened or written.`,
  },
};

/** How many not-done devices the text lists; --json lists every one. */

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values, positionals } = parseVerbArgs('fleet abandon', argv, OPTIONS, true);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      'give the campaign id to abandon ("tpm-doctor fleet status" lists them)',
      'fleet abandon',
    );
  const id = positionals[0] as string;
  const store = await openFleetStore(values.store, { mustExist: true });
  try {
    const campaign = await store.getCampaign(id);
    if (!campaign) {
      throw new UsageError(
        `no campaign "${id}" in ${store.description} ("tpm-doctor fleet status" lists them)`,
        'fleet abandon',
      );
    }
    if (campaign.status === 'finished') {
      throw new UsageError(`campaign ${id} is finished: nothing to abandon`, 'fleet abandon');
    }
    await store.setCampaignStatus(id, 'abandoned');
    const notDone = await openDevices(store, id, campaign.action);
    const status = await campaignStatus(store, id, { problemLimit: values.json ? 10_000 : 20 });
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...status, notDone }, null, 2)}\n`);
      return EXIT.OK;
    }
    // The screen in the admin's language and time zone; JSON keeps English and UTC.
    const { ui } = await loadMessages(language);
    const lines = [renderCampaignStatus(status, { ui, language }).trimEnd()];
    lines.push(
      ...openDeviceLines(
        notDone,
        ui['fleet.abandon.heading'],
        {
          posted: ui['fleet.open.no-longer-followed'],
          notPosted: ui['fleet.open.never-posted'],
          phase: (phase) => phaseLabel(ui, campaign.action, phase as DevicePhase),
        },
        ui,
      ),
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.OK;
  } finally {
    await store.close();
  }
}
