/**
 * The fleet commands behind a proxy named by the standard environment variables, end to end with
 * the built CLI: the lab tenant (plain http on loopback) through a forward proxy, NO_PROXY around
 * it, Entra ID's token endpoint through a CONNECT tunnel (refused by the test's proxy, so nothing
 * leaves the machine), and an unusable proxy variable refused before anything is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { type LoopbackForwardProxy, startLoopbackForwardProxy } from '../support/loopback-forward-proxy.js';
import { runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();
let lab: LabTenant;
let proxy: LoopbackForwardProxy;

beforeAll(async () => {
  lab = await startLabTenant({ devices: 50, seed: 3 });
  proxy = await startLoopbackForwardProxy();
});
afterAll(async () => {
  await proxy?.close();
  await lab?.close();
});

function connect(): string[] {
  return ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
}
/** Only the variables a test sets: a proxy the machine itself is configured with stays out. */
function env(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { AZURE_CLIENT_SECRET: lab.clientSecret };
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY']) {
    clean[name] = '';
    clean[name.toLowerCase()] = '';
  }
  return { ...clean, ...extra };
}

describe('fleet commands behind a proxy', () => {
  it('every lab request (its info, the token, Graph) goes through HTTP_PROXY in absolute form', async () => {
    const before = proxy.forwarded.length;
    const triage = await runCli(['fleet', 'triage', ...connect(), '--no-store', '--quiet', '--json'], {
      env: env({ HTTP_PROXY: proxy.url }),
      timeoutMs: 120_000,
    });
    expect(triage.stderr).toBe('');
    expect(triage.code).toBe(0);
    expect((JSON.parse(triage.stdout) as { summary: { devices: number } }).summary.devices).toBe(50);
    const lines = proxy.forwarded.slice(before);
    expect(lines).toContain(`GET ${lab.url}/lab/info`);
    expect(lines).toContain(`POST ${lab.url}/${lab.tenantId}/oauth2/v2.0/token`);
    expect(lines.some((line) => line.startsWith(`GET ${lab.url}/v1.0/deviceManagement/managedDevices`))).toBe(
      true,
    );
    // Nothing went around it: every request line is absolute-form, to the lab.
    for (const line of lines) expect(line).toMatch(new RegExp(`^(GET|POST) ${lab.url}/`));
  }, 150_000);

  it('NO_PROXY=127.0.0.1 sends the lab requests straight to it', async () => {
    const before = proxy.forwarded.length;
    const triage = await runCli(['fleet', 'triage', ...connect(), '--no-store', '--quiet', '--json'], {
      env: env({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }),
      timeoutMs: 120_000,
    });
    expect(triage.code).toBe(0);
    expect(proxy.forwarded.length).toBe(before);
  }, 150_000);

  it("Entra ID's token request goes through HTTPS_PROXY (a CONNECT to login.microsoftonline.com:443)", async () => {
    const before = proxy.connects.length;
    const signIn = await runCli(
      [
        'fleet',
        'triage',
        '--tenant-id',
        '00000000-0000-4000-8000-000000000001',
        '--client-id',
        '00000000-0000-4000-8000-000000000002',
        '--no-store',
        '--quiet',
      ],
      {
        env: env({ HTTPS_PROXY: proxy.url, AZURE_CLIENT_SECRET: 'not-a-real-secret-0123456789' }),
        timeoutMs: 120_000,
      },
    );
    // The test proxy refuses every tunnel off loopback: the sign-in fails (exit 13) without
    // anything leaving the machine, and the proxy saw where it was going.
    expect(signIn.code).toBe(13);
    expect(proxy.connects.slice(before)).toContain('login.microsoftonline.com:443');
    expect(signIn.stderr).not.toContain('not-a-real-secret-0123456789');
  }, 150_000);

  it('an unusable proxy variable is a usage error (exit 2) that names it, before anything is sent', async () => {
    const before = proxy.forwarded.length + proxy.connects.length;
    const bad = await runCli(['fleet', 'triage', ...connect(), '--no-store', '--quiet'], {
      env: env({ HTTP_PROXY: 'socks5://user:hunter2@127.0.0.1:1080' }),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('HTTP_PROXY');
    expect(bad.stderr).not.toContain('hunter2');
    expect(proxy.forwarded.length + proxy.connects.length).toBe(before);
  });
});
