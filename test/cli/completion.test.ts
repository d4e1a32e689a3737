/**
 * `tpm-doctor completion`: the scripts as the shells read them. The bash script is sourced in a
 * real bash and its completion function driven as bash's programmable completion drives it
 * (COMP_WORDS, COMP_CWORD, then COMPREPLY; bash(1), "Programmable Completion").
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRIAGE_CLASSES } from '../../src/fleet/triage/triage-class.js';
import { loadedFiles, ROOT, runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();

let dir: string;
let script: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-completion-'));
  const r = await runCli(['completion', 'bash']);
  expect(r.code).toBe(0);
  script = path.join(dir, 'tpm-doctor.bash');
  writeFileSync(script, r.stdout);
  writeFileSync(path.join(dir, 'devices.txt'), '');
  writeFileSync(path.join(dir, 'devices-old.txt'), '');
}, 150_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bash(program: string): string {
  try {
    return execFileSync('bash', ['--norc', '--noprofile', '-c', program], { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('bash is needed: apt-get install bash');
    throw e;
  }
}

/** What bash offers after typing `line` (a trailing space: a new word), one candidate per array item. */
function complete(line: string): string[] {
  const words = line.split(' ');
  const array = words.map((w) => `'${w}'`).join(' ');
  const out = bash(
    `source ${JSON.stringify(script)}\nCOMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; COMPREPLY=()\n_tpm_doctor\nprintf '%s\\n' "\${COMPREPLY[@]}"`,
  );
  return out.split('\n').filter((l) => l !== '');
}

describe('bash completion', () => {
  it('registers _tpm_doctor for tpm-doctor', () => {
    expect(bash(`source ${JSON.stringify(script)}\ncomplete -p tpm-doctor`).trim()).toBe(
      'complete -F _tpm_doctor tpm-doctor',
    );
  });

  it('completes the verbs, the fleet sub-commands and a shell name', () => {
    expect(complete('tpm-doctor ')).toEqual(
      expect.arrayContaining(['diagnose', 'status', 'clear', 'fleet', 'completion', 'help']),
    );
    expect(complete('tpm-doctor di')).toEqual(['diagnose']);
    expect(complete('tpm-doctor fleet ')).toEqual([
      'triage',
      'sync',
      'remediate',
      'clear',
      'resume',
      'abandon',
      'status',
    ]);
    expect(complete('tpm-doctor --lang ja fleet s')).toEqual(['sync', 'status']);
    expect(complete('tpm-doctor completion ')).toEqual(['bash', 'zsh', 'powershell']);
  });

  it("completes a command's own flags, from its table", () => {
    expect(complete('tpm-doctor fleet sync --cl')).toEqual(['--class', '--clear-safety', '--client-id']);
    expect(complete('tpm-doctor status --')).toEqual(
      expect.arrayContaining([
        '--tpm',
        '--json',
        '--verbose',
        '--compute-ek',
        '--timeout',
        '--help',
        '--lang',
      ]),
    );
    // fleet flags are not status's.
    expect(complete('tpm-doctor status --cl')).toEqual([]);
  });

  it('completes the values a flag takes: classes, lists, formats, languages, files', () => {
    expect(complete('tpm-doctor fleet sync --class ')).toEqual([...TRIAGE_CLASSES]);
    expect(complete('tpm-doctor fleet sync --tenant lab --class sync')).toEqual(['sync-stale']);
    expect(complete('tpm-doctor fleet sync --class sync-stale,att')).toEqual(['sync-stale,attestation']);
    expect(complete('tpm-doctor fleet sync --class = tpm-w')).toEqual(['tpm-wait']);
    expect(complete('tpm-doctor fleet triage --format ')).toEqual(['table', 'csv', 'json', 'html']);
    expect(complete('tpm-doctor diagnose --lang ')).toEqual(['ja', 'en']);
    expect(complete('tpm-doctor fleet clear --devices dev').sort()).toEqual([
      'devices-old.txt',
      'devices.txt',
    ]);
    // A value with no list of its own is not completed with a flag.
    expect(complete('tpm-doctor fleet clear --ticket ')).toEqual([]);
  });
});

describe('zsh and PowerShell scripts', () => {
  it('zsh loads the same function through bashcompinit', async () => {
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.startsWith('#compdef tpm-doctor\n')).toBe(true);
    expect(zsh.stdout).toContain('autoload -U +X bashcompinit && bashcompinit');
    const bashScript = await runCli(['completion', 'bash']);
    expect(zsh.stdout.endsWith(bashScript.stdout)).toBe(true);
  });

  it('PowerShell: one native completer, ASCII only, with the same tables', async () => {
    const ps = await runCli(['completion', 'powershell']);
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(/^Register-ArgumentCompleter -Native -CommandName 'tpm-doctor'/m);
    expect(/^[\x20-\x7e\n]*$/.test(ps.stdout)).toBe(true);
    expect(ps.stdout).toContain(`'--class' = @(${TRIAGE_CLASSES.map((c) => `'${c}'`).join(', ')})`);
    expect(ps.stdout).toContain("'fleet sync' = @{");
  });

  it('an unknown shell is a usage error', async () => {
    const r = await runCli(['completion', 'fish']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bash, zsh, powershell');
  });
});

describe('start-up', () => {
  it('status and diagnose load neither the fleet tables nor the completion generator', async () => {
    const core = readFileSync(path.join(ROOT, 'dist', 'cli.cjs'), 'utf8');
    for (const fleetText of ['Connection (production):', 'Selecting devices', 'Register-ArgumentCompleter'])
      expect(core).not.toContain(fleetText);
    for (const args of [
      ['status', '--help'],
      ['diagnose', '--help'],
    ]) {
      const files = await loadedFiles(args);
      expect(files, args.join(' ')).not.toContain('chunks/fleet.cjs');
      expect(files, args.join(' ')).not.toContain('chunks/completion.cjs');
    }
    expect(await loadedFiles(['completion', 'bash'])).toContain('chunks/completion.cjs');
  });
});
