import path from 'node:path';

/**
 * What the start-up task of a PPI clear runs at the next boot: this program and the CLI script it
 * runs, or, in the single executable (docs/single-executable.md), the executable alone: there
 * process.argv[1] is the executable again, and `"tpm-doctor.exe" "tpm-doctor.exe" resume` would
 * hand "tpm-doctor.exe" to the CLI as its command.
 */
export function resumeTaskProgram(): { nodePath: string; cliPath?: string } {
  const sea = process.getBuiltinModule?.('node:sea') as typeof import('node:sea') | undefined;
  if (sea?.isSea()) return { nodePath: process.execPath };
  return { nodePath: process.execPath, cliPath: path.resolve(process.argv[1] ?? 'tpm-doctor') };
}
