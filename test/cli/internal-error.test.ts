/**
 * A real internal error in the built CLI: its stack names tpm-doctor's TypeScript sources, not the
 * minified bundle (src/cli/readable-stack.ts, the source maps of rolldown.config.mjs), with the
 * documented exit code and who to tell. TPM_DOCTOR_TEST_INTERNAL_ERROR is the test hook of
 * docs/exit-codes.md "Internal errors".
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import { CLI, ROOT, runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();

const HOOK = { TPM_DOCTOR_TEST_INTERNAL_ERROR: '1' };

/** `node FILE status` with the hook set: for dist/cli.cjs run without the launcher. */
function runFile(file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, 'status'], {
      env: { ...process.env, ...HOOK },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** The `    at ...` lines of a printed stack. */
function frames(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^\s+at /.test(line));
}

/** `src/cli/main.ts:79:15` in a frame: the file, and the one-based line. */
function sourceFrames(stderr: string): { file: string; line: number }[] {
  return frames(stderr).flatMap((frame) => {
    const m = /\((src\/[^():]+\.ts):(\d+):(\d+)\)$|at (src\/[^():]+\.ts):(\d+):(\d+)$/.exec(frame);
    return m ? [{ file: (m[1] ?? m[4])!, line: Number(m[2] ?? m[5]) }] : [];
  });
}

function sourceLine(file: string, line: number): string {
  return readFileSync(path.join(ROOT, file), 'utf8').split('\n')[line - 1] ?? '';
}

function expectReadableReport(code: number | null, stderr: string): void {
  expect(code, stderr).toBe(EXIT.INTERNAL);
  expect(stderr).toMatch(/^tpm-doctor: internal error \(please report it with this text\):\nError: /);
  // package.json has no "bugs" URL: the report goes to whoever maintains this copy.
  expect(stderr).toMatch(
    /\nReport it to your tpm-doctor maintainer with this output \(Node v\d+\.\d+\.\d+, \w+ \w+\)\.\n$/,
  );
  const mapped = sourceFrames(stderr);
  expect(mapped.length, stderr).toBeGreaterThan(0);
  // The first frame is where the error was thrown: that line of the source throws.
  expect(mapped[0]!.file).toBe('src/cli/main.ts');
  expect(sourceLine(mapped[0]!.file, mapped[0]!.line)).toContain('throw');
  for (const { file, line } of mapped) {
    expect(sourceLine(file, line).trim(), `${file}:${line}`).not.toBe('');
  }
  // No frame points into the shipped bundle any more.
  expect(
    frames(stderr).filter((f) => f.includes(path.join(ROOT, 'dist')) || /\.cjs:\d+:\d+/.test(f)),
  ).toEqual([]);
}

describe('an internal error in the built CLI', () => {
  it('prints a stack in src/*.ts with the throwing line, exit 1, and who to tell', async () => {
    const r = await runCli(['status'], { env: HOOK });
    expectReadableReport(r.code, r.stderr);
    // The launcher's frames are mapped too (its own map, dist/tpm-doctor.cjs.map).
    expect(sourceFrames(r.stderr).map((f) => f.file)).toContain('src/cli/launcher.ts');
  });

  it('reads the same when dist/cli.cjs is run without the launcher (Node compiles it itself)', async () => {
    const r = await runFile(path.join(path.dirname(CLI), 'cli.cjs'));
    expectReadableReport(r.code, r.stderr);
  });

  it('keeps the source-map reader off every normal run: a chunk of its own, compiled by none of them', () => {
    const dist = path.dirname(CLI);
    expect(existsSync(path.join(dist, 'chunks', 'readable-stack.cjs'))).toBe(true);
    expect(readFileSync(path.join(dist, 'cli.cjs'), 'utf8')).not.toContain('findEntry');
    // scripts/record-code-cache.mjs records what the build's status, diagnose and clear runs compiled.
    const cached = readdirSync(path.join(dist, 'code-cache'));
    expect(cached.some((f) => f.startsWith('diagnose.cjs.'))).toBe(true);
    expect(cached.filter((f) => f.startsWith('readable-stack.'))).toEqual([]);
  });
});
