/**
 * --graph-share: two tpm-doctor processes with the same app can split Intune's per-app budget. The
 * lab counts, independently of the client, the most writes it admitted in any one window.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-graph-share-');
let lab: LabTenant;

beforeAll(async () => {
  lab = await startLabTenant({ devices: 300, seed: 9, windowMs: 1_000 });
});
afterAll(async () => {
  await lab?.close();
});

it('--graph-share 0.25 keeps a campaign to a quarter of the write budget; a bad share is exit 2', async () => {
  const connect = ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
  const env = { AZURE_CLIENT_SECRET: lab.clientSecret };
  const bad = await runCli(['fleet', 'triage', ...connect, '--graph-share', '1.5', '--no-store'], { env });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--graph-share');

  const ids = tmp.file('ids.txt');
  await writeFile(
    ids,
    `${Array.from({ length: 300 }, (_, i) => lab.views.managedDevice(i).id).join('\n')}\n`,
  );
  const run = await runCli(
    [
      'fleet',
      'sync',
      ...connect,
      '--devices',
      ids,
      '--store',
      `sqlite:${tmp.file('s.sqlite')}`,
      '--no-wait',
      '--quiet',
      '--graph-share',
      '0.25',
    ],
    { env, timeoutMs: 60_000 },
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const app = Object.values(lab.stats().apps)[0];
  expect(app?.writes).toBe(300);
  // 200 writes per window for the app; a quarter is 50. The lab saw no window above that.
  expect(app?.maxWritesInWindow).toBeLessThanOrEqual(50);
  expect(app?.maxWritesInWindow).toBeGreaterThan(25);
  expect(app?.throttled).toBe(0);
});
