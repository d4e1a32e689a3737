/**
 * Tenant pinning by the tenant's own id, end to end with the built CLI: two lab tenants served one
 * after the other on the same loopback port read the same ("LAB tenant http://127.0.0.1:PORT"),
 * as every tenant does with managed identity. The store keeps each one's id, so a campaign in the
 * second never acts on the first one's triage, and a campaign of the first never resumes in the
 * second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-tenant-');
let lab: LabTenant | undefined;

async function start(port = 0): Promise<LabTenant> {
  lab = await startLabTenant({
    devices: 200,
    seed: 7,
    windowMs: 2_000,
    syncDelayMs: 100,
    complianceDelayMs: 100,
    port,
  });
  return lab;
}
function connect(tenant: LabTenant): string[] {
  return ['--graph-url', tenant.url, '--tenant-id', tenant.tenantId, '--client-id', tenant.clientId];
}
function env(tenant: LabTenant): NodeJS.ProcessEnv {
  return { AZURE_CLIENT_SECRET: tenant.clientSecret };
}

beforeAll(async () => {
  await start();
});
afterAll(async () => {
  await lab?.close();
});

describe('tenant pinning by tenant id', () => {
  it('the same display, another tenant: its triage is not ours, our campaign does not resume there', async () => {
    const store = `sqlite:${tmp.file('fleet.sqlite')}`;
    const first = lab as LabTenant;
    const triage = await runCli(
      ['fleet', 'triage', ...connect(first), '--store', store, '--quiet', '--format', 'json'],
      {
        env: env(first),
      },
    );
    expect(triage.code).toBe(0);
    // In the first tenant a campaign may use its own triage.
    const own = await runCli(
      ['fleet', 'sync', ...connect(first), '--class', 'sync-stale', '--store', store, '--dry-run', '--quiet'],
      { env: env(first) },
    );
    expect(own.code).toBe(0);
    const ids = tmp.file('ids.txt');
    await import('node:fs/promises').then((fs) => fs.writeFile(ids, `${first.views.managedDevice(3).id}\n`));
    const posted = await runCli(
      [
        'fleet',
        'sync',
        ...connect(first),
        '--devices',
        ids,
        '--store',
        store,
        '--no-wait',
        '--json',
        '--quiet',
      ],
      { env: env(first) },
    );
    expect(posted.code).toBe(0);
    const campaign = (JSON.parse(posted.stdout) as { id: string }).id;

    // Another tenant on the same port: the same display string, another tenant id.
    const port = Number(new URL(first.url).port);
    await first.close();
    lab = undefined;
    const second = await start(port);
    expect(second.url).toBe(first.url);
    expect(second.tenantId).not.toBe(first.tenantId);

    const elsewhere = await runCli(
      [
        'fleet',
        'sync',
        ...connect(second),
        '--class',
        'sync-stale',
        '--store',
        store,
        '--dry-run',
        '--quiet',
      ],
      { env: env(second) },
    );
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(
      `triage run 1 is of LAB tenant ${first.url} [tenant ${first.tenantId}], not of LAB tenant ${second.url} [tenant ${second.tenantId}]`,
    );
    const resumed = await runCli(
      ['fleet', 'resume', campaign, ...connect(second), '--store', store, '--quiet'],
      {
        env: env(second),
      },
    );
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain(
      `campaign ${campaign} runs in LAB tenant ${first.url} [tenant ${first.tenantId}]`,
    );
    // Nothing was posted in the second tenant.
    expect(
      Array.from({ length: second.devices.size }, (_, i) => second.devices.postCount(i)).every(
        (n) => n === 0,
      ),
    ).toBe(true);
  });
});
