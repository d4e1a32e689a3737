/**
 * The process journal.test.ts kills with SIGKILL. Node 20 cannot run TypeScript, so the test bundles
 * this file (and src/remedy/journal.ts with it) with rolldown into its temp dir and runs the .mjs.
 *
 * `node child.mjs <journal> <max>`: opens the journal as a resume would (repairing a torn tail),
 * settles a step a crash left in flight (here it is "checked and found not done": step-failed),
 * then appends step-started / step-succeeded pairs with short pauses until it is killed. After each
 * append returns it prints `ack <seq> <hash>`: a record the journal acknowledged, which must survive.
 */
import { writeSync } from 'node:fs';
import { type JournalRecord, RunJournal } from '../../src/remedy/journal.js';

const [file, maxArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: journal-crash-child <journal> [max records]');
const max = Number(maxArg ?? 5000);

function say(line: string): void {
  // fs.writeSync to fd 1: printed before the next append starts, whatever stdout is.
  writeSync(1, `${line}\n`);
}
function ack(record: JournalRecord): void {
  say(`ack ${record.seq} ${record.hash}`);
}

/** Sleeps 0-2 ms without yielding to the event loop, so kills land between and inside appends. */
const cell = new Int32Array(new SharedArrayBuffer(4));
function pause(): void {
  Atomics.wait(cell, 0, 0, Math.random() * 2);
}

const journal = RunJournal.open(file);
say(`opened ${journal.records().length} ${journal.repairedTornLine}`);
const { inFlight } = journal.state();
if (inFlight !== null)
  ack(journal.append('step-failed', inFlight, { reason: 'interrupted; checked: not done' }));
for (let n = 0; n < max; n++) {
  const step = `step-${journal.records().length + 1}`;
  ack(journal.append('step-started', step));
  pause();
  ack(journal.append('step-succeeded', step, { n }));
  pause();
}
journal.close();
say('done');
