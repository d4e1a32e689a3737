/**
 * Start-up is part of the product (docs/benchmarks.md): the console's server is a chunk of its own
 * (rolldown.config.mjs), which only `tpm-doctor console` loads.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/console/http-response.js';
import { CLI, ROOT, useBuiltCli } from '../cli/cli-support.js';

useBuiltCli();

/** The files of dist/ a CLI run loaded (read from require.cache as the process exits). */
async function loadedFiles(args: string[]): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-chunks-'));
  const preload = path.join(dir, 'list-modules.cjs');
  await writeFile(
    preload,
    "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));\n",
  );
  try {
    return await new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['--require', preload, CLI, ...args],
        { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } },
        (_err, _stdout, stderr) => {
          const line = /LOADED (.*)/.exec(stderr)?.[1];
          if (line === undefined) return reject(new Error(`no module list: ${stderr}`));
          resolve((JSON.parse(line) as string[]).map((f) => path.relative(path.join(ROOT, 'dist'), f)));
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the console chunk', () => {
  it('holds the server; the core does not', () => {
    const core = readFileSync(path.join(ROOT, 'dist', 'cli.cjs'), 'utf8');
    const chunk = readFileSync(path.join(ROOT, 'dist', 'chunks', 'web-console.cjs'), 'utf8');
    expect(chunk).toContain(CONTENT_SECURITY_POLICY);
    expect(core).not.toContain(CONTENT_SECURITY_POLICY);
    expect(core).not.toContain('require("node:http")');
  });

  it('status never loads it; console does', async () => {
    expect(await loadedFiles(['status', '--help'])).not.toContain('chunks/web-console.cjs');
    expect(await loadedFiles(['console', '--help'])).toContain('chunks/web-console.cjs');
  });
});
