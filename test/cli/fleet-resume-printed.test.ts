/**
 * After Ctrl-C a campaign prints the exact command that resumes it, with the connection options it
 * was created with (a campaign resumes only in its own tenant): run as printed, it resumes.
 */
import { describe, expect, it } from 'vitest';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-resume-printed-');

describe('the resume command printed after Ctrl-C', () => {
  it('names the lab and store options, and resumes the campaign when run as printed', async () => {
    const store = `sqlite:${tmp.file('fleet.sqlite')}`;
    const lab = ['--tenant', 'lab', '--lab-devices', '500', '--lab-seed', '3'];
    const triage = await runCli(['fleet', 'triage', ...lab, '--store', store, '-q'], { timeoutMs: 120_000 });
    expect(triage.code).toBe(0);
    // Ctrl-C once the campaign runs (its first progress line): a state, not a time.
    const stopped = await runCli(
      ['fleet', 'sync', ...lab, '--class', 'sync-stale,attestation', '--store', store, '--yes'],
      {
        killWhen: ({ stderr }) => /^sync c-\S+: /m.test(stderr),
        killSignal: 'SIGINT',
        timeoutMs: 120_000,
      },
    );
    expect(stopped.code).toBe(12);
    const printed = /Stopped: "([^"]+)" resumes it\./.exec(stopped.stdout)?.[1];
    expect(printed).toMatch(
      /^tpm-doctor fleet resume c-\S+ --tenant lab --lab-devices 500 --lab-seed 3 --store sqlite:\S+$/,
    );
    const words = (printed ?? '').split(' ').slice(1);
    // As printed, plus a short deadline so the test does not wait for devices that never sync.
    const resumed = await runCli([...words, '--deadline', '1s', '--json'], { timeoutMs: 120_000 });
    expect(resumed.stderr).not.toMatch(/connection options/);
    const status = JSON.parse(resumed.stdout) as { id: string; counts: Record<string, number> };
    expect(printed).toContain(status.id);
    expect(status.counts.pending).toBe(0);
    expect([0, 16]).toContain(resumed.code);
  }, 300_000);
});
