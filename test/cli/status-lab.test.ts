/**
 * `status --tpm lab:` starts a throwaway provisioned swtpm, reads it and stops it: exit 0, the text
 * says LAB, and no swtpm process or temporary directory is left behind. Without swtpm on PATH it
 * exits 5 (LAB_UNAVAILABLE).
 *
 * Other test files (and other people) run swtpm processes at the same time, so "left behind" means:
 * a swtpm PID that did not exist before the run and serves the lab's port, or the port still open.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertSwtpmAvailable } from '../support/swtpm-harness.js';
import { type CliResult, runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const temp = useTempDir('tpm-doctor-cli-lab-');

/** PIDs of processes named exactly swtpm (`pgrep -x swtpm`; exit 1 means none). */
function swtpmPids(): Promise<Set<number>> {
  return new Promise((resolve, reject) => {
    execFile('pgrep', ['-x', 'swtpm'], (err, stdout) => {
      // pgrep exits 1 when no process matches.
      if (err && (err as { code?: unknown }).code !== 1) reject(err);
      else resolve(new Set(stdout.split('\n').filter(Boolean).map(Number)));
    });
  });
}

async function commandLine(pid: number): Promise<string> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return ''; // exited meanwhile
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('status --tpm lab:', () => {
  it('exits 0, says LAB, reads a provisioned TPM, and leaves no swtpm process or temp dir behind', async () => {
    assertSwtpmAvailable();
    const before = await swtpmPids();
    // The lab's swtpm state, provisioning template and CA go under TMPDIR: give it a private one.
    const tmp = temp.dir();
    const run = runCli(['status', '--tpm', 'lab:'], { env: { TMPDIR: tmp }, timeoutMs: 45_000 });
    // While it runs, note the new swtpm processes whose state lives in our TMPDIR: the lab's own.
    const seen = new Set<number>();
    let done = false;
    void run.finally(() => {
      done = true;
    });
    while (!done) {
      for (const pid of await swtpmPids()) {
        if (!before.has(pid) && (await commandLine(pid)).includes(tmp)) seen.add(pid);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const r: CliResult = await run;
    expect(r.signal).toBeNull();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const header =
      // Wrapped at 80 columns: the LAB label may continue on the next line, indented.
      /^TPM status of swtpm:\/\/127\.0\.0\.1:(\d+) +\[LAB:\s+throwaway\s+software\s+TPM,\s+not\s+this\s+machine\]$/m.exec(
        r.stdout,
      );
    expect(header).not.toBeNull();
    const port = Number(header?.[1]);
    expect(r.stdout).toMatch(/^ {2}Manufacturer +IBM /m);
    expect(r.stdout).toMatch(/^Endorsement key certificates \(2\)$/m);
    expect(r.stdout.match(/^ {4}matches EK {2}yes/gm)).toHaveLength(2);

    // The lab's swtpm (and the one swtpm_setup runs while provisioning) were visible while the CLI
    // ran, so the check can see them; all are gone now.
    expect(seen.size).toBeGreaterThanOrEqual(1);
    const after = await swtpmPids();
    for (const pid of seen) expect({ pid, alive: after.has(pid) }).toEqual({ pid, alive: false });
    const leftovers: string[] = [];
    for (const pid of after) {
      if (before.has(pid)) continue;
      const cmd = await commandLine(pid);
      if (cmd.includes(`port=${port},`) || cmd.includes(tmp)) leftovers.push(`${pid}: ${cmd}`);
    }
    expect(leftovers).toEqual([]);
    expect(await accepts(port)).toBe(false);
    expect(await accepts(port + 1)).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('--json: lab true in the tpm block, and the EK certificates match', async () => {
    const r = await runCli(['status', '--tpm', 'lab:', '--json'], {
      env: { TMPDIR: temp.dir() },
      timeoutMs: 45_000,
    });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      tpm: { uri: string; lab: boolean };
      errors: unknown[];
      endorsement: { certificates: { matches: boolean | null }[] };
    };
    expect(json.tpm.lab).toBe(true);
    expect(json.tpm.uri).toMatch(/^swtpm:\/\/127\.0\.0\.1:\d+$/);
    expect(json.errors).toEqual([]);
    expect(json.endorsement.certificates.map((c) => c.matches)).toEqual([true, true]);
    expect(await readdir(temp.dir())).toEqual([]);
  });

  it('without swtpm on PATH: exit 5 and the message says how to install it', async () => {
    const r = await runCli(['status', '--tpm', 'lab:'], { env: { PATH: temp.dir(), TMPDIR: temp.dir() } });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/swtpm/);
    expect(r.stderr).toContain('apt-get install swtpm');
    expect(r.stderr).not.toMatch(/internal error|\.cjs:\d+/);
  });
});
