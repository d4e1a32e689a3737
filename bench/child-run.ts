/**
 * How the fleet benchmarks run the CLI and the reference scripts: as a child whose output is
 * collected without blocking this process, because the lab tenant answering the child lives in
 * this process's event loop (spawnSync would stall it).
 */
import { spawn } from 'node:child_process';

/** A child's resource usage, as the CLI prints it under TPM_DOCTOR_BENCH_RUSAGE. */
export interface Rusage {
  userCPUTime: number;
  systemCPUTime: number;
  maxRSS: number;
}

export function runChild(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The `tpm-doctor-rusage {...}` line the CLI writes to stderr under TPM_DOCTOR_BENCH_RUSAGE. */
export function rusageOf(stderr: string): Rusage {
  const m = /tpm-doctor-rusage (\{.*\})/.exec(stderr);
  if (!m) throw new Error(`no rusage line in the child's stderr:\n${stderr.slice(-2000)}`);
  return JSON.parse(m[1] as string) as Rusage;
}
