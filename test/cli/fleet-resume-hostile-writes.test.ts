/**
 * A store someone else can write holds a hostile `graph_writes` row (docs/store.md, schema 6):
 * 300,000,000 writes dated 2099. `fleet resume` seeds its write budget from the store
 * (docs/campaigns.md, "Writes of an earlier run"); it must neither allocate per stored write nor
 * count the row as "now" forever: it says it ignored the row, deletes it, and the campaign is posted.
 * The built CLI against a lab tenant served from this test process; Ctrl-C at a state (the
 * campaign's first progress line), never after a time.
 */
import { writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-resume-hostile-writes-');
let lab: LabTenant;

beforeAll(async () => {
  // 200 writes per 15 s: a campaign of 300 devices is still posting when its first progress line shows.
  lab = await startLabTenant({
    devices: 300,
    seed: 37,
    windowMs: 15_000,
    syncDelayMs: 100,
    complianceDelayMs: 100,
  });
});
afterAll(async () => {
  await lab?.close();
});

it('fleet resume ignores and deletes a graph_writes row of 300,000,000 writes dated 2099, with a one-line warning', async () => {
  const file = tmp.file('fleet.sqlite');
  const store = `sqlite:${file}`;
  const ids = tmp.file('ids.txt');
  await writeFile(
    ids,
    `${Array.from({ length: 300 }, (_, i) => lab.views.managedDevice(i).id).join('\n')}\n`,
  );
  const connect = ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
  const env = { AZURE_CLIENT_SECRET: lab.clientSecret };
  const stopped = await runCli(
    ['fleet', 'sync', ...connect, '--devices', ids, '--store', store, '--no-bulk'],
    {
      env,
      killWhen: ({ stderr }) => /^sync c-\S+: /m.test(stderr),
      killSignal: 'SIGINT',
      timeoutMs: 120_000,
    },
  );
  expect(stopped.code, stopped.stderr).toBe(12);
  const raw = new Database(file);
  const campaign = raw
    .prepare("SELECT id, target, tenant_key FROM campaigns WHERE status = 'stopped'")
    .get() as {
    id: string;
    target: string;
    tenant_key: string | null;
  };
  raw
    .prepare('INSERT INTO graph_writes (target, tenant_key, service, writes, sent_at) VALUES (?, ?, ?, ?, ?)')
    .run(campaign.target, campaign.tenant_key, 'devices', 300_000_000, '2099-01-01T00:00:00.000Z');
  raw.close();
  const resumed = await runCli(
    [
      'fleet',
      'resume',
      campaign.id,
      ...connect,
      '--store',
      store,
      '--no-wait',
      '--json',
      '--quiet',
      '--no-bulk',
    ],
    { env, timeoutMs: 180_000 },
  );
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stderr).toContain(
    'tpm-doctor: ignored 1 Graph write records in the store (dated in the future, which are deleted, or without a valid count); docs/campaigns.md',
  );
  const result = JSON.parse(resumed.stdout) as { id: string; counts: Record<string, number> };
  expect(result.id).toBe(campaign.id);
  expect(result.counts.pending).toBe(0);
  const after = new Database(file, { readonly: true });
  expect(after.prepare("SELECT COUNT(*) AS n FROM graph_writes WHERE sent_at LIKE '2099%'").get()).toEqual({
    n: 0,
  });
  after.close();
}, 400_000);
