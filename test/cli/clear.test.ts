/**
 * `tpm-doctor clear` and `resume` end to end on a real swtpm, with the TPM's state made and
 * checked by tpm2-tools: the gate refuses and leaves the TPM untouched; a decommission clear runs,
 * is journaled, proven and leaves a receipt; without a terminal nothing is destroyed unconfirmed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunJournal } from '../../src/remedy/journal.js';
import { resumeArguments } from '../../src/remedy/platform/startup-task-base.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { runCli, runCliOnTerminal, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const swtpm = useSwtpm({ provision: true });
const temp = useTempDir('tpm-doctor-clear-');

async function persistentHandles(): Promise<string> {
  return (await tpm2(swtpm.get(), ['tpm2_getcap', 'handles-persistent'])).stdout;
}

beforeAll(async () => {
  // An owner key for the clear to destroy (or, when refused, to leave alone), made with tpm2-tools.
  const i = swtpm.get();
  const ctx = temp.file('owner.ctx');
  await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', ctx]);
  await tpm2(i, ['tpm2_evictcontrol', '-C', 'o', '-c', ctx, '0x81000005']);
  await tpm2(i, ['tpm2_flushcontext', '-t']);
});

describe('tpm-doctor clear', () => {
  it('refuses a repair clear of a healthy TPM (exit 10) and changes nothing', async () => {
    const i = swtpm.get();
    const r = await runCli(['clear', '--tpm', i.uri, '--state-dir', temp.dir(), '--yes']);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/FAIL\s+reason/);
    expect(r.stdout).toMatch(/Gate: REFUSED/);
    expect(await persistentHandles()).toMatch(/0x81000005/);
  });

  it('without a terminal and without --yes it destroys nothing (exit 2)', async () => {
    const i = swtpm.get();
    const r = await runCli(['clear', '--tpm', i.uri, '--purpose', 'decommission', '--state-dir', temp.dir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(await persistentHandles()).toMatch(/0x81000005/);
  });

  it('on a terminal, a typed answer other than CLEAR destroys nothing; the keys to be lost are listed first', async () => {
    const i = swtpm.get();
    const r = await runCliOnTerminal(
      ['clear', '--tpm', i.uri, '--purpose', 'decommission', '--state-dir', temp.dir()],
      { prompt: /Type CLEAR to continue: /, answer: 'clear' },
    );
    expect(r.screen).toMatch(/This deletes the keys listed above\. Type CLEAR to continue: /);
    expect(r.screen).toMatch(/0x81000005/);
    expect(r.code, r.screen).not.toBe(0);
    expect(await persistentHandles()).toMatch(/0x81000005/);
  });

  it('a malformed or partial --escrow-verified is a wrong command line (exit 2); nothing is touched', async () => {
    const i = swtpm.get();
    const base = ['clear', '--tpm', i.uri, '--purpose', 'decommission', '--yes', '--state-dir', temp.dir()];
    const id = 'dfa26333-1c2b-402c-9e4d-a8c40af3b1e7';
    for (const [flags, message] of [
      [['--escrow-verified', id], /go together/],
      [
        [
          '--escrow-verified',
          `{${id}}`,
          '--escrow-verified-at',
          '2026-01-01T00:00:00Z',
          '--escrow-verified-by',
          'c-1',
        ],
        /--escrow-verified: expected recovery-password protector IDs/,
      ],
      [
        ['--escrow-verified', id, '--escrow-verified-at', 'yesterday', '--escrow-verified-by', 'c-1'],
        /--escrow-verified-at: expected a UTC time/,
      ],
      [
        [
          '--escrow-verified',
          id,
          '--escrow-verified-at',
          '2026-01-01T00:00:00Z',
          '--escrow-verified-by',
          'a b',
        ],
        /--escrow-verified-by: expected a campaign id/,
      ],
    ] as const) {
      const r = await runCli([...base, ...flags]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(await persistentHandles()).toMatch(/0x81000005/);
  });

  it('disableClear set with tpm2-tools: the gate refuses with the platform/PPI route', async () => {
    const i = swtpm.get();
    await tpm2(i, ['tpm2_clearcontrol', '-C', 'l', 's']);
    try {
      const r = await runCli([
        'clear',
        '--tpm',
        i.uri,
        '--purpose',
        'decommission',
        '--yes',
        '--state-dir',
        temp.dir(),
      ]);
      expect(r.code).toBe(10);
      expect(r.stdout).toMatch(/FAIL\s+blocker\.disable-clear/);
      expect(await persistentHandles()).toMatch(/0x81000005/);
    } finally {
      await tpm2(i, ['tpm2_clearcontrol', '-C', 'p', 'c']);
    }
  });

  it('refuses a lockout value when the TPM has none set: a wrong one would block lockout', async () => {
    const i = swtpm.get();
    const file = temp.file('lockout.txt');
    writeFileSync(file, 'not-the-value\n');
    const r = await runCli([
      'clear',
      '--tpm',
      i.uri,
      '--method',
      'lockout',
      '--lockout-auth-file',
      file,
      '--purpose',
      'decommission',
      '--yes',
      '--state-dir',
      temp.dir(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no lockout authorization value set/);
    expect(r.stdout + r.stderr).not.toMatch(/not-the-value/);
    expect(await persistentHandles()).toMatch(/0x81000005/);
  });

  it('an unfinished run blocks a new clear; resume asks for consent; abandon ends it', async () => {
    const i = swtpm.get();
    const dir = path.join(temp.dir(), 'runs');
    RunJournal.create(dir, 'run-stuck', { kind: 'tpm-doctor clear', method: 'platform' }).close();
    const blocked = await runCli([
      'clear',
      '--tpm',
      i.uri,
      '--purpose',
      'decommission',
      '--yes',
      '--state-dir',
      temp.dir(),
    ]);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toMatch(/run-stuck is not finished/);
    // Refused at the plan stage: no gate is printed (let alone a passed one) before the refusal.
    expect(blocked.stdout).toBe('');
    const resume = await runCli(['resume', 'run-stuck', '--tpm', i.uri, '--state-dir', temp.dir()]);
    expect(resume.code).toBe(2); // no terminal: a clear still to come needs --yes
    expect(resume.stderr).toMatch(/--yes/);
    const abandon = await runCli(['abandon', 'run-stuck', '--reason', 'test', '--state-dir', temp.dir()]);
    expect(abandon.code).toBe(0);
    const runs = await runCli(['runs', '--state-dir', temp.dir(), '--json']);
    expect((JSON.parse(runs.stdout) as { runs: { runId: string; status: string }[] }).runs).toContainEqual(
      expect.objectContaining({ runId: 'run-stuck', status: 'abandoned' }),
    );
    expect(await persistentHandles()).toMatch(/0x81000005/);
  });

  it('a state folder that cannot hold a journal is refused in one line before the gate (exit 2)', async () => {
    const i = swtpm.get();
    // A path under a regular file: no user can make it, root included (ENOTDIR).
    const file = temp.file('a-file');
    writeFileSync(file, 'not a folder');
    const state = path.join(file, 'sub');
    const r = await runCli([
      'clear',
      '--tpm',
      i.uri,
      '--purpose',
      'decommission',
      '--yes',
      '--state-dir',
      state,
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(path.join(state, 'runs'));
    expect(r.stderr).toMatch(/ENOTDIR/);
    expect(await persistentHandles()).toMatch(/0x81000005/);
  });

  it('a decommission clear runs: proven, journaled, receipt written, the owner key gone', async () => {
    const i = swtpm.get();
    const r = await runCli(
      ['clear', '--tpm', i.uri, '--purpose', 'decommission', '--yes', '--json', '--state-dir', temp.dir()],
      { timeoutMs: 60_000 },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      gate: { passed: boolean };
      run: { status: string; runId: string; receiptPath: string; proof: { proven: boolean } };
    };
    expect(out.gate.passed).toBe(true);
    expect(out.run).toMatchObject({ status: 'finished', proof: { proven: true } });
    expect(existsSync(out.run.receiptPath)).toBe(true);
    const receipt = JSON.parse(readFileSync(out.run.receiptPath, 'utf8')) as {
      runId: string;
      proof: { proven: boolean };
    };
    expect(receipt).toMatchObject({ runId: out.run.runId, proof: { proven: true } });
    expect(await persistentHandles()).not.toMatch(/0x81000005/);

    const runs = await runCli(['runs', '--state-dir', temp.dir(), '--json']);
    const listed = (JSON.parse(runs.stdout) as { runs: { runId: string; status: string }[] }).runs;
    expect(listed).toContainEqual(expect.objectContaining({ runId: out.run.runId, status: 'finished' }));

    // Resuming a finished run sends nothing and reports it.
    const again = await runCli([
      'resume',
      out.run.runId,
      '--tpm',
      i.uri,
      '--state-dir',
      temp.dir(),
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { run: { status: string } }).run.status).toBe('finished');
  });

  it("the start-up task's own command line is accepted by resume (boot-time resume)", async () => {
    const dir = path.join(temp.dir(), 'boot');
    const journal = RunJournal.create(path.join(dir, 'runs'), 'run-boot', {
      kind: 'tpm-doctor clear',
      method: 'platform',
    });
    const journalPath = journal.path;
    journal.close();
    const args = resumeArguments({ runId: 'run-boot', journalPath });
    // Nothing listens at this address: the command must get past argument checking and fail on the TPM.
    const r = await runCli([...args, '--yes', '--tpm', 'swtpm://127.0.0.1:1', '--timeout', '2']);
    expect(r.stderr).not.toMatch(/not both|is not the journal/);
    expect(r.code).not.toBe(2);
    await runCli(['abandon', 'run-boot', '--state-dir', dir]);
  });

  it('resume without an unfinished run is a usage error', async () => {
    const r = await runCli(['resume', '--tpm', swtpm.get().uri, '--state-dir', temp.dir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no unfinished run/);
  });
});
