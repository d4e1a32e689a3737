/** What the resume task runs: node and the script, or the single executable alone. */
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resumeTaskProgram } from '../../src/cli/resume-task-program.js';

afterEach(() => vi.restoreAllMocks());

describe('the program of the resume task', () => {
  it('is node and this CLI script when run by node', () => {
    expect(resumeTaskProgram()).toEqual({
      nodePath: process.execPath,
      cliPath: path.resolve(process.argv[1] ?? 'tpm-doctor'),
    });
  });

  it('is the executable alone in a single executable (no "exe" "exe" resume)', () => {
    const real = process.getBuiltinModule.bind(process);
    vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) =>
      id === 'node:sea' ? { isSea: () => true } : real(id)) as typeof process.getBuiltinModule);
    expect(resumeTaskProgram()).toEqual({ nodePath: process.execPath });
  });
});
