/**
 * The launcher (src/cli/launcher.ts) hands V8 the build's code cache for tpm-doctor's own files,
 * except a file holding a dynamic import(), which it leaves to Node's loader. A core bundle that
 * gains one loses its cache, and every command's start-up with it: the build must keep the core
 * and the chunks every command loads free of import(), and record a cache for each.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, useBuiltCli } from './cli-support.js';

useBuiltCli();

describe('the code cache', () => {
  it('covers the core bundle and the chunks of status, diagnose and clear: none holds a dynamic import()', () => {
    const dist = path.dirname(CLI);
    const cached = readdirSync(path.join(dist, 'code-cache'));
    for (const file of ['cli.cjs', 'chunks/diagnose.cjs', 'chunks/remedy.cjs', 'chunks/tcp.cjs']) {
      expect(readFileSync(path.join(dist, file), 'utf8'), file).not.toContain('import(');
      expect(
        cached.some((f) => f.startsWith(`${path.basename(file)}.`)),
        `${file} has a recorded code cache`,
      ).toBe(true);
    }
  });
});
