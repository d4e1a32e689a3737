/** What the start-up task modules share: the spec, the actions they take, the run-ID rule, the error. */

import { TpmDoctorError } from '../../errors.js';
import type { ProcessRunner } from '../../system/run-process.js';
import { isRunId } from '../run-id.js';

export interface ResumeTaskSpec {
  runId: string;
  /** The run's journal, absolute; the task does nothing once it is gone. */
  journalPath: string;
  /** The program, absolute: node (process.execPath), or tpm-doctor itself as a single executable. */
  nodePath: string;
  /** The tpm-doctor CLI script, absolute; absent when nodePath is the single executable (docs/single-executable.md). */
  cliPath?: string;
  platform: 'linux' | 'win32';
}

export type RemoveSpec = Pick<ResumeTaskSpec, 'runId' | 'platform'>;

export interface StartupTaskDeps {
  /** Runs systemctl / schtasks (default: src/system/run-process.ts, no shell). */
  run?: ProcessRunner;
  /** Linux: where the unit file goes (default /etc/systemd/system). */
  unitDir?: string;
  /** Linux: the systemctl program (default 'systemctl'). */
  systemctl?: string;
  /** Windows: the schtasks program (default %SystemRoot%\System32\schtasks.exe). */
  schtasks?: string;
  /** Return the actions, run and write nothing. */
  dryRun?: boolean;
}

export type TaskAction =
  | { kind: 'write-file'; path: string; content: string }
  | { kind: 'remove-file'; path: string }
  | { kind: 'command'; file: string; args: readonly string[] };

export interface StartupTaskResult {
  /** The unit name or the scheduled task's path. */
  name: string;
  /** Whether anything changed (or, on a dry run, would change as far as can be told without running anything). */
  changed: boolean;
  dryRun: boolean;
  actions: TaskAction[];
}

export class StartupTaskError extends TpmDoctorError {
  override readonly name = 'StartupTaskError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('startup-task', message, options);
  }
}

/** The run-ID alphabet (remedy/run-id.ts), so the ID needs no quoting anywhere. */
export function assertRunId(runId: string): void {
  if (!isRunId(runId)) {
    throw new StartupTaskError(
      `expected a run ID of letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit), found ${JSON.stringify(runId)}`,
    );
  }
}

/** The program and the arguments before the resume arguments: node and the script, or the single executable alone. */
export function taskProgram(spec: Pick<ResumeTaskSpec, 'nodePath' | 'cliPath'>): string[] {
  return spec.cliPath === undefined ? [spec.nodePath] : [spec.nodePath, spec.cliPath];
}

/** The arguments after the CLI script. The journal path is given because the boot-time environment lacks --state-dir and TPM_DOCTOR_STATE_DIR. */
export function resumeArguments(spec: Pick<ResumeTaskSpec, 'runId' | 'journalPath'>): string[] {
  return ['resume', '--run', spec.runId, '--journal', spec.journalPath];
}

/** The logon task's arguments: the signed-in user's own runbook steps for this run (docs/clear.md). */
export function userStepsArguments(spec: Pick<ResumeTaskSpec, 'runId'>): string[] {
  return ['resume', '--user-steps', '--run', spec.runId];
}

export interface ResolvedDeps {
  run: ProcessRunner;
  dryRun: boolean;
  unitDir: string;
  systemctl: string;
  schtasks: string;
}

/** Runs one command (or records it on a dry run) and throws on a non-zero exit. */
export async function runChecked(
  d: ResolvedDeps,
  actions: TaskAction[],
  file: string,
  args: readonly string[],
): Promise<void> {
  actions.push({ kind: 'command', file, args });
  if (d.dryRun) return;
  const r = await d.run(file, args);
  if (r.exitCode !== 0) {
    const said = (r.stderr.trim() || r.stdout.trim()).slice(0, 400);
    throw new StartupTaskError(
      `${file} ${args.join(' ')} failed with exit code ${r.exitCode}${said ? `: ${said}` : ''}`,
    );
  }
}
