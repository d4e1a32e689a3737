/** The run catalog: one folder of journals, one run-ID check, read the same way by every verb. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunJournal } from '../../src/remedy/journal.js';
import { findRun, listRuns, readRun, runCatalogDir, unfinishedRuns } from '../../src/remedy/run-catalog.js';
import { isRunId } from '../../src/remedy/run-id.js';

let dir = '';

beforeAll(() => {
  dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-catalog-')), 'runs');
  const done = RunJournal.create(dir, 'run-done', {});
  done.append('run-finished');
  done.close();
  const open = RunJournal.create(dir, 'run-open', {});
  open.append('step-started', 'clear');
  open.close();
  RunJournal.create(dir, 'run-abandoned', {}).close();
  const abandoned = RunJournal.open(path.join(dir, 'run-abandoned.jsonl'));
  abandoned.append('run-abandoned', undefined, { reason: 'test' });
  abandoned.close();
  // Not runs: a name the journal would never create, and a file of another kind.
  writeFileSync(path.join(dir, '.hidden.jsonl'), '');
  writeFileSync(path.join(dir, 'run-done.receipt.json'), '{}');
});

afterAll(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

describe('isRunId', () => {
  it("accepts the journal's alphabet, starting with a letter or digit, at most 128", () => {
    expect(isRunId('run-2026-12-07T12.00.00Z_ab12')).toBe(true);
    expect(isRunId('a'.repeat(128))).toBe(true);
    for (const bad of ['', '../etc', 'a/b', 'a\\b', '.hidden', '-x', '_x', 'a b', 'a'.repeat(129), 'é']) {
      expect(isRunId(bad), bad).toBe(false);
    }
  });
});

describe('run catalog', () => {
  it('lists every run with its status, in file-name order, and nothing that is not a run', () => {
    expect(listRuns(dir).map((r) => [r.runId, r.status, r.inFlight])).toEqual([
      ['run-abandoned', 'abandoned', null],
      ['run-done', 'finished', null],
      ['run-open', 'running', 'clear'],
    ]);
  });

  it('finds a run by ID, never a path or a name outside the alphabet', () => {
    expect(findRun(dir, 'run-done')).toBe(path.join(dir, 'run-done.jsonl'));
    expect(findRun(dir, 'nope')).toBeUndefined();
    expect(findRun(dir, '../runs/run-done')).toBeUndefined();
    expect(findRun(dir, '.hidden')).toBeUndefined();
  });

  it('the unfinished runs are those neither finished nor abandoned', () => {
    expect(unfinishedRuns(dir)).toEqual(['run-open']);
    expect(unfinishedRuns(path.join(dir, 'missing'))).toEqual([]);
    expect(listRuns(path.join(dir, 'missing'))).toEqual([]);
  });

  it('reads a run back with its state', () => {
    const read = readRun(path.join(dir, 'run-open.jsonl'));
    expect(read.torn).toBe(false);
    expect(read.state).toEqual({ status: 'running', completedSteps: [], inFlight: 'clear' });
  });

  it("keeps a lab run's journal out of the machine's runs unless --state-dir says where", () => {
    expect(runCatalogDir('/x/state')).toBe(path.resolve('/x/state', 'runs'));
    expect(runCatalogDir('/x/state', { lab: true })).toBe(path.resolve('/x/state', 'runs'));
    // Never a fixed shared path another user could plant first: a fresh private folder each run.
    const first = runCatalogDir(undefined, { lab: true });
    const second = runCatalogDir(undefined, { lab: true });
    expect(path.dirname(path.dirname(first))).toBe(os.tmpdir());
    expect(path.basename(path.dirname(first))).toMatch(/^tpm-doctor-lab-/);
    expect(path.basename(first)).toBe('runs');
    expect(second).not.toBe(first);
    expect(statSync(path.dirname(first)).mode & 0o777).toBe(0o700);
    rmSync(path.dirname(first), { recursive: true });
    rmSync(path.dirname(second), { recursive: true });
  });
});
