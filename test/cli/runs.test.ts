/** `tpm-doctor runs`: the history of runs, read back from their journals, damage reported. */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunJournal } from '../../src/remedy/journal.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const temp = useTempDir('tpm-doctor-runs-');

beforeAll(() => {
  const dir = path.join(temp.dir(), 'runs');
  const done = RunJournal.create(dir, 'run-done', { purpose: 'repair' });
  done.append('step-started', 'clear');
  done.append('step-succeeded', 'clear');
  done.append('run-finished');
  done.close();
  const crashed = RunJournal.create(dir, 'run-crashed', { purpose: 'decommission' });
  crashed.append('step-started', 'clear');
  crashed.close();
  appendFileSync(path.join(dir, 'run-crashed.jsonl'), '{"seq":3,"kind":"step-suc'); // a crash mid-write
  const edited = RunJournal.create(dir, 'run-edited', {});
  edited.append('step-started', 'gate-recorded');
  edited.append('step-succeeded', 'gate-recorded');
  edited.close();
  const file = path.join(dir, 'run-edited.jsonl');
  writeFileSync(file, readFileSync(file, 'utf8').replace('gate-recorded', 'gate-skipped'));
});

describe('tpm-doctor runs', () => {
  it('lists every run with its status and where it stopped', async () => {
    const r = await runCli(['runs', '--state-dir', temp.dir(), '--json']);
    expect(r.code).toBe(0);
    const { runs } = JSON.parse(r.stdout) as {
      runs: { runId: string; status: string; inFlight: string | null; error: string | null }[];
    };
    const byId = Object.fromEntries(runs.map((x) => [x.runId, x]));
    expect(byId['run-done']).toMatchObject({ status: 'finished', inFlight: null });
    expect(byId['run-crashed']).toMatchObject({ status: 'running', inFlight: 'clear' });
    expect(byId['run-edited']?.status).toBe('damaged');
    expect(byId['run-edited']?.error).toMatch(/line 2/);
  });

  it('shows one run record by record, and says when the last line was torn by a crash', async () => {
    const r = await runCli(['runs', 'run-crashed', '--state-dir', temp.dir()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run-started/);
    expect(r.stdout).toMatch(/step-started\s+clear/);
    expect(r.stdout).toMatch(/cut off by a crash/);
  });

  it('an unknown run or a path-like id is a usage error', async () => {
    expect((await runCli(['runs', 'nope', '--state-dir', temp.dir()])).code).toBe(2);
    expect((await runCli(['runs', '../etc', '--state-dir', temp.dir()])).code).toBe(2);
  });
});
