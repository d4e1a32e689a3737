/**
 * A reader that stops reading (`tpm-doctor ... | head`) ends the command quietly: no crash
 * report, the command's own exit code.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, useBuiltCli } from './cli-support.js';

useBuiltCli();

/** Runs the CLI with its stdout closed before it writes anything: every write meets EPIPE. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    delete env.TPM_DOCTOR_TPM;
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('output into a closed pipe', () => {
  it('--help: exit 0, nothing on stderr', async () => {
    expect(await runIntoClosedPipe(['--help'])).toEqual({ code: 0, stderr: '' });
    expect(await runIntoClosedPipe(['fleet', 'clear', '--help'])).toEqual({ code: 0, stderr: '' });
  });

  it("diagnose on a lab TPM: the diagnosis's own exit code (7), nothing on stderr", async () => {
    expect(await runIntoClosedPipe(['diagnose', '--tpm', 'lab:lockout'])).toEqual({ code: 7, stderr: '' });
  });

  it.each(['csv', 'json', 'html', 'table'])(
    'fleet triage --format %s on the lab tenant: exit 0 as when read to the end, nothing on stderr',
    async (format) => {
      expect(
        await runIntoClosedPipe([
          'fleet',
          'triage',
          '--tenant',
          'lab',
          '--format',
          format,
          '--no-store',
          '-q',
        ]),
      ).toEqual({ code: 0, stderr: '' });
    },
    120_000,
  );
});
