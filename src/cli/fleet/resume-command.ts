import { EXIT } from '../../exit-codes.js';
import type { Campaign } from '../../fleet/store/fleet-store.js';
import { openFleetStore } from '../../fleet/store/open-store.js';
import { type TenantIdentity, tenantPinRefusal } from '../../plan/tenant-pinning.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { UsageError } from '../usage-error.js';
import { pollOption, RUN_HELP, RUN_OPTIONS, runAndReport } from './campaign-command.js';
import {
  CONNECTION_HELP,
  describeTarget,
  type GraphConnection,
  openGraphConnection,
} from './graph-connection.js';

const HELP = `tpm-doctor fleet resume: continue a campaign that was stopped (Ctrl-C), killed or cut off.

Usage: tpm-doctor fleet resume CAMPAIGN-ID [options]

Devices already posted are never posted again. A device whose post was in flight when the
campaign stopped ("posting") may or may not have reached Graph: it is not re-sent but tracked as
"unconfirmed" until its last sync time tells. "tpm-doctor fleet status" lists campaigns.

${RUN_HELP}

${CONNECTION_HELP}
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs('fleet resume', argv, RUN_OPTIONS, true);
  if (values.help) {
    printHelp(HELP);
    return EXIT.OK;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      'give the campaign id to resume ("tpm-doctor fleet status" lists them)',
      'fleet resume',
    );
  const id = positionals[0] as string;
  pollOption(values, 'fleet resume');
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
    // A campaign resumes only in the tenant it was created for: its device ids mean nothing
    // elsewhere. Checked by the display target before connecting, by the tenant's key after sign-in.
    pinToTenant(campaign, { display: describeTarget(values, 'fleet resume') });
    connection = await openGraphConnection(values, 'fleet resume');
    pinToTenant(campaign, connection.tenant);
    return await runAndReport(connection, store, id, values, 'fleet resume');
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
