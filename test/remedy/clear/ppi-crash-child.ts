/**
 * The process the PPI crash test kills (bundled with rolldown, like crash-child.ts).
 *
 * `node ppi-crash-child.mjs <port> <journalDir> <runId> <point> <sysfsRoot> <unitDir>` starts a PPI
 * run against the swtpm at 127.0.0.1:<port> and the fake sysfs at <sysfsRoot>, with systemctl
 * answered by a stub, and SIGKILLs itself at <point> (a ClearRunPoint). It prints `ppi-write`
 * (fs.writeSync, before the write) for every write of ppi/request.
 */
import { writeSync } from 'node:fs';
import { startPpiRun } from '../../../src/remedy/clear/ppi-run.js';
import { countingSysfs, TASK } from './ppi-support.js';
import { passedGate, swtpmClient } from './support.js';

const [portArg, journalDir, runId, point, sysfsRoot, unitDir] = process.argv.slice(2);
if (
  portArg === undefined ||
  journalDir === undefined ||
  runId === undefined ||
  point === undefined ||
  sysfsRoot === undefined ||
  unitDir === undefined
) {
  throw new Error('usage: ppi-crash-child <port> <journalDir> <runId> <point> <sysfsRoot> <unitDir>');
}

const tpm = swtpmClient(Number(portArg));
const result = await startPpiRun({
  tpm,
  journalDir,
  runId,
  gate: passedGate(),
  purpose: 'decommission',
  ppi: {
    platform: 'linux',
    sysfsRoot,
    files: countingSysfs(() => {
      writeSync(1, 'ppi-write\n');
    }),
  },
  task: TASK,
  taskDeps: { unitDir, run: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false }) },
  onPoint: (p) => {
    if (p === point) process.kill(process.pid, 'SIGKILL');
  },
});
await tpm.close();
writeSync(1, `finished ${result.status}\n`);
