/**
 * The built CLI against hostile input and hostile flags (docs/security.md): a tenant whose answers
 * a proxy rewrites (control characters in device names, our token echoed in an error, fields of
 * the wrong type), files that never end, and values past every limit. Each defect is one plain
 * line and a documented exit code (docs/exit-codes.md): never a stack trace, a hang, a leak or a
 * half-created campaign.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import {
  type ProxiedAnswer,
  type RewritingProxy,
  rewriteJsonStrings,
  startRewritingProxy,
} from '../support/rewriting-proxy.js';
import { type CliResult, runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-hostile-cli-');

let lab: LabTenant;
let proxy: RewritingProxy;
let rewrite: (answer: ProxiedAnswer) => ProxiedAnswer = (answer) => answer;

beforeAll(async () => {
  lab = await startLabTenant({
    devices: 150,
    seed: 3,
    windowMs: 500,
    syncDelayMs: 50,
    complianceDelayMs: 50,
  });
  proxy = await startRewritingProxy(lab.url, (answer) => rewrite(answer));
});
afterAll(async () => {
  await proxy?.close();
  await lab?.close();
});
beforeEach(() => {
  rewrite = (answer) => answer;
});

function connect(): string[] {
  return ['--graph-url', proxy.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
}
function fleet(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return runCli(['fleet', ...args], { env: { AZURE_CLIENT_SECRET: lab.clientSecret }, timeoutMs });
}
/** One plain line on stderr: no stack trace, no build machine's folder. */
function expectOneLine(r: CliResult): void {
  const lines = r.stderr.trim().split('\n');
  expect(lines[0], r.stderr).toMatch(/^tpm-doctor: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/internal error/);
  // A usage error adds the help line; nothing else follows.
  expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
}
function graphCalls(): number {
  return proxy.requests.filter((r) => /^\/(v1\.0|beta)\//.test(r.path)).length;
}
const HOSTILE_NAME = (name: string) => `${name}\u001b[1A\u001b[2K\r\u202eFAKE\u2028line\u0000`;

describe('terminal injection', () => {
  it('device names with controls cannot rewrite the dry-run plan or the triage table', async () => {
    rewrite = (answer) => ({ ...answer, body: rewriteJsonStrings(answer.body, 'deviceName', HOSTILE_NAME) });
    const store = tmp.file('names.sqlite');
    const triage = await fleet(['triage', ...connect(), '--store', store, '--json', '--quiet']);
    expect(triage.code, triage.stderr).toBe(0);
    // JSON stays exact: the names as Graph sent them, escaped by JSON itself.
    const report = JSON.parse(triage.stdout) as {
      devices: Array<{ deviceId: string; deviceName: string; class: string }>;
    };
    expect(report.devices[0]?.deviceName).toMatch(/\u001b\[1A\u001b\[2K\r\u202eFAKE\u2028line\u0000$/);

    // Devices that need something are stored with their names; a clear refuses them with their names.
    const ids = report.devices
      .filter((d) => d.class !== 'healthy')
      .slice(0, 6)
      .map((d) => d.deviceId);
    expect(ids.length).toBeGreaterThan(1);
    writeFileSync(tmp.file('six.txt'), `${ids.join('\n')}\n`);
    const plan = await fleet([
      'clear',
      ...connect(),
      '--store',
      store,
      '--devices',
      tmp.file('six.txt'),
      '--dry-run',
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).not.toMatch(
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/,
    );
    // Every device is on a line of its own, with its name's controls shown as escapes.
    for (const id of ids) expect(plan.stdout.split('\n').filter((l) => l.includes(id))).toHaveLength(1);
    expect(plan.stdout).toContain('\\x1b[1A\\x1b[2K\\r\\u202eFAKE\\u2028line');

    const table = await fleet(['triage', ...connect(), '--no-store', '--quiet']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).not.toMatch(/[\u0000\u001b\r\u2028\u202e]/);
  }, 120_000);
});

describe('secrets in Graph errors', () => {
  it('our token echoed in the code and past the 1,000th character of the message never shows', async () => {
    let token = '';
    rewrite = (answer) => {
      if (!answer.path.startsWith('/v1.0/deviceManagement/managedDevices')) return answer;
      token = (answer.requestHeaders.authorization ?? '').replace(/^Bearer /, '');
      const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl';
      return {
        ...answer,
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          error: {
            code: `Echo_${token}`,
            message: `${'x'.repeat(995)}${token} and ${jwt} client_secret=${lab.clientSecret}`,
            innerError: { 'request-id': token, date: token },
          },
        }),
      };
    };
    const r = await fleet(['triage', ...connect(), '--no-store', '--quiet']);
    expect(token.length).toBeGreaterThan(20);
    expect(r.code).toBe(14);
    expectOneLine(r);
    const output = `${r.stdout}${r.stderr}`;
    expect(output).not.toContain(token.slice(0, 12));
    expect(output).not.toContain(token.slice(-12));
    expect(output).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    expect(output).not.toContain(lab.clientSecret);
    expect(output).toContain('[redacted]');
  });
});

describe('bad values from Graph', () => {
  it('a userPrincipalName that is not a string is bad data: exit 14, one line', async () => {
    rewrite = (answer) =>
      answer.path.startsWith('/v1.0/deviceManagement/managedDevices')
        ? {
            ...answer,
            body: answer.body.replace(/"userPrincipalName":"[^"]*"/, '"userPrincipalName":{"a":1}'),
          }
        : answer;
    const r = await fleet(['triage', ...connect(), '--no-store', '--quiet']);
    expect(r.code, r.stderr).toBe(14);
    expectOneLine(r);
    expect(r.stderr).toMatch(/expected userPrincipalName to be a string or null, found object/);
  });

  it('a volumeType that is not a string fails that lookup, never the triage, and is never "safe"', async () => {
    rewrite = (answer) => ({
      ...answer,
      body: answer.body.replace(/"volumeType":("[^"]*"|null)/g, '"volumeType":[1]'),
    });
    const r = await fleet(['triage', ...connect(), '--no-store', '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { devices: Array<{ clearSafety: string }> };
    expect(report.devices.some((d) => d.clearSafety === 'safe')).toBe(false);
  });
});

describe('flags and files past every limit: usage errors, nothing created', () => {
  it('--poll abc and --poll 30d are refused before the store or a campaign exists', async () => {
    for (const poll of ['abc', '30d']) {
      const store = tmp.file(`poll-${poll}.sqlite`);
      const before = graphCalls();
      const r = await fleet([
        'sync',
        ...connect(),
        '--store',
        store,
        '--class',
        'sync-stale',
        '--poll',
        poll,
      ]);
      expect(r.code, r.stderr).toBe(2);
      expectOneLine(r);
      expect(existsSync(store)).toBe(false);
      expect(graphCalls()).toBe(before);
    }
  });

  it('a huge --deadline, --lab-devices 2000001 and a repeated lab scenario are usage errors', async () => {
    const deadline = await fleet([
      'sync',
      ...connect(),
      '--class',
      'sync-stale',
      '--deadline',
      '99999999999d',
      '--store',
      tmp.file('d.sqlite'),
    ]);
    expect(deadline.code, deadline.stderr).toBe(2);
    expectOneLine(deadline);
    const devices = await fleet(['triage', '--tenant', 'lab', '--lab-devices', '2000001', '--no-store']);
    expect(devices.code, devices.stderr).toBe(2);
    expectOneLine(devices);
    expect(devices.stderr).toMatch(/--lab-devices is at most 1,000,000/);
    const scenario = await runCli(['diagnose', '--tpm', 'lab:lockout,lockout']);
    expect(scenario.code, scenario.stderr).toBe(2);
    expectOneLine(scenario);
    expect(scenario.stderr).toMatch(/"lockout" is given twice/);
  });

  it('fleet remediate --script /dev/zero is refused at its size limit, at once', async () => {
    const r = await fleet(
      [
        'remediate',
        ...connect(),
        '--class',
        'sync-stale',
        '--script',
        '/dev/zero',
        '--store',
        tmp.file('z.sqlite'),
      ],
      20_000,
    );
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expectOneLine(r);
    expect(r.stderr).toMatch(/--script \/dev\/zero: is larger than 1 MB; expected the detection script/);
  });

  it('an --out folder, or a file in a missing folder, is refused before Graph is called', async () => {
    const folder = tmp.file('a-folder');
    mkdirSync(folder);
    const before = graphCalls();
    const isFolder = await fleet(['triage', ...connect(), '--no-store', '--out', folder]);
    expect(isFolder.code, isFolder.stderr).toBe(2);
    expectOneLine(isFolder);
    expect(isFolder.stderr).toMatch(/is a folder; expected the report's file name/);
    const missing = await fleet([
      'triage',
      ...connect(),
      '--no-store',
      '--out',
      path.join(tmp.dir(), 'no', 'such', 'r.csv'),
    ]);
    expect(missing.code, missing.stderr).toBe(2);
    expectOneLine(missing);
    expect(missing.stderr).toMatch(/does not exist/);
    expect(graphCalls()).toBe(before);
  });

  it('fleet status with a mistyped --store creates neither folders nor a database', async () => {
    const store = path.join(tmp.dir(), 'typo-folder', 'fleet.sqlit');
    const r = await fleet(['status', '--store', store]);
    expect(r.code, r.stderr).toBe(15);
    expectOneLine(r);
    expect(existsSync(path.dirname(store))).toBe(false);
  });

  it('a closed --graph-url port is exit 14 in one line', async () => {
    const port = await closedPort();
    const r = await fleet([
      'triage',
      '--graph-url',
      `http://127.0.0.1:${port}`,
      '--tenant-id',
      't',
      '--client-id',
      'c',
      '--no-store',
    ]);
    expect(r.code, r.stderr).toBe(14);
    expectOneLine(r);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
  });
});

/** A loopback port nothing listens on: bound, then closed. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
