/**
 * No dead exports: every export of src/ is used by another file of src/, test/, bench/ or scripts/
 * (test/architecture/read-exports.ts says what counts as a use). An export nothing imports is
 * either code that lost its caller (remove it) or a value some file still spells as a literal (use
 * it there); a name used only inside its own file is simply not exported.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unusedExports } from './read-exports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Exports kept on purpose although no file imports them, `file#name`, each with its reason. Keep it
 * short: an entry needs a reader outside this repository (a documented entry point) or a spec table
 * someone will reach for.
 */
const ALLOWED = new Map<string, string>([]);

describe('exports', () => {
  const unused = unusedExports(ROOT);

  it('every export of src/ is used by another file (or listed, with its reason, in ALLOWED)', () => {
    const dead = unused.map((e) => `${e.file}#${e.name}`).filter((k) => !ALLOWED.has(k));
    expect(dead).toEqual([]);
  });

  it('ALLOWED lists only exports that exist and are still unused', () => {
    const stillUnused = new Set(unused.map((e) => `${e.file}#${e.name}`));
    expect([...ALLOWED.keys()].filter((k) => !stillUnused.has(k))).toEqual([]);
  });
});

describe('unusedExports (the reader, on a small tree)', () => {
  it('sees named imports, barrels, re-exports, import() and types in signatures', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'dead-exports-'));
    try {
      const write = (file: string, text: string): void => {
        mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        writeFileSync(path.join(root, file), text);
      };
      write(
        'src/lib.ts',
        [
          'export const used = 1;',
          'export const viaBarrel = 2;',
          'export const dead = 3;',
          'export const onlyHere = 4;',
          'const local = onlyHere;',
          'export interface Shape { size: Size }',
          'export type Size = number;',
          'export type Orphan = string;',
          'export function make(): Shape { return { size: local }; }',
        ].join('\n'),
      );
      write('src/barrel.ts', "export * from './lib.js';\nexport { used as again } from './lib.js';\n");
      write('src/lazy.ts', 'export const picked = 1;\nexport const left = 2;\nexport const all = 3;\n');
      write('src/lazy-all.ts', 'export const any = 1;\n');
      write(
        'test/user.test.ts',
        [
          "import { used, make, type Shape } from '../src/lib.js';",
          "import { viaBarrel } from '../src/barrel.js';",
          "const { picked } = await import('../src/lazy.js');",
          "const m = await import('../src/lazy-all.js');",
        ].join('\n'),
      );
      const names = unusedExports(root).map((e) => `${e.file}#${e.name}:${e.kind}`);
      expect(names).toEqual([
        'src/barrel.ts#again:value',
        'src/lazy.ts#all:value',
        'src/lazy.ts#left:value',
        'src/lib.ts#dead:value',
        'src/lib.ts#onlyHere:value',
        'src/lib.ts#Orphan:type',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
