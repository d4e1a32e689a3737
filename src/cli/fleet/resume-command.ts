import { EXIT } from '../../exit-codes.js';
import type { Campaign } from '../../fleet/store/fleet-store.js';
import { openFleetStore } from '../../fleet/store/open-store.js';
import { type TenantIdentity, tenantPinRefusal } from '../../plan/tenant-pinning.js';
import type { Language } from '../../text/messages/language.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { UsageError } from '../usage-error.js';
import { pollOption, RUN_OPTIONS, runAndReport } from './campaign-command.js';
import { parseDuration } from './duration.js';
import {
  CONNECTION_OPTIONS,
  describeTarget,
  type GraphConnection,
  openGraphConnection,
} from './graph-connection.js';

const OPTIONS = {
  deadline: {
    type: 'string',
    value: 'DURATION',
    help: `Track the devices still open this long from now (e.g. 2h), instead of the
campaign's own deadline. Devices that already timed out stay so.`,
  },
  help: HELP_OPTION,
  ...RUN_OPTIONS,
  ...CONNECTION_OPTIONS,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'fleet resume',
  options: OPTIONS,
  page: {
    title: 'continue a campaign that was stopped (Ctrl-C), killed or cut off.',
    usage: 'CAMPAIGN-ID [--deadline DURATION] [options]',
    about: `Devices already posted are never posted again. A device whose post was in flight when the
campaign stopped ("posting") may or may not have reached Graph: it is not re-sent but tracked as
"unconfirmed" until its last sync time tells. "tpm-doctor fleet status" lists campaigns.`,
    optionsNote: `An abandoned campaign ("tpm-doctor fleet abandon") is never resumed, and a finished one takes no
new deadline (exit 2, as for an id the store does not have).`,
  },
};

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values, positionals } = parseVerbArgs('fleet resume', argv, OPTIONS, true);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      'give the campaign id to resume ("tpm-doctor fleet status" lists them)',
      'fleet resume',
    );
  const id = positionals[0] as string;
  pollOption(values, 'fleet resume');
  const deadlineMs =
    typeof values.deadline === 'string'
      ? parseDuration(values.deadline, '--deadline', 'fleet resume')
      : undefined;
  const store = await openFleetStore(values.store, { mustExist: true });
  let connection: GraphConnection | undefined;
  try {
    const campaign = await store.getCampaign(id);
    if (!campaign) {
      throw new UsageError(
        `no campaign "${id}" in ${store.description} ("tpm-doctor fleet status" lists them)`,
        'fleet resume',
      );
    }
    if (campaign.status === 'abandoned') {
      throw new UsageError(
        `campaign ${id} was abandoned ("tpm-doctor fleet abandon"): it is never resumed; start a new campaign`,
        'fleet resume',
      );
    }
    if (campaign.status === 'finished' && deadlineMs !== undefined) {
      throw new UsageError(
        `campaign ${id} is finished: a new deadline reopens nothing (its timed-out devices stay so); start a new campaign`,
        'fleet resume',
      );
    }
    // A campaign resumes only in the tenant it was created for: its device ids mean nothing
    // elsewhere. Checked by the display target before connecting, by the tenant's key after sign-in.
    pinToTenant(campaign, { display: describeTarget(values, 'fleet resume') });
    connection = await openGraphConnection(values, 'fleet resume', { writeLog: store });
    pinToTenant(campaign, connection.tenant);
    if (deadlineMs !== undefined) {
      // From now, as at creation: the deadline is how long the devices still open are followed.
      await store.setCampaignDeadline(id, new Date(Date.now() + deadlineMs).toISOString());
    }
    return await runAndReport(connection, store, id, values, 'fleet resume', language);
  } finally {
    await connection?.close();
    await store.close();
  }
}

function pinToTenant(campaign: Campaign, tenant: TenantIdentity): void {
  const refusal = tenantPinRefusal(
    { kind: 'campaign', id: campaign.id },
    { display: campaign.target, key: campaign.tenantKey },
    tenant,
  );
  if (refusal !== undefined) throw new UsageError(refusal, 'fleet resume');
}
