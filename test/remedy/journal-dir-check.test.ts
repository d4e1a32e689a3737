/**
 * The state folder is tested before the gate: a folder that cannot hold a journal is refused with
 * one line naming it (StateDirError, exit 2), never an internal error after the gate passed.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_REPORTS } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import { assertJournalDirWritable } from '../../src/remedy/journal-dir-check.js';
import { StateDirError } from '../../src/remedy/state-dir-error.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-journal-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('assertJournalDirWritable', () => {
  it('makes a missing folder and leaves nothing in it', () => {
    const dir = path.join(root, 'state', 'runs');
    assertJournalDirWritable(dir);
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a folder under a regular file (root cannot make it either), naming the path', () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'x');
    const dir = path.join(file, 'sub', 'runs');
    let caught: unknown;
    try {
      assertJournalDirWritable(dir);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StateDirError);
    const e = caught as StateDirError;
    expect(e.code).toBe('state-dir-unwritable');
    expect(ERROR_REPORTS[e.code].exit).toBe(EXIT.USAGE);
    expect(e.path).toBe(dir);
    expect(e.message).toContain(dir);
    expect(e.message).toMatch(/ENOTDIR/);
    expect(e.message.split('\n')).toHaveLength(1);
  });
});
