/**
 * `fleet status ID` on a stopped campaign prints the full command that resumes it, as the Ctrl-C
 * line does: the campaign keeps its connection options in the store (docs/store.md, schema 6).
 * Never a secret: the lab's client secret (given as AZURE_CLIENT_SECRET, as a real one is) is
 * searched for in the SQLite file and its WAL, and in a pg_dump of the PostgreSQL store. The built
 * CLI against a lab tenant served from this test process; Ctrl-C at a state (the campaign's first
 * progress line), never after a time.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { findPostgresBinaries, usePostgres } from '../support/postgres-harness.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-status-resume-');
const postgres = usePostgres();
let lab: LabTenant;

beforeAll(async () => {
  // 200 writes per 15 s: a campaign of 300 devices is still posting (waiting for the window) when
  // its first progress line shows.
  lab = await startLabTenant({
    devices: 600,
    seed: 31,
    windowMs: 15_000,
    syncDelayMs: 100,
    complianceDelayMs: 100,
  });
});
afterAll(async () => {
  await lab?.close();
});

function connect(): string[] {
  return ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
}
const env = (): NodeJS.ProcessEnv => ({ AZURE_CLIENT_SECRET: lab.clientSecret });

/** Starts a sync of `from..to` in `store`, stops it with Ctrl-C, and returns what `fleet status ID` printed. */
async function stoppedCampaign(
  store: string,
  from: number,
  to: number,
): Promise<{ id: string; printed: string; everything: string }> {
  const ids = tmp.file(`ids-${from}.txt`);
  await writeFile(
    ids,
    `${Array.from({ length: to - from }, (_, i) => lab.views.managedDevice(from + i).id).join('\n')}\n`,
  );
  const stopped = await runCli(
    ['fleet', 'sync', ...connect(), '--devices', ids, '--store', store, '--no-bulk'],
    {
      env: env(),
      killWhen: ({ stderr }) => /^sync c-\S+: /m.test(stderr),
      killSignal: 'SIGINT',
      timeoutMs: 120_000,
    },
  );
  expect(stopped.code, stopped.stderr).toBe(12);
  const list = await runCli(['fleet', 'status', '--store', store, '--json']);
  const campaigns = (JSON.parse(list.stdout) as { campaigns: Array<{ id: string; status: string }> })
    .campaigns;
  const id = campaigns.find((c) => c.status === 'stopped')?.id as string;
  const status = await runCli(['fleet', 'status', id, '--store', store]);
  expect(status.code, status.stderr).toBe(0);
  const printed = /Stopped: "([^"]+)" resumes it\./.exec(status.stdout)?.[1] ?? '';
  const statusJson = await runCli(['fleet', 'status', id, '--store', store, '--json']);
  expect(statusJson.code, statusJson.stderr).toBe(0);
  // Everything this campaign's commands wrote, text and JSON, stdout and stderr.
  const everything = [stopped, list, status, statusJson].flatMap((r) => [r.stdout, r.stderr]).join('\n');
  return { id, printed, everything };
}

/** The words a POSIX shell reads from `line` when it is pasted (sh splits and unquotes, runs nothing else). */
function shellWords(line: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/** The printed command, pasted into a shell (it reads the secret from the environment), resumes the campaign. */
async function resumeAsPrinted(printed: string, id: string): Promise<void> {
  const words = shellWords(printed).slice(1);
  const resumed = await runCli([...words, '--no-wait', '--json', '--quiet'], {
    env: env(),
    timeoutMs: 120_000,
  });
  expect(resumed.code, resumed.stderr).toBe(0);
  const result = JSON.parse(resumed.stdout) as { id: string; counts: Record<string, number> };
  expect(result.id).toBe(id);
  expect(result.counts.pending).toBe(0);
}

describe('fleet status ID on a stopped campaign', () => {
  it('SQLite: prints the full resume command, which resumes; the client secret is nowhere in the store', async () => {
    const file = tmp.file('fleet.sqlite');
    const store = `sqlite:${file}`;
    const { id, printed } = await stoppedCampaign(store, 0, 300);
    expect(printed).toBe(
      `tpm-doctor fleet resume ${id} --graph-url ${lab.url} --tenant-id ${lab.tenantId} --client-id ${lab.clientId} --store ${store}`,
    );
    await resumeAsPrinted(printed, id);
    const bytes = [file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f));
    expect(bytes.some((b) => b.includes(lab.clientId))).toBe(true);
    for (const b of bytes) expect(b.includes(lab.clientSecret)).toBe(false);
  }, 300_000);

  it('PostgreSQL: prints the full resume command, which resumes; the client secret is not in a dump', async () => {
    const url = await postgres.freshDatabase();
    const { id, printed } = await stoppedCampaign(url, 300, 600);
    expect(printed).toBe(
      `tpm-doctor fleet resume ${id} --graph-url ${lab.url} --tenant-id ${lab.tenantId} --client-id ${lab.clientId} --store ${url}`,
    );
    await resumeAsPrinted(printed, id);
    const pgDump = path.join(path.dirname(findPostgresBinaries().postgres), 'pg_dump');
    const dump = execFileSync(pgDump, ['--dbname', url], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(dump).toContain('resume_options');
    expect(dump).toContain(lab.clientId);
    expect(dump).not.toContain(lab.clientSecret);
  }, 300_000);

  it('PostgreSQL with the password as a query parameter: no output carries it, the printed command resumes without it', async () => {
    // libpq and node-postgres both take `password=` (and a key's `sslpassword=`) in the query
    // (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING); the lab's
    // PostgreSQL trusts loopback, so the command printed without it still connects, as it does
    // with PGPASSWORD or ~/.pgpass against a real server (docs/store.md).
    const base = await postgres.freshDatabase();
    const url = `${base}${base.includes('?') ? '&' : '?'}password=S3cretPw-query&application_name=tpm-doctor-test`;
    const { id, printed, everything } = await stoppedCampaign(url, 0, 300);
    expect(everything).toContain(`resume ${id}`);
    expect(everything).not.toContain('S3cretPw');
    expect(printed).toBe(
      `tpm-doctor fleet resume ${id} --graph-url ${lab.url} --tenant-id ${lab.tenantId} --client-id ${lab.clientId} --store '${base}${base.includes('?') ? '&' : '?'}application_name=tpm-doctor-test'`,
    );
    await resumeAsPrinted(printed, id);
  }, 300_000);
});
