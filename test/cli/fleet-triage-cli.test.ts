/**
 * `fleet triage` on the in-process lab tenant: options that cannot apply are refused, and the
 * table's width follows COLUMNS, else 80 into a pipe (src/cli/terminal-style.ts).
 */
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/text/display-width.js';
import { runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();

const TRIAGE = ['fleet', 'triage', '--tenant', 'lab', '--lab-devices', '300', '--no-store', '-q'];

function widest(text: string): number {
  return Math.max(...text.split('\n').map((line) => displayWidth(line)));
}

describe('fleet triage --tenant lab', () => {
  it('--auth is refused in one line (exit 2): the in-process lab signs in by itself', async () => {
    const r = await runCli([...TRIAGE, '--auth', 'browser']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tpm-doctor: --tenant lab signs in by itself: drop --auth browser/);
  });

  it('the table is 80 columns wide into a pipe, and COLUMNS wide when COLUMNS is set', async () => {
    const piped = await runCli(TRIAGE, { env: { COLUMNS: '' }, timeoutMs: 120_000 });
    expect(piped.code).toBe(0);
    expect(widest(piped.stdout)).toBeLessThanOrEqual(80);
    const wide = await runCli(TRIAGE, { env: { COLUMNS: '200' }, timeoutMs: 120_000 });
    expect(wide.code).toBe(0);
    expect(widest(wide.stdout)).toBeGreaterThan(80);
    expect(widest(wide.stdout)).toBeLessThanOrEqual(200);
  }, 300_000);
});
