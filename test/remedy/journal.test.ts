/**
 * The run journal against real files in a temp dir: the hash chain, tampering, a torn last line and
 * its repair, the append rules, secrets, runState, and a child process killed with SIGKILL at random
 * moments (30 times) whose acknowledged records must all survive.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunJournal, readJournal } from '../../src/remedy/journal.js';
import {
  canonicalJson,
  type JournalKind,
  type JournalRecord,
  type JsonObject,
  makeRecord,
  recordHash,
  runState,
  stepOutcome,
} from '../../src/remedy/journal-record.js';
import { lockPath, RunLockedError } from '../../src/remedy/run-lock.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let tmp: string;
let n = 0;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-journal-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh directory for one test. */
function freshDir(): string {
  n += 1;
  return path.join(tmp, `t${n}`);
}

function sha256(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function lines(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

/** A journal with run-started, step a (succeeded), step b (started), a note: 5 lines. */
function sampleJournal(): RunJournal {
  const j = RunJournal.create(freshDir(), 'run-1', { purpose: 'repair', device: 'PC-042' });
  j.append('step-started', 'a', { method: 'lockout' });
  j.append('step-succeeded', 'a');
  j.append('step-started', 'b');
  j.append('note', 'b', { text: 'waiting for the firmware prompt' });
  return j;
}

describe('the hash chain', () => {
  it('writes one canonical, chained, hashed record per line and reads the same records back', () => {
    const j = sampleJournal();
    j.close();
    const text = lines(j.path);
    expect(text).toHaveLength(5);
    let prev = '';
    text.forEach((line, i) => {
      const r = JSON.parse(line) as JournalRecord;
      expect(r.seq).toBe(i + 1);
      expect(r.prev).toBe(prev);
      expect(canonicalJson(r)).toBe(line);
      const { hash, ...body } = r;
      expect(hash).toBe(sha256(canonicalJson(body)));
      expect(r.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      prev = sha256(line);
    });
    const read = readJournal(j.path);
    expect(read).toEqual({ records: j.records(), torn: false });
    expect(read.records[0]).toMatchObject({
      kind: 'run-started',
      data: { runId: 'run-1', meta: { purpose: 'repair', device: 'PC-042' } },
    });
    expect(read.records[1]).toMatchObject({ kind: 'step-started', step: 'a', data: { method: 'lockout' } });
    expect(read.records[2]).not.toHaveProperty('data');
  });

  it('open() checks the journal, continues the chain and keeps the run ID', () => {
    const first = sampleJournal();
    first.close();
    const again = RunJournal.open(first.path);
    expect(again.repairedTornLine).toBe(false);
    expect(again.runId).toBe('run-1');
    expect(again.records()).toEqual(first.records());
    const r = again.append('step-succeeded', 'b');
    again.close();
    expect(r.seq).toBe(6);
    expect(r.prev).toBe(sha256(lines(first.path)[4]!));
    expect(readJournal(first.path)).toMatchObject({ torn: false, records: { length: 6 } });
    expect(readJournal(first.path).error).toBeUndefined();
  });

  it('create() makes missing directories, names the file after the run and refuses to reuse it', () => {
    const dir = path.join(freshDir(), 'deeper', 'runs');
    const j = RunJournal.create(dir, '2024-05-01T10.00.00Z-clear');
    j.close();
    expect(j.path).toBe(path.join(dir, '2024-05-01T10.00.00Z-clear.jsonl'));
    expect(() => RunJournal.create(dir, '2024-05-01T10.00.00Z-clear')).toThrow(/EEXIST/);
    expect(() => RunJournal.create(dir, '../escape')).toThrow(/expected a run ID/);
    expect(() => RunJournal.create(dir, '')).toThrow(/expected a run ID/);
  });
});

describe('tampering', () => {
  function tampered(edit: (lines: string[]) => string[]): string {
    const j = sampleJournal();
    j.close();
    writeFileSync(j.path, `${edit(lines(j.path)).join('\n')}\n`);
    return j.path;
  }

  it('an edited middle record fails its own hash, named by line', () => {
    const file = tampered((ls) => ls.map((l, i) => (i === 1 ? l.replace('"lockout"', '"platform"') : l)));
    const read = readJournal(file);
    expect(read.error).toMatch(
      /^line 2: expected hash [0-9a-f]{16}… \(SHA-256 of the record\), found .*edited/,
    );
    expect(read.records).toHaveLength(1);
    expect(read.torn).toBe(false);
    expect(() => RunJournal.open(file)).toThrow(/line 2: expected hash/);
    // A documented error (docs/exit-codes.md, journal-damaged: exit 4), not an internal one.
    expect(() => RunJournal.open(file)).toThrow(
      expect.objectContaining({ name: 'JournalError', code: 'journal-damaged' }),
    );
  });

  it('an edited record whose hash was recomputed breaks the next line’s prev', () => {
    const file = tampered((ls) =>
      ls.map((l, i) => {
        if (i !== 1) return l;
        const r = JSON.parse(l.replace('"lockout"', '"platform"')) as Record<string, unknown>;
        return canonicalJson({ ...r, hash: recordHash(r) });
      }),
    );
    const read = readJournal(file);
    expect(read.error).toMatch(/^line 3: expected prev [0-9a-f]{16}… \(SHA-256 of line 2\), found/);
    expect(read.records).toHaveLength(2);
  });

  it('a removed middle line is found by seq', () => {
    const read = readJournal(tampered((ls) => ls.filter((_l, i) => i !== 2)));
    expect(read.error).toBe('line 3: expected seq 3, found 4');
  });

  it('a line that is not JSON, or not canonical, is an error where it is', () => {
    expect(readJournal(tampered((ls) => ls.map((l, i) => (i === 2 ? l.slice(0, 40) : l)))).error).toMatch(
      /^line 3: expected a JSON record, found text that is not JSON/,
    );
    expect(readJournal(tampered((ls) => ls.map((l, i) => (i === 4 ? ` ${l}` : l)))).error).toBe(
      'line 5: expected canonical JSON (sorted keys, no spaces)',
    );
    expect(readJournal(tampered((ls) => [...ls.slice(0, 2), '', ...ls.slice(2)])).error).toBe(
      'line 3: expected a record, found an empty line',
    );
  });

  it('a complete last line that does not check out is an error, not a torn line', () => {
    // Truncating it could drop an acknowledged record (e.g. "step-started clear").
    const read = readJournal(
      tampered((ls) => ls.map((l, i) => (i === 4 ? l.replace('firmware', 'Firmware') : l))),
    );
    expect(read.error).toMatch(/^line 5: expected hash/);
    expect(read.torn).toBe(false);
  });

  it('a chain of records that break the step rules is an error on the line that breaks them', () => {
    const dir = freshDir();
    const file = path.join(dir, 'hand.jsonl');
    const specs: [JournalKind, string?][] = [['run-started'], ['step-started', 'a'], ['step-started', 'b']];
    let prev = '';
    const out: string[] = [];
    specs.forEach(([kind, step], i) => {
      const data = kind === 'run-started' ? { runId: 'hand', meta: {} } : undefined;
      const { line } = makeRecord({ seq: i + 1, at: new Date().toISOString(), kind, step, data, prev });
      out.push(line);
      prev = sha256(line);
    });
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${out.join('\n')}\n`);
    expect(readJournal(file).error).toBe(
      'line 3: step a is in flight: check it against the TPM and record its outcome before starting b',
    );
  });
});

describe('a torn last line', () => {
  it('is left out and reported; open() cuts it off and the chain continues', () => {
    const j = sampleJournal();
    j.close();
    const goodSize = statSync(j.path).size;
    const whole = makeRecord({
      seq: 6,
      at: new Date().toISOString(),
      kind: 'step-succeeded',
      step: 'b',
      prev: sha256(lines(j.path)[4]!),
    }).line;
    appendFileSync(j.path, whole.slice(0, Math.floor(whole.length / 2)));

    const read = readJournal(j.path);
    expect(read.error).toBeUndefined();
    expect(read.torn).toBe(true);
    expect(read.records).toEqual(j.records());

    const resumed = RunJournal.open(j.path);
    expect(resumed.repairedTornLine).toBe(true);
    expect(statSync(j.path).size).toBe(goodSize);
    resumed.append('step-succeeded', 'b');
    resumed.append('run-finished');
    resumed.close();
    const after = readJournal(j.path);
    expect(after).toEqual({ records: resumed.records(), torn: false });
    expect(after.records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(runState(after.records)).toEqual({
      status: 'finished',
      completedSteps: ['a', 'b'],
      inFlight: null,
    });
  });

  it('a whole record without its newline is still torn (it was never acknowledged)', () => {
    const j = sampleJournal();
    j.close();
    const whole = makeRecord({
      seq: 6,
      at: new Date().toISOString(),
      kind: 'run-abandoned',
      prev: sha256(lines(j.path)[4]!),
    }).line;
    appendFileSync(j.path, whole);
    expect(readJournal(j.path)).toEqual({ records: j.records(), torn: true });
  });

  it('a journal with no complete record reads as empty, and cannot be resumed', () => {
    const dir = freshDir();
    RunJournal.create(dir, 'x').close();
    const empty = path.join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect(readJournal(empty)).toEqual({ records: [], torn: false });
    expect(() => RunJournal.open(empty)).toThrow(/found an empty file: the run never started/);
    writeFileSync(empty, '{"at":"2024-');
    expect(readJournal(empty)).toEqual({ records: [], torn: true });
    expect(() => RunJournal.open(empty)).toThrow(/found only a torn line/);
  });
});

describe('append rules', () => {
  /** Expects `fn` to throw `message` and the file to be unchanged. */
  function refuses(j: RunJournal, fn: () => unknown, message: RegExp): void {
    const before = readFileSync(j.path);
    const count = j.records().length;
    expect(fn).toThrow(message);
    expect(readFileSync(j.path).equals(before)).toBe(true);
    expect(j.records()).toHaveLength(count);
  }

  it('one step at a time, an outcome only for the step in flight, a succeeded step never again', () => {
    const j = sampleJournal(); // b in flight
    refuses(j, () => j.append('step-started', 'c'), /step b is in flight: check it against the TPM/);
    refuses(
      j,
      () => j.append('step-succeeded', 'c'),
      /expected an outcome for step b, found step-succeeded for c/,
    );
    refuses(j, () => j.append('run-finished'), /step b is still in flight/);
    j.append('step-failed', 'b', { error: 'TPM_RC_LOCKOUT' });
    refuses(j, () => j.append('step-failed', 'b'), /expected an outcome for no step \(none is in flight\)/);
    refuses(j, () => j.append('step-started', 'a'), /step a already succeeded in this run/);
    j.append('step-started', 'b'); // a failed step may be tried again
    j.append('step-succeeded', 'b');
    j.close();
  });

  it('nothing follows run-finished or run-abandoned; run-started only from create()', () => {
    const j = sampleJournal();
    refuses(j, () => (j.append as (k: string) => unknown)('run-started'), /written by RunJournal.create/);
    refuses(
      j,
      () => j.append('run-finished', 'x' as unknown as undefined),
      /expected no step with run-finished/,
    );
    refuses(j, () => j.append('step-started', '' as string), /expected a step name/);
    j.append('run-abandoned', undefined, { reason: 'user gave up' }); // even with b in flight
    expect(j.state()).toEqual({ status: 'abandoned', completedSteps: ['a'], inFlight: 'b' });
    refuses(
      j,
      () => j.append('note', undefined, { text: 'late' }),
      /the run is abandoned: no record may follow its run-abandoned/,
    );
    j.close();
    expect(() => j.append('note')).toThrow(/the journal is closed/);
    j.close(); // twice is fine
  });

  it('refuses data that JSON cannot carry, writing nothing', () => {
    const j = sampleJournal();
    refuses(j, () => j.append('note', undefined, { n: Number.NaN }), /data\.n is NaN/);
    refuses(
      j,
      () => j.append('note', undefined, { when: new Date() as unknown as string }),
      /data\.when is a Date/,
    );
    const r = j.append('note', undefined, { kept: 1, dropped: undefined });
    expect(r.data).toEqual({ kept: 1 });
    expect(Object.isFrozen(r.data)).toBe(true);
    j.close();
  });

  it('refuses secrets instead of redacting them, writing nothing', () => {
    const j = sampleJournal();
    refuses(
      j,
      () => j.append('note', undefined, { ownerAuth: 'abc' }),
      /refusing to journal data\.ownerAuth: a field named like/,
    );
    refuses(
      j,
      () => j.append('note', 'b', { volumes: [{ mount: 'C:', RecoveryPassword: 'x' }] }),
      /refusing to journal data\.volumes\[0\]\.RecoveryPassword/,
    );
    const password = '123456-234567-345678-456789-567890-678901-789012-890123';
    refuses(
      j,
      () => j.append('note', undefined, { text: `key was ${password}` }),
      /refusing to journal data\.text: it contains a recovery password/,
    );
    refuses(j, () => j.append('note', `OwnerAuth: c2VjcmV0`), /refusing to journal step/);
    refuses(j, () => j.append('note', undefined, { LockoutAuth: 'x' }), /LockoutAuth/);
    // What a runbook should write instead is fine.
    j.append('note', undefined, { protectorId: '{1F2E}', lockoutAuthSet: true, ownerAuthSet: false });
    j.close();

    const dir = freshDir();
    expect(() => RunJournal.create(dir, 'r', { approval: { by: 'ana', lockoutAuth: 's' } })).toThrow(
      /refusing to journal meta\.approval\.lockoutAuth/,
    );
    expect(existsSync(path.join(dir, 'r.jsonl'))).toBe(false);
  });
});

describe('one writer per run: the lock', () => {
  /** The PID of a process that has exited (and been reaped), so no process has it now. */
  function deadPid(): number {
    const done = spawnSync(process.execPath, ['-e', '0']);
    expect(done.status).toBe(0);
    expect(() => process.kill(done.pid, 0)).toThrow(/ESRCH/);
    return done.pid;
  }

  it('create() and open() hold <journal>.lock with { pid, startedAt } until close()', () => {
    const j = sampleJournal();
    const lock = JSON.parse(readFileSync(lockPath(j.path), 'utf8')) as Record<string, unknown>;
    expect(lock.pid).toBe(process.pid);
    expect(typeof lock.startedAt).toBe('string');
    j.close();
    expect(existsSync(lockPath(j.path))).toBe(false);
    const again = RunJournal.open(j.path);
    expect(existsSync(lockPath(j.path))).toBe(true);
    again.close();
    again.close();
    expect(existsSync(lockPath(j.path))).toBe(false);
  });

  it('a second open while the first handle is open refuses, naming the process; the file is unchanged', () => {
    const j = sampleJournal();
    const bytes = readFileSync(j.path);
    let error: unknown;
    try {
      RunJournal.open(j.path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RunLockedError);
    expect((error as Error).message).toMatch(
      new RegExp(`run run-1 is already being resumed by process ${process.pid}\\b`),
    );
    expect(readFileSync(j.path).equals(bytes)).toBe(true);
    // The refused open did not take the lock away from the first handle, which still appends.
    j.append('step-succeeded', 'b');
    j.close();
    const next = RunJournal.open(j.path);
    expect(next.records()).toHaveLength(6);
    next.close();
  });

  it('create() of a run whose lock a live process holds refuses too, writing nothing', () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'r.jsonl');
    writeFileSync(lockPath(file), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
    expect(() => RunJournal.create(dir, 'r')).toThrow(/run r is already being resumed by process/);
    expect(existsSync(file)).toBe(false);
    rmSync(lockPath(file));
  });

  it('a stale lock (its process is gone) is taken over, and the takeover is noted in the journal', () => {
    const j = sampleJournal();
    j.close();
    const pid = deadPid();
    const startedAt = '2024-05-01T10:00:00.000Z';
    writeFileSync(lockPath(j.path), JSON.stringify({ pid, startedAt }));
    const resumed = RunJournal.open(j.path);
    const lock = JSON.parse(readFileSync(lockPath(j.path), 'utf8')) as Record<string, unknown>;
    expect(lock.pid).toBe(process.pid);
    const note = resumed.records().at(-1);
    expect(note?.kind).toBe('note');
    expect(note?.data).toMatchObject({
      lockTakenOver: { pid, startedAt, why: `process ${pid} is no longer running`, by: process.pid },
    });
    resumed.append('step-succeeded', 'b');
    resumed.close();
    expect(existsSync(lockPath(j.path))).toBe(false);
    expect(readJournal(j.path).error).toBeUndefined();
  });

  it('a lock file left empty (its process died between creating and writing it) is taken over', () => {
    const j = sampleJournal();
    j.close();
    writeFileSync(lockPath(j.path), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath(j.path), old, old);
    const resumed = RunJournal.open(j.path);
    expect(resumed.records().at(-1)?.data).toMatchObject({ lockTakenOver: { pid: null } });
    resumed.close();
  });

  it('a finished run whose stale lock is taken over is only read: nothing may follow run-finished', () => {
    const j = sampleJournal();
    j.append('step-succeeded', 'b');
    j.append('run-finished');
    j.close();
    writeFileSync(lockPath(j.path), JSON.stringify({ pid: deadPid(), startedAt: new Date().toISOString() }));
    const opened = RunJournal.open(j.path);
    expect(opened.records().at(-1)?.kind).toBe('run-finished');
    opened.close();
    expect(existsSync(lockPath(j.path))).toBe(false);
  });

  it('a failed open (a journal that does not check out) lets the lock go', () => {
    const j = sampleJournal();
    j.close();
    writeFileSync(j.path, `${lines(j.path).slice(0, 2).join('\n')}\nnot json\n`);
    expect(() => RunJournal.open(j.path)).toThrow(/line 3: expected a JSON record/);
    expect(existsSync(lockPath(j.path))).toBe(false);
  });

  it('refuses to append once anything else wrote to the file, and stays stopped', () => {
    const j = sampleJournal();
    const stranger = makeRecord({
      seq: 6,
      at: new Date().toISOString(),
      kind: 'step-succeeded',
      step: 'b',
      prev: sha256(lines(j.path)[4]!),
    }).line;
    appendFileSync(j.path, `${stranger}\n`);
    const bytes = readFileSync(j.path);
    expect(() => j.append('step-failed', 'b')).toThrow(
      /cannot append step-failed b: the journal is \d+ bytes long, but this handle left it at \d+: another process wrote to it/,
    );
    expect(() => j.append('note', 'b')).toThrow(/another process wrote to it/);
    expect(() => j.append('note', 'b')).toThrow(expect.objectContaining({ code: 'journal-write' }));
    expect(readFileSync(j.path).equals(bytes)).toBe(true);
    j.close();
  });
});

describe('runState and stepOutcome', () => {
  /** Records built in memory (runState is pure). */
  function recordsOf(...specs: [JournalKind, string?][]): JournalRecord[] {
    let prev = '';
    return specs.map(([kind, step], i) => {
      const data: JsonObject | undefined = kind === 'run-started' ? { runId: 'r', meta: {} } : undefined;
      const { record, line } = makeRecord({
        seq: i + 1,
        at: '2024-05-01T10:00:00.000Z',
        kind,
        step,
        data,
        prev,
      });
      prev = sha256(line);
      return record;
    });
  }

  it('no records, or only run-started: running, nothing done, nothing in flight', () => {
    expect(runState([])).toEqual({ status: 'running', completedSteps: [], inFlight: null });
    expect(runState(recordsOf(['run-started']))).toEqual({
      status: 'running',
      completedSteps: [],
      inFlight: null,
    });
  });

  it('a step interrupted by a crash is in flight', () => {
    const records = recordsOf(
      ['run-started'],
      ['step-started', 'preflight'],
      ['step-succeeded', 'preflight'],
      ['step-started', 'clear'],
    );
    expect(runState(records)).toEqual({
      status: 'running',
      completedSteps: ['preflight'],
      inFlight: 'clear',
    });
    expect(stepOutcome(records, 'preflight')).toBe('succeeded');
    expect(stepOutcome(records, 'clear')).toBe('in-flight');
    expect(stepOutcome(records, 'reboot')).toBe('not-started');
  });

  it('a failed step is neither done nor in flight, and a retry that succeeds completes it', () => {
    const failed = recordsOf(['run-started'], ['step-started', 'sync'], ['step-failed', 'sync'], ['note']);
    expect(runState(failed)).toEqual({ status: 'running', completedSteps: [], inFlight: null });
    expect(stepOutcome(failed, 'sync')).toBe('failed');
    const retried = recordsOf(
      ['run-started'],
      ['step-started', 'sync'],
      ['step-failed', 'sync'],
      ['step-started', 'sync'],
      ['step-succeeded', 'sync'],
    );
    expect(runState(retried)).toEqual({ status: 'running', completedSteps: ['sync'], inFlight: null });
    expect(stepOutcome(retried, 'sync')).toBe('succeeded');
  });

  it('finished and abandoned runs', () => {
    const finished = recordsOf(
      ['run-started'],
      ['step-started', 'clear'],
      ['step-succeeded', 'clear'],
      ['step-started', 'reboot'],
      ['step-succeeded', 'reboot'],
      ['run-finished'],
    );
    expect(runState(finished)).toEqual({
      status: 'finished',
      completedSteps: ['clear', 'reboot'],
      inFlight: null,
    });
    const abandoned = recordsOf(['run-started'], ['step-started', 'clear'], ['run-abandoned']);
    expect(runState(abandoned)).toEqual({ status: 'abandoned', completedSteps: [], inFlight: 'clear' });
    expect(stepOutcome(abandoned, 'clear')).toBe('in-flight');
  });
});

describe('SIGKILL at random moments', () => {
  const ITERATIONS = 30;
  let child: string;

  beforeAll(async () => {
    // Node 20 runs no TypeScript: bundle the child and the journal it imports into one .mjs.
    child = path.join(tmp, 'journal-crash-child.mjs');
    await build({
      input: path.join(HERE, 'journal-crash-child.ts'),
      platform: 'node',
      logLevel: 'silent',
      output: { file: child, format: 'esm' },
    });
  });

  interface Run {
    acks: { seq: number; hash: string }[];
    opened: { records: number; repaired: boolean } | null;
    signal: NodeJS.Signals | null;
  }

  /** Runs the child and SIGKILLs it after `afterMs`, or once it has printed `afterAcks` acks. */
  function runChild(file: string, kill: { afterMs: number } | { afterAcks: number }): Promise<Run> {
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // vitest's loader hooks must not leak into the child
    return new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, [child, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const run: Run = { acks: [], opened: null, signal: null };
      let pending = '';
      let stderr = '';
      const killSoon = () => setTimeout(() => proc.kill('SIGKILL'), Math.random() * 3);
      if ('afterMs' in kill) setTimeout(() => proc.kill('SIGKILL'), kill.afterMs);
      proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        const complete = pending.split('\n');
        pending = complete.pop() ?? '';
        for (const line of complete) {
          const [word, a, b] = line.split(' ');
          if (word === 'ack') {
            run.acks.push({ seq: Number(a), hash: b ?? '' });
            if ('afterAcks' in kill && run.acks.length === kill.afterAcks) killSoon();
          } else if (word === 'opened') {
            run.opened = { records: Number(a), repaired: b === 'true' };
          }
        }
      });
      proc.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      proc.on('error', reject);
      proc.on('close', (code, signal) => {
        run.signal = signal;
        if (signal === 'SIGKILL') resolve(run);
        else reject(new Error(`the child exited by itself (code ${code}):\n${stderr}`));
      });
    });
  }

  it(`never loses an acknowledged record and always reads back valid (${ITERATIONS} kills)`, async () => {
    const dir = freshDir();
    const created = RunJournal.create(dir, 'crash', { purpose: 'crash-test' });
    created.close(); // releases the run's lock, for the child to take
    const file = created.path;
    const acked = new Map<number, string>();
    let torn = 0;
    let injected = 0;
    let repairedSeen = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      // Every fifth run starts from a torn tail, as a power cut mid-write leaves: the child's open()
      // must cut it off.
      const inject = i % 5 === 4;
      if (inject) {
        appendFileSync(file, '{"at":"2024-05-01T10:00:00.000Z","kind":"step-sta');
        injected += 1;
      }
      const kill =
        i % 3 === 0 ? { afterMs: Math.random() * 80 } : { afterAcks: 1 + Math.floor(Math.random() * 20) };
      const run = await runChild(file, kill);
      expect(run.signal).toBe('SIGKILL');
      if (run.opened !== null && inject) {
        expect(run.opened.repaired).toBe(true);
        repairedSeen += 1;
      }
      for (const { seq, hash } of run.acks) acked.set(seq, hash);

      const read = readJournal(file);
      expect(read.error).toBeUndefined();
      // A tail injected above and not yet repaired (the child died before opening) is not the kill's.
      if (read.torn && !(inject && run.opened === null)) torn += 1;
      for (const [seq, hash] of acked)
        expect(read.records[seq - 1]?.hash, `acknowledged record ${seq}`).toBe(hash);
    }
    const last = RunJournal.open(file);
    const state = last.state();
    if (state.inFlight !== null) last.append('step-failed', state.inFlight);
    last.append('run-finished');
    last.close();
    const final = readJournal(file);
    expect(final.error).toBeUndefined();
    expect(final.torn).toBe(false);
    expect(runState(final.records).status).toBe('finished');
    // Each killed child left its lock behind; the next open took it over and noted it.
    expect(
      final.records.filter((r) => r.kind === 'note' && r.data?.lockTakenOver !== undefined).length,
    ).toBeGreaterThan(ITERATIONS / 2);
    expect(acked.size).toBeGreaterThan(ITERATIONS);
    expect(repairedSeen).toBeGreaterThan(0);
    console.info(
      `journal crash test: ${ITERATIONS} kills, ${acked.size} acknowledged records kept, ${final.records.length} records, ` +
        `${injected} torn tails injected (${repairedSeen} seen repaired), ${torn} torn by a kill`,
    );
    // Thirty Node start-ups: a loaded CI machine (qemu guests in parallel) may take seconds each.
  }, 180_000);
});
