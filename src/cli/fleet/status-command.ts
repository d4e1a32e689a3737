import { EXIT } from '../../exit-codes.js';
import { campaignStatus, phaseLabel, renderCampaignStatus } from '../../fleet/campaign/campaign-status.js';
import { openDeviceLines, openDevices } from '../../fleet/campaign/open-devices.js';
import type { DevicePhase } from '../../fleet/store/fleet-store.js';
import { openFleetStore } from '../../fleet/store/open-store.js';
import { displayWidth } from '../../text/display-width.js';
import { formatLocalTime } from '../../text/local-time.js';
import { ENGLISH, loadMessages } from '../../text/messages/catalog.js';
import type { Language } from '../../text/messages/language.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { UsageError } from '../usage-error.js';
import { resumeCommandLine } from './resume-command-line.js';
import { checkedResumeOptions } from './stored-resume-options.js';

const OPTIONS = {
  store: {
    type: 'string',
    value: 'SPEC',
    help: `A SQLite file, sqlite:PATH or postgres://... (default: fleet.sqlite in
~/.local/state/tpm-doctor, /var/lib/tpm-doctor as root; or TPM_DOCTOR_STORE).`,
  },
  json: {
    type: 'boolean',
    help: 'Machine-readable (schema tpm-doctor/campaign-status/v1, docs/campaigns.md).',
  },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'fleet status',
  options: OPTIONS,
  page: {
    title: 'what the store knows, without calling Graph.',
    usage: '[CAMPAIGN-ID] [--store SPEC] [--json]',
    about: `Without an id: the latest triage run and every campaign (id, action, status, devices done).
With an id: that campaign's devices by phase, the ones that failed or timed out, with why, and
the ones still open (the first 20; --json lists every one).`,
  },
};

/** `word` padded to `columns` terminal columns, at least one space after it (a Japanese word is wider). */
function padded(word: string, columns: number): string {
  return word + ' '.repeat(Math.max(1, columns - displayWidth(word)));
}

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values, positionals } = parseVerbArgs('fleet status', argv, OPTIONS, true);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  if (positionals.length > 1) throw new UsageError('give at most one campaign id', 'fleet status');
  // The screen in the admin's language and time zone; JSON keeps English and UTC.
  const { ui } = values.json ? ENGLISH : await loadMessages(language);
  const text = { ui, language };
  const store = await openFleetStore(values.store, { mustExist: true });
  try {
    const id = positionals[0];
    if (id !== undefined) {
      const campaign = await store.getCampaign(id);
      if (!campaign) {
        throw new UsageError(`no campaign "${id}" in ${store.description}`, 'fleet status');
      }
      const summary = await campaignStatus(store, id, { problemLimit: values.json ? 10_000 : 20 });
      // A campaign stored with its connection options (schema 6) gets the full resume command; an
      // older one the plain `fleet resume ID`. Only the stored options that pass the checks are
      // printed (stored-resume-options.ts): the store may be written by someone else.
      const stored =
        campaign.resumeOptions === undefined ? undefined : checkedResumeOptions(campaign.resumeOptions);
      const resume =
        stored === undefined
          ? {}
          : { resumeCommand: resumeCommandLine(id, { ...stored.options, store: values.store }) };
      if (stored !== undefined && stored.dropped.length > 0 && !values.json) {
        process.stderr.write(
          `${ui['fleet.status.resume-options-dropped']({ options: stored.dropped.map((name) => `--${terminalSafe(name)}`).join(', ') })}\n`,
        );
      }
      // The devices the campaign is not done with, by name: the counts alone do not say which.
      const open = await openDevices(store, id, campaign.action);
      process.stdout.write(
        values.json
          ? `${JSON.stringify({ ...summary, openDevices: open }, null, 2)}\n`
          : `${[
              renderCampaignStatus(summary, { ...text, ...resume }).trimEnd(),
              ...openDeviceLines(
                open,
                ui['fleet.open.heading'],
                {
                  posted: ui['fleet.open.followed'],
                  phase: (phase) => phaseLabel(ui, campaign.action, phase as DevicePhase),
                },
                ui,
              ),
            ].join('\n')}\n`,
      );
      return EXIT.OK;
    }
    const triage = await store.latestTriage();
    const campaigns = await store.listCampaigns();
    const rows = [];
    for (const c of campaigns) {
      const counts = await store.phaseCounts(c.id);
      rows.push({ ...c, counts });
    }
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ store: store.description, latestTriage: triage ?? null, campaigns: rows }, null, 2)}\n`,
      );
      return EXIT.OK;
    }
    process.stdout.write(`${ui['fleet.status.store']({ store: terminalSafe(store.description) })}\n`);
    process.stdout.write(
      `${
        triage
          ? ui['fleet.status.latest-triage']({
              id: triage.id,
              at: formatLocalTime(triage.createdAt, language),
              target: terminalSafe(triage.target),
            })
          : ui['fleet.status.no-triage']
      }\n`,
    );
    if (rows.length === 0) process.stdout.write(`${ui['fleet.status.no-campaigns']}\n`);
    for (const r of rows) {
      const total = Object.values(r.counts).reduce((a, b) => a + b, 0);
      const compliant = ui['fleet.status.compliant']({
        compliant: String(r.counts.compliant).padStart(6),
        total,
      });
      process.stdout.write(
        `${terminalSafe(`  ${r.id}  ${padded(ui[`fleet.action.${r.action}`], 10)}${padded(ui[`fleet.state.${r.status}`], 9)}${compliant}  ${formatLocalTime(r.createdAt, language)}  ${r.target}`)}\n`,
      );
    }
    return EXIT.OK;
  } finally {
    await store.close();
  }
}
