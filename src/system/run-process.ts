/**
 * The one way tpm-doctor runs a program: an argument vector, never a shell (so no quoting but the
 * program's own), output kept as UTF-8 text, a timeout that ends the whole process tree
 * (process-tree.ts), a cap on what stdout may fill in memory, and every child's PID tracked while
 * it runs (live-processes.ts). The PowerShell runner (powershell.ts) and the platform steps
 * (systemctl, schtasks) and the lab (swtpm_setup) all go through it.
 */
import { spawn } from 'node:child_process';
import { trackProcess, untrackProcess } from './live-processes.js';
import type { ProcessResult } from './process-result.js';
import { endProcessTree, ownProcessGroup } from './process-tree.js';

export interface RunOptions {
  /** End the process and everything it started after this long; default: no limit. */
  timeoutMs?: number;
  /** End the process tree once stdout passes this many bytes; default {@link MAX_STDOUT_BYTES}. */
  maxOutputBytes?: number;
  /** The program's environment; default: this process's. */
  env?: NodeJS.ProcessEnv;
}

/** Runs `file` with `args`, no shell. Rejects only when the program could not be started. */
export type ProcessRunner = (
  file: string,
  args: readonly string[],
  options?: RunOptions,
) => Promise<ProcessResult>;

/** Output larger than this is cut off and the process tree ended. */
export const MAX_STDOUT_BYTES = 25 * 1024 * 1024;
/** stderr is only ever quoted in messages: the first MiB is kept, the rest dropped (the process goes on). */
const MAX_STDERR_BYTES = 1024 * 1024;

export const runProcess: ProcessRunner = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    const maxOutput = options.maxOutputBytes ?? MAX_STDOUT_BYTES;
    const child = spawn(file, [...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      detached: ownProcessGroup(),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    const pid = child.pid;
    if (pid !== undefined) trackProcess(pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outSize = 0;
    let errSize = 0;
    let timedOut = false;
    let outputCapped = false;
    let ended = false;
    const end = () => {
      if (ended || pid === undefined) return;
      ended = true;
      endProcessTree(pid);
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            end();
          }, options.timeoutMs);
    const finish = () => {
      if (timer) clearTimeout(timer);
      if (pid !== undefined) untrackProcess(pid);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (outputCapped) return;
      outSize += chunk.length;
      if (outSize > maxOutput) {
        outputCapped = true;
        end();
      } else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errSize >= MAX_STDERR_BYTES) return;
      errSize += chunk.length;
      err.push(chunk);
    });
    child.once('error', (e) => {
      finish();
      reject(e);
    });
    child.once('close', (code, signal) => {
      finish();
      resolve({
        exitCode: code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ...(signal ? { signal } : {}),
        ...(outputCapped ? { outputCapped: true as const } : {}),
      });
    });
  });
