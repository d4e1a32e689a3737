import type { CommandRunner, RunResult, ScriptRunner } from '../../../src/remedy/platform/runner.js';

export interface Recorded {
  file: string;
  args: readonly string[];
}

/** A command runner that records every call and answers from `answer` (default: exit 0, no output). */
export function recordingRunner(
  answer: (file: string, args: readonly string[]) => Partial<RunResult> = () => ({}),
) {
  const calls: Recorded[] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push({ file, args: [...args] });
    return { code: 0, stdout: '', stderr: '', ...answer(file, args) };
  };
  return { run, calls };
}

/** A PowerShell runner that replays one recorded output and keeps the scripts it was given. */
export function replayScripts(...outputs: Partial<RunResult>[]) {
  const scripts: string[] = [];
  const run: ScriptRunner = async (script) => {
    scripts.push(script);
    const out = outputs[Math.min(scripts.length - 1, outputs.length - 1)] ?? {};
    return { code: 0, stdout: '', stderr: '', ...out };
  };
  return { run, scripts };
}
