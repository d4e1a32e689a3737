/**
 * The run journal: one JSON Lines file per run, append-only, hash-chained (journal-record.ts), that
 * the clear runbook writes before and after every step so that a crash, a reboot or a power cut
 * resumes exactly where the run stopped, and never repeats a clear.
 *
 * Durability: every record is one write() of the whole line and its '\n' to a file opened with
 * O_APPEND, then fsync(), before append() returns; the directory is fsync'd when the file is
 * created, so the file itself survives a power cut. A record is acknowledged once append() returns,
 * and an acknowledged record is never lost.
 *
 * A crash (or a full disk) in the middle of an append can leave a last line without its '\n': that
 * record was never acknowledged. Readers ignore it and report `torn`; open() cuts it off (ftruncate,
 * fsync) so the chain continues from the last complete line. Only a missing '\n' makes a line torn:
 * a complete last line that does not check out is an error like any other, because truncating it
 * could drop an acknowledged "step-started clear" and lead a resume to send the clear again.
 *
 * One writer at a time: a RunJournal handle holds the run's lock (run-lock.ts) from
 * create()/open() until close(), so the boot-time resume task and a person cannot both drive the
 * same run; a stale lock taken over is noted in the journal. As a second line of defence every
 * append first checks (fstat) that the file is exactly as long as this handle left it: if anything
 * else appended, the handle refuses.
 */

import { closeSync, fstatSync, fsyncSync, ftruncateSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { JournalError } from './journal-error.js';
import {
  type AppendableKind,
  assertNoSecrets,
  canonicalJson,
  checkLine,
  type JournalKind,
  type JournalRecord,
  type JsonObject,
  makeRecord,
  type RunEndKind,
  type RunState,
  runState,
  type StepKind,
  sha256Hex,
  transitionError,
} from './journal-record.js';
import { createJournalFile, ensureRunDir, fsyncDir, openJournalFile } from './run-files.js';
import { acquireLock, releaseLock, type TakenOver } from './run-lock.js';

export type {
  AppendableKind,
  JournalKind,
  JournalRecord,
  JsonObject,
  RunEndKind,
  RunState,
  StepKind,
} from './journal-record.js';
export { runState, stepOutcome } from './journal-record.js';

export interface JournalReadResult {
  /** The records that check out, in order (all of them unless `error` is set). */
  readonly records: readonly JournalRecord[];
  /** The last line had no '\n': a write a crash cut off. It is not in `records`. */
  readonly torn: boolean;
  /** Why the journal cannot be trusted past `records`: the line number, what was expected, what came. */
  readonly error?: string;
}

interface Scan extends JournalReadResult {
  /** Bytes up to and including the last good line's '\n'. */
  readonly goodBytes: number;
  /** SHA-256 of the last good line's bytes, '' when there is none: the next record's `prev`. */
  readonly lastLineHash: string;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function scan(buf: Uint8Array): Scan {
  const records: JournalRecord[] = [];
  let offset = 0;
  let lastLineHash = '';
  const stop = (extra: { torn: boolean; error?: string }): Scan => ({
    records,
    goodBytes: offset,
    lastLineHash,
    ...extra,
  });
  for (let lineNo = 1; offset < buf.length; lineNo++) {
    const nl = buf.indexOf(0x0a, offset);
    if (nl === -1) return stop({ torn: true });
    const bytes = buf.subarray(offset, nl);
    let text: string;
    try {
      text = UTF8.decode(bytes);
    } catch {
      return stop({ torn: false, error: `line ${lineNo}: expected UTF-8 text, found bytes that are not` });
    }
    if (text === '')
      return stop({ torn: false, error: `line ${lineNo}: expected a record, found an empty line` });
    const checked = checkLine(text, lineNo, lastLineHash);
    if ('error' in checked) return stop({ torn: false, error: checked.error });
    const problem = transitionError(records, checked.record.kind, checked.record.step);
    if (problem !== undefined) return stop({ torn: false, error: `line ${lineNo}: ${problem}` });
    records.push(checked.record);
    lastLineHash = sha256Hex(bytes);
    offset = nl + 1;
  }
  return stop({ torn: false });
}

/**
 * Reads a journal back and checks it: every line's JSON, seq, hash and chain, and that each record
 * may follow the ones before it. A torn last line is left out and reported; anything else wrong
 * ends the reading with `error`, keeping the records before it (for `tpm-doctor runs` to show).
 */
export function readJournal(file: string): JournalReadResult {
  const { records, torn, error } = scan(readFileSync(file));
  return error === undefined ? { records, torn } : { records, torn, error };
}

/** Where the journal of run `runId` lives in `dir`. */
export function journalPath(dir: string, runId: string): string {
  return path.join(dir, `${runId}.jsonl`);
}

export class RunJournal {
  readonly path: string;
  /** open() found a torn last line and cut it off before going on. */
  readonly repairedTornLine: boolean;
  #fd: number | null;
  readonly #records: JournalRecord[];
  #lastLineHash: string;
  /** The file's size as this handle last left it: any other size means another writer. */
  #size: number;
  /** The text of the lock file this handle holds (released by close() only if still this). */
  readonly #lockText: string;
  /** Set when a write or fsync failed: what reached the disk is unknown, so this handle stops. */
  #failed: Error | null = null;

  private constructor(
    file: string,
    fd: number,
    records: JournalRecord[],
    lastLineHash: string,
    repaired: boolean,
    size: number,
    lockText: string,
  ) {
    this.path = file;
    this.#fd = fd;
    this.#records = records;
    this.#lastLineHash = lastLineHash;
    this.repairedTornLine = repaired;
    this.#size = size;
    this.#lockText = lockText;
  }

  /**
   * Starts the journal of a new run: `<dir>/<runId>.jsonl`, made durable (file and directory
   * fsync'd) with its run-started record `{ runId, meta }`. Refuses a runId that already has one.
   * Takes the run's lock (see the module comment) until close().
   */
  static create(dir: string, runId: string, meta: JsonObject = {}): RunJournal {
    if (!RUN_ID.test(runId)) {
      throw new Error(
        `expected a run ID of letters, digits, '.', '_' and '-' (at most 128), found ${JSON.stringify(runId)}`,
      );
    }
    // Refuse bad meta before a file exists.
    assertNoSecrets(meta, 'meta');
    canonicalJson(meta, 'meta');
    const firstMade = ensureRunDir(dir);
    const file = journalPath(dir, runId);
    const lock = acquireLock(file);
    let fd: number;
    try {
      // O_APPEND, 0600; exclusive, so an existing run's journal is never reused.
      fd = createJournalFile(file);
    } catch (e) {
      releaseLock(file, lock.text);
      throw e;
    }
    try {
      fsyncDir(dir);
      if (firstMade !== undefined) {
        // Every directory mkdir made is an entry in its parent.
        for (let d = path.resolve(dir); ; d = path.dirname(d)) {
          fsyncDir(path.dirname(d));
          if (d === path.resolve(firstMade) || d === path.dirname(d)) break;
        }
      }
      const journal = new RunJournal(file, fd, [], '', false, 0, lock.text);
      journal.#write('run-started', undefined, { runId, meta });
      if (lock.takenOver !== null) journal.#noteTakeover(lock.takenOver);
      return journal;
    } catch (e) {
      closeSync(fd);
      releaseLock(file, lock.text);
      throw e;
    }
  }

  /**
   * Opens a run's journal to resume it: takes the run's lock (refusing, RunLockedError, while
   * another live process holds it; taking a stale one over and noting that in the journal), checks
   * it all, cuts off a torn last line (ftruncate and fsync, so the chain continues cleanly) and
   * positions at the end. Throws when the journal does not check out: a run whose history cannot be
   * trusted is not resumed.
   */
  static open(file: string): RunJournal {
    const lock = acquireLock(file);
    let fd: number;
    try {
      // O_RDWR to read and check it through the same descriptor that appends (O_APPEND) to it.
      fd = openJournalFile(file);
    } catch (e) {
      releaseLock(file, lock.text);
      throw e;
    }
    try {
      const found = scan(readFileSync(fd));
      if (found.error !== undefined) throw new JournalError('journal-damaged', `${file}: ${found.error}`);
      if (found.records.length === 0) {
        throw new JournalError(
          'journal-damaged',
          `${file}: expected a run-started record on line 1, found ${found.torn ? 'only a torn line' : 'an empty file'}: the run never started`,
        );
      }
      if (found.torn) {
        ftruncateSync(fd, found.goodBytes);
        fsyncSync(fd);
      }
      const journal = new RunJournal(
        file,
        fd,
        [...found.records],
        found.lastLineHash,
        found.torn,
        found.goodBytes,
        lock.text,
      );
      if (lock.takenOver !== null && journal.state().status === 'running') {
        journal.#noteTakeover(lock.takenOver);
      }
      return journal;
    } catch (e) {
      closeSync(fd);
      releaseLock(file, lock.text);
      throw e;
    }
  }

  /** A note that this handle took over a stale lock (whose process died, e.g. in a crash). */
  #noteTakeover(t: TakenOver): void {
    this.#write('note', undefined, {
      lockTakenOver: { pid: t.pid, startedAt: t.startedAt, why: t.why, by: process.pid },
    });
  }

  get runId(): string {
    const first = this.#records[0];
    return first?.kind === 'run-started' ? first.data.runId : '';
  }

  /**
   * Appends one record and returns once it is on disk (written in one write() and fsync'd).
   * Throws, writing nothing, when the record may not follow the journal (a step started while
   * another is in flight, a step that already succeeded started again, an outcome for a step that
   * is not in flight, anything after run-finished or run-abandoned), or when `step` or `data` holds
   * a secret (a field named like an auth value or recovery password, or a recovery password).
   */
  append(kind: StepKind, step: string, data?: JsonObject): JournalRecord;
  append(kind: RunEndKind, step?: undefined, data?: JsonObject): JournalRecord;
  append(kind: 'note', step?: string, data?: JsonObject): JournalRecord;
  append(kind: AppendableKind, step?: string, data?: JsonObject): JournalRecord {
    if ((kind as JournalKind) === 'run-started') {
      throw new Error(`${this.path}: run-started is written by RunJournal.create, not append`);
    }
    return this.#write(kind, step, data);
  }

  #write(kind: JournalKind, step: string | undefined, data: JsonObject | undefined): JournalRecord {
    const what = `${kind}${step === undefined ? '' : ` ${step}`}`;
    if (this.#fd === null) throw new Error(`${this.path}: cannot append ${what}: the journal is closed`);
    if (this.#failed !== null) {
      throw new JournalError(
        'journal-write',
        `${this.path}: cannot append ${what}: an earlier write failed (${this.#failed.message}); open the journal again to resume`,
      );
    }
    if (step !== undefined && (typeof step !== 'string' || step === '')) {
      throw new Error(
        `${this.path}: cannot append ${kind}: expected a step name, found ${JSON.stringify(step)}`,
      );
    }
    const problem = transitionError(this.#records, kind, step);
    if (problem !== undefined) throw new Error(`${this.path}: cannot append ${what}: ${problem}`);
    if (step !== undefined) assertNoSecrets(step, 'step');
    if (data !== undefined) assertNoSecrets(data, 'data');
    // Another writer (a second process that ignored or broke the lock) appended, truncated or
    // replaced the file: this handle's view of the chain is no longer the file's. Stop.
    const size = fstatSync(this.#fd).size;
    if (size !== this.#size) {
      this.#failed = new Error(
        `the journal is ${size} bytes long, but this handle left it at ${this.#size}: another process wrote to it`,
      );
      throw new JournalError(
        'journal-write',
        `${this.path}: cannot append ${what}: ${this.#failed.message}; open the journal again to resume`,
      );
    }
    const { record, line } = makeRecord({
      seq: this.#records.length + 1,
      at: new Date().toISOString(),
      kind,
      step,
      data,
      prev: this.#lastLineHash,
    });
    const lineBytes = Buffer.from(line, 'utf8');
    const bytes = Buffer.concat([lineBytes, Buffer.from('\n')]);
    try {
      // One write() of the whole line: with O_APPEND it lands at the end in one piece, or (crash,
      // full disk) as a prefix without its '\n', which readers treat as torn. A short write is not
      // retried: the handle stops and open() repairs the tail.
      const written = writeSync(this.#fd, bytes, 0, bytes.length);
      if (written !== bytes.length)
        throw new Error(`wrote ${written} of ${bytes.length} bytes (is the disk full?)`);
      fsyncSync(this.#fd);
    } catch (e) {
      // After a failed fsync the page cache may say "written" while the disk does not: retrying
      // on this descriptor could acknowledge a record that is not there.
      this.#failed = e as Error;
      throw new JournalError(
        'journal-write',
        `${this.path}: writing record ${record.seq} (${what}) failed: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
    this.#records.push(record);
    this.#lastLineHash = sha256Hex(lineBytes);
    this.#size += bytes.length;
    return record;
  }

  /** Every record of the run, acknowledged, in order. */
  records(): readonly JournalRecord[] {
    return [...this.#records];
  }

  /** Where the run stands (runState of its records). */
  state(): RunState {
    return runState(this.#records);
  }

  /** Closes the file and releases the run's lock; appending afterwards throws. Safe to call twice. */
  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      closeSync(fd);
    } finally {
      releaseLock(this.path, this.#lockText);
    }
  }
}
