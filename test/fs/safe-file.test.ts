/**
 * Files are created without being redirected: exclusive, no-follow creates; a scratch file that
 * replaces whatever was planted at its name; atomic replaces that swap a planted link for the file;
 * 0600 unless asked otherwise. And the writers that used to follow links (the receipt's temporary
 * file, the run journal and its lock in a folder someone else owns) no longer do. Run as root with
 * links given to `nobody`, aimed at a root-only file that must stay untouched.
 */
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/fs/atomic-write.js';
import { createNewFile, createScratchFile } from '../../src/fs/safe-file.js';
import { UnsafePathError } from '../../src/fs/unsafe-path-error.js';
import { type ClearReceipt, receiptPath, writeReceipt } from '../../src/remedy/clear/clear-receipt.js';
import { RunJournal } from '../../src/remedy/journal.js';
import { makeVictim, modeOf, plantFolder, plantLink, requireRoot } from '../support/other-user.js';

let root: string;
let n = 0;
/** A fresh folder for one test: root's, 0700. */
function fresh(): string {
  const dir = path.join(root, `t${n++}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}
beforeAll(() => {
  requireRoot();
  root = mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-safe-file-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const RECEIPT: ClearReceipt = {
  runId: 'run-1',
  purpose: 'decommission',
  approvedBy: null,
  ticket: null,
  method: 'platform',
  before: { srkName: null, ek: null },
  after: { srkName: null, ek: null },
  proof: { proven: true, checks: [] },
  journalHash: 'a'.repeat(64),
  journalSeq: 7,
  finishedAt: '2026-01-01T00:00:00.000Z',
};

describe('createNewFile', () => {
  it('creates a new file 0600', () => {
    const file = path.join(fresh(), 'new');
    closeSync(createNewFile(file));
    expect(modeOf(file)).toBe(0o600);
  });

  it('refuses (EEXIST) a planted link and leaves its target untouched', () => {
    const dir = fresh();
    const victim = makeVictim(dir);
    const link = plantLink(path.join(dir, 'new'), victim.file);
    expect(() => createNewFile(link)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(victim.unchanged()).toBe(true);
  });
});

describe('createScratchFile (a report written as FILE.partial)', () => {
  it('replaces a planted link with a new 0600 file of its own; the link target is untouched', () => {
    const shared = plantFolder(path.join(fresh(), 'shared'), 0o777);
    const victim = makeVictim(path.dirname(shared));
    const partial = plantLink(path.join(shared, 'report.csv.partial'), victim.file);
    const fd = createScratchFile(partial);
    writeSync(fd, 'report\n');
    closeSync(fd);
    expect(victim.unchanged()).toBe(true);
    expect(lstatSync(partial).isFile()).toBe(true);
    expect(lstatSync(partial).uid).toBe(0);
    expect(modeOf(partial)).toBe(0o600);
    expect(readFileSync(partial, 'utf8')).toBe('report\n');
  });

  it('refuses a folder at the name', () => {
    const partial = path.join(fresh(), 'report.partial');
    mkdirSync(partial);
    expect(() => createScratchFile(partial)).toThrow(UnsafePathError);
    expect(() => createScratchFile(partial)).toThrow(/report\.partial is a folder/);
  });
});

describe('writeFileAtomic', () => {
  it('writes 0600 by default, or the mode asked for, and leaves no temporary file', () => {
    const dir = fresh();
    writeFileAtomic(path.join(dir, 'a'), 'one');
    writeFileAtomic(path.join(dir, 'a'), 'two');
    writeFileAtomic(path.join(dir, 'unit'), 'x', { mode: 0o644 });
    expect(readFileSync(path.join(dir, 'a'), 'utf8')).toBe('two');
    expect(modeOf(path.join(dir, 'a'))).toBe(0o600);
    expect(modeOf(path.join(dir, 'unit'))).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['a', 'unit']);
  });

  it('replaces a link planted at the destination instead of writing through it', () => {
    const dir = plantFolder(path.join(fresh(), 'shared'), 0o777);
    const victim = makeVictim(path.dirname(dir));
    const file = plantLink(path.join(dir, 'out.json'), victim.file);
    writeFileAtomic(file, '{}\n');
    expect(victim.unchanged()).toBe(true);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('{}\n');
  });
});

describe('the writers of a clear run', () => {
  it("a receipt's temporary file planted as a link does not make root overwrite the link's target", () => {
    // The receipt used to be written to `<receipt>.<pid>.tmp` opened with 'w', which follows links.
    const runs = plantFolder(path.join(fresh(), 'runs'), 0o777);
    const victim = makeVictim(path.dirname(runs));
    const file = receiptPath(runs, 'run-1');
    plantLink(`${file}.${process.pid}.tmp`, victim.file);
    writeReceipt(file, RECEIPT);
    expect(victim.unchanged()).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(RECEIPT);
    expect(modeOf(file)).toBe(0o600);
  });

  it('a journal and its lock are 0600 in a 0700 folder', () => {
    const runs = path.join(fresh(), 'state', 'runs');
    const journal = RunJournal.create(runs, 'run-modes');
    try {
      expect(modeOf(path.dirname(runs))).toBe(0o700);
      expect(modeOf(runs)).toBe(0o700);
      expect(modeOf(journal.path)).toBe(0o600);
      expect(modeOf(`${journal.path}.lock`)).toBe(0o600);
    } finally {
      journal.close();
    }
  });

  it('refuses to start or resume a run in a folder another user owns; nothing is written there', () => {
    const runs = plantFolder(path.join(fresh(), 'runs'), 0o777);
    expect(() => RunJournal.create(runs, 'run-planted')).toThrow(UnsafePathError);
    expect(() => RunJournal.create(runs, 'run-planted')).toThrow(/owned by uid 65534/);
    expect(readdirSync(runs)).toEqual([]);
    expect(() => RunJournal.open(path.join(runs, 'run-planted.jsonl'))).toThrow(/owned by uid 65534/);
    expect(readdirSync(runs)).toEqual([]);
  });

  it('does not resume through a journal that is a link', () => {
    const runs = fresh();
    const journal = RunJournal.create(runs, 'run-real');
    journal.close();
    const before = readFileSync(journal.path, 'utf8');
    const link = plantLink(path.join(runs, 'run-link.jsonl'), journal.path);
    expect(() => RunJournal.open(link)).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(readFileSync(journal.path, 'utf8')).toBe(before);
  });
});
