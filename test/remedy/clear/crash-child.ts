/**
 * The process the clear crash tests kill. Node 20 runs no TypeScript: the test bundles this file
 * (with src/remedy/clear and everything it imports) with rolldown into its temp dir and runs the .mjs.
 *
 * `node crash-child.mjs <port> <journalDir> <runId> <point>` starts a clear run (method platform)
 * against the swtpm at 127.0.0.1:<port> and SIGKILLs itself at <point>:
 * - a ClearRunPoint of startClearRun ('clear:started', 'clear:done', 'run-finished', ...);
 * - 'clear:in-transit': right after the TPM2_Clear bytes were handed to the socket, before any answer.
 * It prints `clear-sent` (fs.writeSync, so it is out before the bytes leave) for every TPM2_Clear it
 * sends, and `finished <status>` if it was never killed.
 */
import { writeSync } from 'node:fs';
import { startClearRun } from '../../../src/remedy/clear/clear-run.js';
import { passedGate, swtpmClient } from './support.js';

const [portArg, journalDir, runId, point] = process.argv.slice(2);
if (portArg === undefined || journalDir === undefined || runId === undefined || point === undefined) {
  throw new Error('usage: crash-child <port> <journalDir> <runId> <point>');
}

function die(): void {
  process.kill(process.pid, 'SIGKILL');
}

const tpm = swtpmClient(Number(portArg), () => {
  writeSync(1, 'clear-sent\n');
  // The command is written to the socket synchronously after this returns; die on the next turn,
  // before the answer can arrive and be recorded.
  if (point === 'clear:in-transit') setImmediate(die);
});

const result = await startClearRun({
  tpm,
  journalDir,
  runId,
  gate: passedGate(),
  method: 'platform',
  purpose: 'decommission',
  approvedBy: 'Ada',
  ticket: 'CHG-1',
  onPoint: (p) => {
    if (p === point) die();
  },
});
await tpm.close();
writeSync(1, `finished ${result.status}\n`);
