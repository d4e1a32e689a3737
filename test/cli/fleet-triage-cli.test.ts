/**
 * `fleet triage` on the in-process lab tenant: options that cannot apply are refused, and the
 * table's width follows COLUMNS, else 80 into a pipe (src/cli/terminal-style.ts). And the dry run
 * of a campaign on it: the devices it would reach and how long posting them takes at least.
 */
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/text/display-width.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
// A store of its own: a dry run opens the store, and the default is the machine's state folder.
const tmp = useTempDir('tpm-doctor-fleet-triage-cli-');
const store = () => ['--store', `sqlite:${tmp.file('fleet.sqlite')}`];

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

describe('fleet sync --dry-run --tenant lab', () => {
  it('lists the devices (first 20, --json lists them) and never says "at least 0 s"', async () => {
    for (const bulk of [[], ['--no-bulk']]) {
      const r = await runCli(
        [
          'fleet',
          'sync',
          '--tenant',
          'lab',
          '--lab-devices',
          '300',
          '--device',
          'a',
          '--device',
          'b',
          '--dry-run',
          ...store(),
          ...bulk,
        ],
        { timeoutMs: 120_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(
        /^Dry run: would sync 2 devices; they fit in one write window \(200 writes per 20 s\): posting starts at once\.$/m,
      );
      expect(r.stdout).toMatch(/^ {2}a\n {2}b\nNothing was posted\.$/m);
      expect(r.stdout).not.toContain('at least 0 s');
    }
    const many = Array.from({ length: 450 }, (_, i) => ['--device', `d${i}`]).flat();
    const big = await runCli(
      ['fleet', 'sync', '--tenant', 'lab', '--lab-devices', '300', ...many, '--dry-run', ...store()],
      {
        timeoutMs: 120_000,
      },
    );
    expect(big.code, big.stderr).toBe(0);
    expect(big.stdout).toContain(
      'would sync 450 devices; at 200 writes per 20 s, posting takes at least 40 s.',
    );
    expect(big.stdout).toContain('  ... and 430 more (--json lists them)');
    const json = await runCli(
      [
        'fleet',
        'sync',
        '--tenant',
        'lab',
        '--lab-devices',
        '300',
        ...many,
        '--dry-run',
        '--json',
        ...store(),
      ],
      {
        timeoutMs: 120_000,
      },
    );
    expect((JSON.parse(json.stdout) as { selected: unknown[] }).selected).toHaveLength(450);
  }, 300_000);
});
