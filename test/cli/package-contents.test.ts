/**
 * What `npm publish` would ship: the CLI, the console's built front end, its docs and the evidence
 * script, a LICENSE for the license package.json names, and no benchmark, test or source code
 * (the front end's source in console/ included). The CLI's source maps ship (an internal error's
 * stack is told in the sources with them, src/cli/readable-stack.ts), the sources themselves do
 * not: a map names `src/...ts` files and carries none of their text.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useBuiltConsole } from '../console/console-support.js';
import { ROOT } from './cli-support.js';

useBuiltConsole();

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
        'dist/console/index.html',
      ]),
    );
    expect(files.filter((f) => /^dist\/console\/assets\/index-[\w-]+\.js$/.test(f))).toHaveLength(1);
    expect(files.filter((f) => /^(dist\/bench|bench|test|src|console)\//.test(f))).toEqual([]);
  }, 60_000);

  it('ships a source map beside each JavaScript file of the CLI, naming the sources without their text', async () => {
    const files = await packedFiles();
    const scripts = files.filter((f) => /^dist\/.*\.cjs$/.test(f));
    expect(scripts).toEqual(expect.arrayContaining(['dist/tpm-doctor.cjs', 'dist/cli.cjs']));
    expect(scripts.filter((f) => !files.includes(`${f}.map`))).toEqual([]);
    for (const file of files.filter((f) => f.endsWith('.map'))) {
      const map = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown;
      };
      expect(map.sourcesContent, file).toBeUndefined();
      expect(map.sources.length, file).toBeGreaterThan(0);
      expect(
        // Our sources, or a bundled package's file by its path under node_modules (fflate in the lab).
        map.sources.filter((s) => !/^(src\/[\w./-]+\.ts|node_modules\/[\w@./-]+\.m?js)$/.test(s)),
        file,
      ).toEqual([]);
    }
  }, 60_000);
});
