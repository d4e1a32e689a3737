import type { PowerShellRunner } from '../../../src/system/powershell.js';
import type { ProcessResult } from '../../../src/system/process-result.js';
import type { ProcessRunner } from '../../../src/system/run-process.js';

export interface Recorded {
  file: string;
  args: readonly string[];
}

/** A command runner that records every call and answers from `answer` (default: exit 0, no output). */
export function recordingRunner(
  answer: (file: string, args: readonly string[]) => Partial<ProcessResult> = () => ({}),
) {
  const calls: Recorded[] = [];
  const run: ProcessRunner = async (file, args) => {
    calls.push({ file, args: [...args] });
    return { exitCode: 0, stdout: '', stderr: '', timedOut: false, ...answer(file, args) };
  };
  return { run, calls };
}

/** A PowerShell runner that replays one recorded output and keeps the scripts it was given. */
export function replayScripts(...outputs: Partial<ProcessResult>[]) {
  const scripts: string[] = [];
  const run: PowerShellRunner = async (script) => {
    scripts.push(script);
    const out = outputs[Math.min(scripts.length - 1, outputs.length - 1)] ?? {};
    return { exitCode: 0, stdout: '', stderr: '', timedOut: false, ...out };
  };
  return { run, scripts };
}
