/**
 * src/cli/readable-stack.ts on a hand-made bundle and map: frames of a file with a map are told
 * in the source; anything it cannot map stays as it was.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readableStack } from '../../src/cli/readable-stack.js';

const dir = mkdtempSync(path.join(tmpdir(), 'readable-stack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bundle = path.join(dir, 'dist', 'chunks', 'x.cjs');
const unmapped = path.join(dir, 'dist', 'other.cjs');
mkdirSync(path.dirname(bundle), { recursive: true });
writeFileSync(bundle, 'a();b()\nc()\nd()\n');
writeFileSync(unmapped, 'e()\n');
// Generated line 1, column 0 -> src/x.ts line 1 column 0; column 4 -> line 5 column 2; generated
// line 2, column 0 -> src/x.ts line 9 column 0; nothing on line 3 (VLQ: A=0, C=1, E=2, I=4, G=3).
writeFileSync(
  `${bundle}.map`,
  JSON.stringify({ version: 3, file: 'x.cjs', sources: ['src/x.ts'], names: [], mappings: 'AAAA,IAIE;AAIF' }),
);

describe('readableStack', () => {
  it('tells each frame of a mapped file in the source, one-based, keeping the rest of the frame', () => {
    const stack = [
      'Error: boom',
      `    at f (${bundle}:1:1)`,
      `    at ${bundle}:1:5`,
      `    at async g (${bundle}:2:1)`,
    ].join('\n');
    expect(readableStack(stack)).toBe(
      ['Error: boom', '    at f (src/x.ts:1:1)', '    at src/x.ts:5:3', '    at async g (src/x.ts:9:1)'].join(
        '\n',
      ),
    );
  });

  it('leaves a frame as it was without a map, without an entry on its line, or outside any file', () => {
    const stack = [
      'TypeError: x is undefined',
      `    at h (${unmapped}:1:1)`,
      `    at i (${bundle}:3:1)`,
      '    at Module._compile (node:internal/modules/cjs/loader:1521:14)',
      '    at async Promise.all (index 0)',
    ].join('\n');
    expect(readableStack(stack)).toBe(stack);
  });

  it('leaves a message that looks like a frame but is not indented as it was', () => {
    const stack = `Error: at (${bundle}:1:1)\n    at f (${bundle}:1:1)`;
    expect(readableStack(stack)).toBe(`Error: at (${bundle}:1:1)\n    at f (src/x.ts:1:1)`);
  });
});
