/** One word for how a run ended, the same in clear, resume and runs (src/remedy/run-ending.ts). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunJournal } from '../../src/remedy/journal.js';
import { listRuns } from '../../src/remedy/run-catalog.js';
import { ABANDONED_BY_USER, FIRMWARE_PROMPT_REJECTED, runEnding } from '../../src/remedy/run-ending.js';

const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-ending-')), 'runs');
afterAll(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

function ended(runId: string, kind: 'run-finished' | 'run-abandoned', data?: Record<string, string>) {
  const journal = RunJournal.create(dir, runId, {});
  journal.append(kind, undefined, data);
  const last = journal.records().at(-1);
  journal.close();
  return last;
}

describe('runEnding', () => {
  it('names each ending, and runs lists the same word', () => {
    expect(runEnding(ended('a-finished', 'run-finished'))).toBe('finished');
    expect(
      runEnding(
        ended('b-rejected', 'run-abandoned', {
          step: 'ppi-confirmed',
          reason: FIRMWARE_PROMPT_REJECTED,
          message: 'declined',
        }),
      ),
    ).toBe('rejected');
    expect(
      runEnding(ended('c-failed', 'run-abandoned', { step: 'clear', reason: 'disable-clear', message: 'x' })),
    ).toBe('failed');
    expect(runEnding(ended('d-abandoned', 'run-abandoned', { reason: 'test', by: ABANDONED_BY_USER }))).toBe(
      'abandoned',
    );
    expect(runEnding(undefined)).toBeUndefined();
    expect(listRuns(dir).map((r) => [r.runId, r.status])).toEqual([
      ['a-finished', 'finished'],
      ['b-rejected', 'rejected'],
      ['c-failed', 'failed'],
      ['d-abandoned', 'abandoned'],
    ]);
  });
});
