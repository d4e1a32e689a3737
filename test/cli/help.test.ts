/**
 * Every help page as an admin reads it in an 80-column terminal, and the ordinary typing
 * mistakes of a first hour answered with what was meant.
 */
import { describe, expect, it } from 'vitest';
import { closest, formatHelp } from '../../src/cli/help.js';
import { runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();

const COMMANDS = [
  [],
  ['diagnose'],
  ['status'],
  ['clear'],
  ['resume'],
  ['abandon'],
  ['runs'],
  ['collect'],
  ['lab'],
  ['console'],
  ['fleet'],
  ['fleet', 'triage'],
  ['fleet', 'sync'],
  ['fleet', 'remediate'],
  ['fleet', 'clear'],
  ['fleet', 'resume'],
  ['fleet', 'abandon'],
  ['fleet', 'status'],
];

describe('help pages', () => {
  it('every --help fits 80 columns and exits 0', async () => {
    for (const command of COMMANDS) {
      const r = await runCli([...command, '--help']);
      expect(r.code, command.join(' ')).toBe(0);
      expect(r.stdout.length, command.join(' ')).toBeGreaterThan(100);
      for (const line of r.stdout.split('\n')) {
        expect(line.length, `${command.join(' ')} --help: ${line}`).toBeLessThanOrEqual(80);
      }
    }
  });

  it('"tpm-doctor help CMD" prints that command\'s help', async () => {
    for (const command of [['status'], ['diagnose'], ['fleet', 'clear']]) {
      const viaHelp = await runCli(['help', ...command]);
      const viaFlag = await runCli([...command, '--help']);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
      expect(viaHelp.stdout.startsWith(`tpm-doctor ${command.join(' ')}:`)).toBe(true);
    }
    const fleetHelp = await runCli(['fleet', 'help', 'sync']);
    expect(fleetHelp.stdout).toBe((await runCli(['fleet', 'sync', '--help'])).stdout);
  });

  it('fleet clear --help lists --dry-run once', async () => {
    const r = await runCli(['fleet', 'clear', '--help']);
    expect(r.stdout.match(/^ {2}--dry-run /gm)).toHaveLength(1);
    for (const verb of ['sync', 'remediate']) {
      const campaign = await runCli(['fleet', verb, '--help']);
      expect(campaign.stdout.match(/^ {2}--dry-run /gm)).toHaveLength(1);
    }
  });
});

describe('did you mean', () => {
  it('a mistyped command: exit 2 with the command meant', async () => {
    const r = await runCli(['diagnos']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown command "diagnos": did you mean "diagnose"?');
    const far = await runCli(['frobnicate']);
    expect(far.code).toBe(2);
    expect(far.stderr).not.toContain('did you mean');
  });

  it('a mistyped flag or fleet sub-command: exit 2 with the one meant', async () => {
    const flag = await runCli(['diagnose', '--tmp', 'lab:']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--tmp': did you mean --tpm\?/);
    expect(flag.stderr).toMatch(/tpm-doctor diagnose --help/);
    const sub = await runCli(['fleet', 'triag']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('did you mean "triage"?');
  });

  it('"help" with an unknown command: exit 2 as the command itself, not the general help', async () => {
    const r = await runCli(['help', 'diagnos']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown command "diagnos": did you mean "diagnose"?');
    const far = await runCli(['help', 'nothing']);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('unknown command "nothing"');
  });

  it('a --format value given as a flag (--csv): exit 2 naming --format csv', async () => {
    for (const format of ['csv', 'html']) {
      const r = await runCli(['fleet', 'triage', '--tenant', 'lab', `--${format}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Unknown option '--${format}': did you mean --format ${format}?`);
    }
  });

  it('closest: near misses only', () => {
    expect(closest('diagnos', ['diagnose', 'status'])).toBe('diagnose');
    expect(closest('stauts', ['diagnose', 'status'])).toBe('status');
    expect(closest('verbos', ['verbose', 'json'])).toBe('verbose');
    expect(closest('xyz', ['diagnose', 'status'])).toBeUndefined();
    expect(closest('js', ['tpm', 'json'])).toBeUndefined();
  });
});

describe('formatHelp', () => {
  it('never joins example command lines or a heading to the line before', () => {
    const page = `Examples:\n  tpm-doctor clear --dry-run\n  tpm-doctor clear --tpm lab:stale-objects --purpose decommission --yes --json --state-dir /tmp/x\n\nExample (LAB):\n  tpm-doctor fleet triage --tenant lab\nExit codes: 0 done, 13 no credential.`;
    const lines = formatHelp(page).split('\n');
    expect(lines).toContain('  tpm-doctor clear --dry-run');
    expect(lines.some((l) => l.startsWith('  tpm-doctor clear --tpm lab:stale-objects'))).toBe(true);
    expect(lines).toContain('  tpm-doctor fleet triage --tenant lab');
    expect(lines).toContain('Exit codes: 0 done, 13 no credential.');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
  });

  it('the built CLI prints each example of clear --help on a line of its own', async () => {
    const help = await runCli(['clear', '--help']);
    expect(help.stdout).toContain(
      '\n  tpm-doctor clear --dry-run\n  tpm-doctor clear --tpm lab:stale-objects',
    );
  });

  it('keeps a page that fits exactly as written', () => {
    const page = 'Usage: x\n\n  --a   one\n  --bb  two\n';
    expect(formatHelp(page)).toBe(page);
  });

  it('wraps an option description under its column, and prose under its indent', () => {
    const page = `  --tpm URI   ${'word '.repeat(30)}\n${'prose '.repeat(20)}`;
    const lines = formatHelp(page).split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^ {14}word/);
    expect(lines.some((l) => l.startsWith('prose'))).toBe(true);
  });
});
