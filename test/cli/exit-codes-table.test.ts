/**
 * docs/exit-codes.md is the contract for scripts and Intune Remediations: this file reads its two
 * tables and holds the built CLI to them. The first table must name exactly the codes of
 * src/exit-codes.ts; then every code in it is provoked through dist/tpm-doctor.cjs, by a command
 * that the "Per command" table says uses that code, and the exit status is checked.
 *
 * The TPMs are a swtpm of this file (test/support/swtpm-harness.ts) and `--tpm lab:`; the tenant
 * is a lab tenant (src/lab/tenant/) behind a small proxy here that can refuse Graph calls.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import { graphErrorBody } from '../../src/lab/tenant/graph-error.js';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { RunJournal } from '../../src/remedy/journal.js';
import { unusedPort } from '../support/fake-tpm-server.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { type CliResult, ROOT, runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const swtpm = useSwtpm({ provision: true });
const temp = useTempDir('tpm-doctor-exit-codes-');

const DOC = readFileSync(path.join(ROOT, 'docs', 'exit-codes.md'), 'utf8');

/** The rows of the markdown table that starts with `header`, as trimmed cells. */
function tableRows(header: RegExp): string[][] {
  const lines = DOC.split('\n');
  const start = lines.findIndex((l) => header.test(l));
  if (start < 0) throw new Error(`docs/exit-codes.md: no table headed ${header}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** `| Code | Name | Meaning | What to do |`: code -> name. */
const documented = new Map(tableRows(/^\| Code \| Name \|/).map(([code, name]) => [Number(code), name!]));

/** `| Command | Codes it uses |`: command -> its codes (the leading list; remarks in parentheses skipped). */
const perCommand = new Map<string, Set<number>>();
for (const [commands, codes] of tableRows(/^\| Command \| Codes it uses \|/)) {
  const list = codes!.replace(/\([^)]*\)/g, '').split('.')[0]!;
  const numbers = new Set(list.split(',').map((c) => Number(c.trim())));
  for (const command of commands!.matchAll(/`([^`]+)`/g)) perCommand.set(command[1]!, numbers);
}
/** docs/exit-codes.md: any command can exit 1 (a bug), so no row lists it. */
const EVERY_COMMAND = new Set<number>([EXIT.INTERNAL]);

let lab: LabTenant;
let proxy: http.Server;
let proxyUrl: string;
/** The proxy answers every Graph call with 403 Forbidden while this is set (tokens still pass). */
let refuseGraph = false;

/** Forwards to the lab, or answers a Graph call with 403 (a permission the app was not granted). */
async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = req.url ?? '/';
  if (refuseGraph && /^\/(v1\.0|beta)\//.test(url)) {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(graphErrorBody('Forbidden', 'Missing role DeviceManagementManagedDevices.Read.All')),
    );
    return;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name)) {
      headers[name] = value;
    }
  }
  const answer = await fetch(new URL(url, lab.url), {
    method: req.method ?? 'GET',
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  const text = (await answer.text()).split(lab.url).join(proxyUrl);
  const out: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    if (!['connection', 'content-length', 'transfer-encoding', 'content-encoding'].includes(name)) {
      out[name] = value;
    }
  });
  out['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(answer.status, out);
  res.end(text);
}

beforeAll(async () => {
  lab = await startLabTenant({
    devices: 200,
    seed: 11,
    windowMs: 2_000,
    syncDelayMs: 100,
    complianceDelayMs: 100,
  });
  proxy = http.createServer((req, res) => {
    forward(req, res).catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`test proxy: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  await lab?.close();
});

function fleet(args: string[], options: { timeoutMs?: number } = {}): Promise<CliResult> {
  const connect = ['--graph-url', proxyUrl, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
  const [verb, ...rest] = args;
  return runCli(['fleet', verb!, ...connect, ...rest], {
    env: { AZURE_CLIENT_SECRET: lab.clientSecret },
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

/** A state dir holding one run journal that is not a journal. */
function damagedRun(name: string): string {
  const dir = temp.file(name);
  mkdirSync(path.join(dir, 'runs'), { recursive: true });
  writeFileSync(path.join(dir, 'runs', 'run-damaged.jsonl'), 'not a journal record\n');
  return dir;
}

interface Provocation {
  /** The command, as a row of "Per command" names it. */
  command: string;
  run: () => Promise<CliResult>;
  /** What stderr says, where the code comes from an error (src/errors.ts). */
  stderr?: RegExp;
}

/** How each documented code is provoked. */
const PROVOKE: Record<keyof typeof EXIT, Provocation> = {
  OK: { command: 'runs', run: () => runCli(['runs', '--state-dir', temp.file('empty')]) },
  INTERNAL: {
    // A journal that is not a clear run's, handed to resume: no command writes one, so it is
    // exit 1 ('not-a-clear-run', docs/exit-codes.md "Error codes"), with the message.
    command: 'resume',
    run: () => {
      const dir = temp.file('not-a-clear-run');
      RunJournal.create(path.join(dir, 'runs'), 'run-other', { kind: 'not a clear run' }).close();
      return runCli(['resume', 'run-other', '--yes', '--tpm', swtpm.get().uri, '--state-dir', dir]);
    },
    stderr: /^tpm-doctor: \S+run-other\.jsonl: expected the journal of a clear run .*\n$/,
  },
  USAGE: {
    command: 'status',
    run: () => runCli(['status', '--bogus']),
    stderr: /^tpm-doctor: .*--bogus.*\nSee "tpm-doctor status --help"\.\n$/,
  },
  TPM_UNREACHABLE: {
    command: 'status',
    run: async () => runCli(['status', '--tpm', `swtpm://127.0.0.1:${await unusedPort()}`]),
  },
  PARTIAL: {
    command: 'runs',
    run: () => runCli(['runs', 'run-damaged', '--state-dir', damagedRun('runs-damaged')]),
  },
  LAB_UNAVAILABLE: {
    command: 'status',
    run: () => runCli(['status', '--tpm', 'lab:'], { env: { PATH: temp.dir(), TMPDIR: temp.dir() } }),
    stderr: /apt-get install swtpm/,
  },
  DIAGNOSIS_WARNINGS: {
    command: 'diagnose',
    run: () => runCli(['diagnose', '--tpm', 'lab:transient-leak'], { timeoutMs: 60_000 }),
  },
  DIAGNOSIS_ERRORS: {
    command: 'diagnose',
    run: () =>
      runCli([
        'diagnose',
        '--evidence',
        path.join(ROOT, 'test', 'fixtures', 'synthetic', 'windows', 'lockout'),
      ]),
  },
  NOT_DIAGNOSABLE: {
    command: 'diagnose',
    run: async () => runCli(['diagnose', '--tpm', `swtpm://127.0.0.1:${await unusedPort()}`]),
  },
  EVIDENCE_INCOMPLETE: {
    // Collected without admin rights: the OS volume's BitLocker protectors are unknown.
    command: 'diagnose',
    run: () =>
      runCli([
        'diagnose',
        '--evidence',
        path.join(ROOT, 'test', 'fixtures', 'synthetic', 'windows', 'secureboot-1801'),
      ]),
  },
  BAD_EVIDENCE: {
    command: 'diagnose',
    run: () => runCli(['diagnose', '--evidence', temp.file('no-such-bundle')]),
    stderr: /^tpm-doctor: .*no-such-bundle/,
  },
  CLEAR_REFUSED: {
    // A repair clear of a healthy TPM: the gate finds no fault to repair.
    command: 'clear',
    run: () => runCli(['clear', '--tpm', swtpm.get().uri, '--yes', '--state-dir', temp.file('refused')]),
  },
  CLEAR_FAILED: {
    // The TPM refuses TPM2_Clear: a wrong lockout value. It blocks lockout for the recovery time,
    // so this runs after every other use of the swtpm's lockout hierarchy.
    command: 'clear',
    run: async () => {
      await tpm2(swtpm.get(), ['tpm2_changeauth', '-c', 'l', 'the-right-value']);
      const wrong = temp.file('wrong-lockout.txt');
      writeFileSync(wrong, 'a-wrong-value\n');
      return runCli(
        [
          'clear',
          '--tpm',
          swtpm.get().uri,
          '--method',
          'lockout',
          '--lockout-auth-file',
          wrong,
          '--acknowledge',
          'rights.clear-authorization',
          '--purpose',
          'decommission',
          '--yes',
          '--state-dir',
          temp.file('failed'),
        ],
        { timeoutMs: 60_000 },
      );
    },
  },
  RUN_INTERRUPTED: {
    // A run to resume, on a TPM that does not answer: it stays where it can continue.
    command: 'resume',
    run: async () => {
      const dir = temp.file('interrupted');
      RunJournal.create(path.join(dir, 'runs'), 'run-waiting', {
        kind: 'tpm-doctor clear',
        method: 'platform',
      }).close();
      const tpm = `swtpm://127.0.0.1:${await unusedPort()}`;
      return runCli(['resume', 'run-waiting', '--yes', '--tpm', tpm, '--timeout', '2', '--state-dir', dir]);
    },
    stderr: /\nContinue with: tpm-doctor resume\n$/,
  },
  GRAPH_AUTH: {
    command: 'fleet triage',
    run: () =>
      runCli(
        ['fleet', 'triage', '--graph-url', proxyUrl, '--tenant-id', 't', '--client-id', 'c', '--no-store'],
        { env: { AZURE_CLIENT_SECRET: '' } },
      ),
    stderr: /^tpm-doctor: .*AZURE_CLIENT_SECRET/,
  },
  GRAPH_FAILED: {
    command: 'fleet triage',
    run: async () => {
      refuseGraph = true;
      try {
        return await fleet(['triage', '--no-store', '--quiet']);
      } finally {
        refuseGraph = false;
      }
    },
    stderr: /^tpm-doctor: Microsoft Graph: GET \S+: HTTP 403 Forbidden: /m,
  },
  STORE_FAILED: {
    command: 'fleet status',
    run: () => {
      const file = temp.file('not-a-store.sqlite');
      writeFileSync(file, 'not a database, only text '.repeat(20));
      return runCli(['fleet', 'status', '--store', `sqlite:${file}`]);
    },
    stderr: /^tpm-doctor: store: cannot open the SQLite fleet store /,
  },
  CAMPAIGN_INCOMPLETE: {
    // A device of the lab that never checks in: it times out at the deadline.
    command: 'fleet sync',
    run: () => {
      const index = Array.from({ length: lab.devices.size }, (_, i) => i).find(
        (i) => lab.devices.condition(i) === 'stays-broken',
      );
      expect(index, 'the lab has a stays-broken device').toBeDefined();
      const ids = temp.file('ids.txt');
      writeFileSync(ids, `${lab.views.managedDevice(index!).id}\n`);
      return fleet(
        [
          'sync',
          '--devices',
          ids,
          '--store',
          `sqlite:${temp.file('campaign.sqlite')}`,
          '--poll',
          '200ms',
          '--deadline',
          '2s',
          '--quiet',
        ],
        { timeoutMs: 60_000 },
      );
    },
  },
};

/** (command, code) pairs besides the ones above, that the "Per command" table once left out. */
const MORE: { command: string; code: number; run: () => Promise<CliResult>; stderr?: RegExp }[] = [
  // A damaged journal is neither resumed nor abandoned: one plain line naming where it breaks.
  {
    command: 'abandon',
    code: EXIT.PARTIAL,
    run: () => runCli(['abandon', 'run-damaged', '--state-dir', damagedRun('abandon-damaged')]),
    stderr:
      /^tpm-doctor: \S+run-damaged\.jsonl: line 1: expected a JSON record, found text that is not JSON .*\n$/,
  },
  {
    command: 'resume',
    code: EXIT.PARTIAL,
    run: () =>
      runCli([
        'resume',
        'run-damaged',
        '--yes',
        '--tpm',
        swtpm.get().uri,
        '--state-dir',
        damagedRun('resume-damaged'),
      ]),
    stderr:
      /^tpm-doctor: \S+run-damaged\.jsonl: line 1: expected a JSON record, found text that is not JSON .*\n$/,
  },
  {
    command: 'lab tenant',
    code: EXIT.LAB_UNAVAILABLE,
    run: async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = taken.address() as AddressInfo;
        return await runCli(['lab', 'tenant', '--devices', '1', '--port', String(port)]);
      } finally {
        await new Promise<void>((resolve) => taken.close(() => resolve()));
      }
    },
  },
  ...(process.platform === 'win32'
    ? []
    : [{ command: 'collect', code: EXIT.BAD_EVIDENCE, run: () => runCli(['collect']) }]),
];

describe('docs/exit-codes.md', () => {
  it('names exactly the codes of src/exit-codes.ts', () => {
    expect(Object.fromEntries([...documented].map(([code, name]) => [name, code]))).toEqual(EXIT);
  });

  it('lists, per command, only documented codes', () => {
    expect(perCommand.size).toBeGreaterThan(0);
    for (const [command, codes] of perCommand) {
      for (const code of codes) expect(documented.has(code), `${command}: ${code}`).toBe(true);
    }
  });
});

describe('every documented exit code, provoked through the built CLI', () => {
  // Sorted so CLEAR_FAILED (which blocks the swtpm's lockout hierarchy) comes after CLEAR_REFUSED.
  it.each([...documented].sort(([a], [b]) => a - b))(
    'exit %i (%s)',
    async (code, name) => {
      const provoke = PROVOKE[name as keyof typeof EXIT];
      expect(provoke, `no way to provoke ${name} in this test`).toBeDefined();
      const uses = perCommand.get(provoke.command);
      expect(uses, `"${provoke.command}" is not in the Per command table`).toBeDefined();
      expect(
        uses!.has(code) || EVERY_COMMAND.has(code),
        `docs/exit-codes.md does not list ${code} for ${provoke.command}`,
      ).toBe(true);
      const r = await provoke.run();
      expect(r.code, `${provoke.command} exited ${r.code}; stderr:\n${r.stderr}`).toBe(code);
      if (provoke.stderr) expect(r.stderr).toMatch(provoke.stderr);
    },
    90_000,
  );
});

describe('more (command, code) pairs, through the built CLI', () => {
  it.each(MORE.map((m) => [m.command, m.code, m] as const))('%s: exit %i', async (command, code, more) => {
    expect(perCommand.get(command)?.has(code), `docs/exit-codes.md lists ${code} for ${command}`).toBe(true);
    const r = await more.run();
    expect(r.code, `${command} exited ${r.code}; stderr:\n${r.stderr}`).toBe(code);
    if (more.stderr) expect(r.stderr).toMatch(more.stderr);
  });
});
