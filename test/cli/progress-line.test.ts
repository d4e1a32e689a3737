/**
 * The campaign progress line on a terminal fits its width by dropping whole segments, never by
 * cutting a word: done/total, compliant, failed and the time left stay to the last.
 */
import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/cli/fleet/progress-line.js';
import { formatProgressLine } from '../../src/fleet/campaign/campaign-progress.js';

/** A terminal of `columns` columns that keeps what is drawn on it. */
function terminal(columns: number): { stream: NodeJS.WriteStream; drawn: () => string } {
  let written = '';
  const stream = {
    isTTY: true,
    columns,
    write(chunk: string) {
      written += chunk;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, drawn: () => written.replace(/\r\x1b\[2K/g, '').trimEnd() };
}

const LINE = formatProgressLine({
  campaignId: 'c-20261207-193651-ec7079',
  action: 'sync',
  at: '2026-12-07T19:36:51.000Z',
  total: 1200,
  counts: {
    pending: 700,
    posting: 0,
    posted: 300,
    unconfirmed: 0,
    synced: 50,
    compliant: 120,
    failed: 3,
    'timed-out': 0,
  },
  done: 123,
  sentThisRun: 500,
  postsPerSecond: 9.5,
  postingEtaSeconds: 74,
  deadlineInSeconds: 900,
  writeWindowWaitSeconds: 12,
  writeWindowOfEarlierRun: false,
});

describe('ProgressLine on a terminal', () => {
  it('at 80 columns keeps done, compliant, failed and the time left, in whole segments', () => {
    const { stream, drawn } = terminal(80);
    new ProgressLine(true, stream).update(LINE, true);
    const shown = drawn();
    expect(shown.length).toBeLessThanOrEqual(79);
    expect(shown).toMatch(/^sync( c-20261207-193651-ec7079)?: 123\/1,200 done · /);
    expect(shown).toContain(' · compliant 120 · failed 3');
    expect(shown).toMatch(/ · 15 min left$/);
    // Every segment shown is one of the full line's, whole.
    for (const segment of shown.split(' · ').slice(1)) expect(LINE.split(' · ')).toContain(segment);
  });

  it('a wide terminal shows the whole line', () => {
    const { stream, drawn } = terminal(400);
    new ProgressLine(true, stream).update(LINE, true);
    expect(drawn()).toBe(LINE);
  });
});
