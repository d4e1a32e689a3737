/**
 * Exit codes and error messages of the built CLI (docs/exit-codes.md is the contract): usage errors,
 * nothing listening, a peer that never answers, a bad URI. No TPM needed: a closed loopback port and
 * a loopback server that accepts and stays silent (test/support/fake-tpm-server.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeTpmServer, startFakeTpmServer, unusedPort } from '../support/fake-tpm-server.js';
import { linesMatching, ROOT, runCli, statusJson, useBuiltCli } from './cli-support.js';

useBuiltCli();

const EXIT = { OK: 0, INTERNAL: 1, USAGE: 2, TPM_UNREACHABLE: 3, PARTIAL: 4, LAB_UNAVAILABLE: 5 };

describe('usage errors exit 2', () => {
  it('an unknown flag: exit 2, nothing on stdout, and stderr points at "tpm-doctor status --help"', async () => {
    const r = await runCli(['status', '--bogus']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--bogus');
    expect(r.stderr).toContain('tpm-doctor status --help');
  });

  it.each([['abc'], ['0'], ['-5'], ['3601'], ['NaN'], ['']])('--timeout %j: exit 2', async (value) => {
    const r = await runCli(['status', `--timeout=${value}`, '--tpm', 'swtpm://127.0.0.1:1']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--timeout/);
    expect(r.stderr).toContain('tpm-doctor status --help');
  });

  it('a positional argument to status: exit 2', async () => {
    const r = await runCli(['status', 'extra']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain("'extra'");
  });

  it('an unknown command: exit 2 and the command is named', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('"frobnicate"');
    expect(r.stderr).toContain('tpm-doctor --help');
  });

  it('no arguments: the usage and exit 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stdout).toContain('Usage: tpm-doctor <command> [options]');
    expect(r.stdout).toMatch(/^ {2}status +\S/m);
  });

  it.each([
    ['nonsense://x'],
    ['swtpm://127.0.0.1:99999'],
    ['swtpm://127.0.0.1:65535'],
    ['device:relative/path'],
    [''],
  ])('--tpm %j is a usage error: exit 2 with a one-line reason and the accepted forms', async (uri) => {
    const r = await runCli(['status', '--tpm', uri]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: EXIT.USAGE });
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tpm-doctor: /);
    expect(r.stderr).not.toMatch(/internal error|at .*\.cjs:\d+/);
  });

  it('an unrecognised URI lists the URI forms --tpm accepts', async () => {
    const r = await runCli(['status', '--tpm', 'nonsense://x']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toContain('"nonsense://x"');
    for (const form of ['device:', 'swtpm://HOST:PORT', 'mssim://HOST:PORT', 'tbs:']) {
      expect(r.stderr).toContain(form);
    }
  });
});

describe('help and version exit 0', () => {
  it('status --help: stdout names --tpm, --json and every exit status docs/exit-codes.md lists for status', async () => {
    const r = await runCli(['status', '--help']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('--tpm URI');
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toContain('--timeout SECONDS');
    expect(r.stdout).toMatch(/^Exit status:$/m);
    const helpCodes = [...r.stdout.matchAll(/^ {2}(\d) {2}\S/gm)].map((m) => Number(m[1])).sort();
    const docs = await readFile(path.join(ROOT, 'docs', 'exit-codes.md'), 'utf8');
    const row = /^\| `status` \| ([\d, ]+) \|$/m.exec(docs);
    expect(row).not.toBeNull();
    const docCodes = (row?.[1] ?? '')
      .split(',')
      .map((c) => Number(c.trim()))
      .sort();
    expect(helpCodes).toEqual(docCodes);
  });

  it('-h is --help', async () => {
    const long = await runCli(['status', '--help']);
    const short = await runCli(['status', '-h']);
    expect(short.code).toBe(EXIT.OK);
    expect(short.stdout).toBe(long.stdout);
  });

  it('--help lists the status command; --version prints the package version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(EXIT.OK);
    expect(help.stdout).toMatch(/^ {2}status +\S/m);
    const version = await runCli(['--version']);
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.code).toBe(EXIT.OK);
    expect(version.stdout).toBe(`tpm-doctor ${pkg.version}\n`);
  });
});

describe('no TPM answers: exit 3', () => {
  let closedPort: number;
  beforeAll(async () => {
    closedPort = await unusedPort();
  });

  it('nothing listening: exit 3 and exactly one line saying nothing is listening at that address', async () => {
    const uri = `swtpm://127.0.0.1:${closedPort}`;
    const r = await runCli(['status', '--tpm', uri]);
    expect(r.code).toBe(EXIT.TPM_UNREACHABLE);
    const all = `${r.stdout}\n${r.stderr}`;
    const lines = linesMatching(all, /nothing is listening/i);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${closedPort}`);
    // Nothing answered: the TPM may exist, so its presence is unknown, never "NO".
    expect(r.stdout).toMatch(/^ {2}Present +unknown \(the TPM could not be reached; see below\)$/m);
    // And so is every answer of the Get-Tpm-like summary: unknown, never "no".
    expect(r.stdout).toMatch(
      /^ {2}Summary +ready unknown, enabled unknown, owner auth set unknown,\s+locked out unknown, clear allowed unknown$/m,
    );
    expect(all).not.toMatch(/internal error|\.cjs:\d+/);
  });

  it('nothing listening, --json: exit 3, presence unknown (null, never false), every section null, one TPM_TRANSPORT error', async () => {
    const { code, json } = await statusJson(`swtpm://127.0.0.1:${closedPort}`);
    expect(code).toBe(EXIT.TPM_UNREACHABLE);
    expect(json.schema).toBe('tpm-doctor/status/v1');
    // Unreachable is not absent: the JSON says unknown, as the text does (docs/status-json.md).
    expect(json.present).toBeNull();
    expect(json.present).not.toBe(false);
    expect(json.started).toBeNull();
    for (const key of [
      'identity',
      'selfTest',
      'permanent',
      'properties',
      'nvIndices',
      'endorsement',
    ] as const) {
      expect({ key, value: json[key] }).toEqual({ key, value: null });
    }
    expect(json.errors).toHaveLength(1);
    expect(json.errors[0]?.code).toBe('TPM_TRANSPORT');
    expect(json.errors[0]?.message).toMatch(/nothing is listening/);
  });

  it('nothing listening, diagnose --json: never healthy, never absent, no clear, and not exit 0', async () => {
    const r = await runCli(['diagnose', '--tpm', `swtpm://127.0.0.1:${closedPort}`, '--json']);
    const out = JSON.parse(r.stdout) as {
      verdict: { status: string; clearRecommended: boolean };
      findings: { id: string }[];
    };
    expect(r.code).not.toBe(EXIT.OK);
    expect(out.verdict.status).not.toBe('healthy');
    expect(out.verdict.clearRecommended).toBe(false);
    expect(out.findings.map((f) => f.id)).not.toContain('tpm.absent');
  });

  it('the TPM_DOCTOR_TPM environment variable is used when --tpm is absent', async () => {
    const uri = `swtpm://127.0.0.1:${closedPort}`;
    const r = await runCli(['status', '--json'], { env: { TPM_DOCTOR_TPM: uri } });
    expect(r.code).toBe(EXIT.TPM_UNREACHABLE);
    expect((JSON.parse(r.stdout) as { tpm: { uri: string } }).tpm.uri).toBe(uri);
  });

  describe('a peer that accepts and never answers', () => {
    let silent: FakeTpmServer;
    beforeAll(async () => {
      silent = await startFakeTpmServer();
    });
    afterAll(async () => {
      await silent.close();
    });

    it('--timeout 1: exit 3 within 5 s, and the message names the timeout', async () => {
      const r = await runCli(['status', '--tpm', `swtpm://127.0.0.1:${silent.port}`, '--timeout', '1']);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(EXIT.TPM_UNREACHABLE);
      expect(r.ms).toBeGreaterThanOrEqual(1000);
      expect(r.ms).toBeLessThan(5000);
      const lines = linesMatching(`${r.stdout}\n${r.stderr}`, /did not answer within 1000 ms/);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`127.0.0.1:${silent.port}`);
      // It did connect and send a command (TPM2_GetTestResult, 0x17C) before giving up.
      expect(silent.connections).toBeGreaterThanOrEqual(1);
      expect(silent.commands.length).toBeGreaterThanOrEqual(1);
      expect(Buffer.from(silent.commands[0]!).readUInt32BE(6)).toBe(0x17c);
    });

    it('--timeout 0.5 --json: exit 3 and a TPM_TRANSPORT error in the JSON', async () => {
      const started = Date.now();
      const { code, json } = await statusJson(`swtpm://127.0.0.1:${silent.port}`, ['--timeout', '0.5']);
      expect(code).toBe(EXIT.TPM_UNREACHABLE);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(json.present).toBeNull();
      expect(json.errors.map((e) => e.code)).toEqual(['TPM_TRANSPORT']);
      expect(json.errors[0]?.message).toContain('500 ms');
    });
  });
});
