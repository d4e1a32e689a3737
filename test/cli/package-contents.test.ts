/**
 * What `npm publish` would ship: the CLI, its docs and the evidence script, a LICENSE for the
 * license package.json names, and no benchmark or test code.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, useBuiltCli } from './cli-support.js';

useBuiltCli();

function packedFiles(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT }, (err, stdout) => {
      if (err) return reject(err);
      const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[];
      resolve((pack?.files ?? []).map((f) => f.path));
    });
  });
}

describe('the npm package', () => {
  it('ships the CLI and a LICENSE, and no benchmark, test or source code', async () => {
    const files = await packedFiles();
    expect(files).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'dist/tpm-doctor.cjs',
        'dist/cli.cjs',
        'scripts/collect-evidence.ps1',
      ]),
    );
    expect(files.filter((f) => /^(dist\/bench|bench|test|src)\//.test(f))).toEqual([]);
  }, 60_000);
});
