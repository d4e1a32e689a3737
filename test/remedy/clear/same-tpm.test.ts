/**
 * A resume checks that it talks to the TPM the run was started on (verifySameTpm in same-tpm.ts):
 * two swtpm instances, A (provisioned) and B (unprovisioned: seeds of its own, so an EK of its own).
 * A run is started on A and stopped before it clears; resuming it against B refuses with
 * 'wrong-tpm', naming both EK Names, and B is untouched (its SRK Name, persistent handles and NV
 * indices as tpm2-tools reads them), the journal unchanged. The same run then resumes on A.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SwtpmInstance } from '../../../src/lab/swtpm-process.js';
import {
  ClearRunError,
  type ClearRunResult,
  recordedTpmUri,
  resumeClearRun,
  startClearRun,
} from '../../../src/remedy/clear/clear-run.js';
import { startPpiRun } from '../../../src/remedy/clear/ppi-run.js';
import { journalPath } from '../../../src/remedy/journal.js';
import { lockPath } from '../../../src/remedy/run-lock.js';
import type { Tpm } from '../../../src/tpm/tpm.js';
import { takeClearFingerprint } from '../../../src/verify/clear-fingerprint.js';
import { useSwtpm } from '../../support/swtpm-harness.js';
import { type FakeSysfs, fakeSysfs } from '../platform/fake-sysfs.js';
import { recordingRunner } from '../platform/recording-runner.js';
import { buildOwnerState, nvIndices, persistentHandles } from './owner-state.js';
import { countingSysfs, firmwareRestart, TASK } from './ppi-support.js';
import { passedGate, srkName, swtpmClient } from './support.js';

const tpmA = useSwtpm({ provision: true });
const tpmB = useSwtpm();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-same-tpm-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let sys: FakeSysfs;
let unitDir: string;
let writes: string[];
let rec: ReturnType<typeof recordingRunner>;
beforeEach(() => {
  sys = fakeSysfs();
  unitDir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-same-tpm-units-'));
  writes = [];
  rec = recordingRunner();
});
afterEach(() => {
  sys.cleanup();
  rmSync(unitDir, { recursive: true, force: true });
});

/** Runs `fn` with a client of `instance` that counts TPM2_Clear commands; closed afterwards. */
async function on<T>(
  instance: SwtpmInstance,
  fn: (tpm: Tpm) => Promise<T>,
): Promise<{ value: T; clears: number }> {
  let clears = 0;
  const tpm = swtpmClient(instance.port, () => {
    clears += 1;
  });
  try {
    return { value: await fn(tpm), clears };
  } finally {
    await tpm.close();
  }
}

async function ekName(instance: SwtpmInstance): Promise<string> {
  const { value } = await on(instance, (tpm) => takeClearFingerprint(tpm));
  if (!('name' in value.ek)) throw new Error(`no EK on ${instance.uri}: ${value.ek.error}`);
  return value.ek.name;
}

/** What tpm2-tools sees on B, and B's SRK Name. */
async function stateOf(instance: SwtpmInstance) {
  return {
    srk: await srkName(instance.port),
    persistent: await persistentHandles(instance),
    nv: await nvIndices(instance),
  };
}

function ppiTarget() {
  return { platform: 'linux' as const, sysfsRoot: sys.root, files: countingSysfs((t) => writes.push(t)) };
}

/** Resumes `runId` against `instance`; returns what it threw. */
async function refusedOn(
  instance: SwtpmInstance,
  runId: string,
): Promise<{ error: ClearRunError; clears: number }> {
  let error: unknown;
  const { clears } = await on(instance, async (tpm) => {
    try {
      await resumeClearRun({
        tpm,
        journalPath: journalPath(dir, runId),
        ppi: ppiTarget(),
        taskDeps: { run: rec.run, unitDir },
      });
    } catch (e) {
      error = e;
    }
  });
  expect(error).toBeInstanceOf(ClearRunError);
  return { error: error as ClearRunError, clears };
}

describe('a resume against another TPM', () => {
  it("clear route: refuses with 'wrong-tpm' before anything reaches B; then resumes on A", async () => {
    await buildOwnerState(tpmA.get());
    await buildOwnerState(tpmB.get());
    const ekA = await ekName(tpmA.get());
    const ekB = await ekName(tpmB.get());
    expect(ekB).not.toBe(ekA);
    const srkA0 = await srkName(tpmA.get().port);
    const b0 = await stateOf(tpmB.get());
    expect(b0.persistent).toContain('0x81000005');

    // Started on A, stopped with the clear in flight (as a crash leaves it).
    const started = on(tpmA.get(), (tpm) =>
      startClearRun({
        tpm,
        journalDir: dir,
        runId: 'other-tpm-clear',
        gate: passedGate(),
        method: 'platform',
        purpose: 'decommission',
        tpmUri: tpmA.get().uri,
        onPoint: (p) => {
          if (p === 'clear:started') throw new Error('crash at clear:started');
        },
      }),
    );
    await expect(started).rejects.toThrow('crash at clear:started');
    const file = journalPath(dir, 'other-tpm-clear');
    expect(recordedTpmUri(file)).toBe(tpmA.get().uri);
    const bytes = readFileSync(file);

    const { error, clears } = await refusedOn(tpmB.get(), 'other-tpm-clear');
    expect(error.code).toBe('wrong-tpm');
    expect(error.message).toContain(`expected EK Name ${ekA}`);
    expect(error.message).toContain(`found ${ekB}`);
    expect(error.message).toContain(`started on ${tpmA.get().uri}`);
    expect(clears).toBe(0);
    // B untouched, the journal unchanged (no record, not even the clear settled), its lock let go.
    expect(await stateOf(tpmB.get())).toEqual(b0);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(lockPath(file))).toBe(false);
    expect(await srkName(tpmA.get().port)).toBe(srkA0);

    // On its own TPM the run goes on: the clear was provably not sent, so it is sent now, once.
    const resumed = await on(tpmA.get(), (tpm) => resumeClearRun({ tpm, journalPath: file }));
    expect(resumed.clears).toBe(1);
    expect(resumed.value.status).toBe('finished');
    expect(resumed.value.proof?.proven).toBe(true);
    expect(await srkName(tpmA.get().port)).not.toBe(srkA0);
    expect(await stateOf(tpmB.get())).toEqual(b0);
  });

  it("PPI route: refuses with 'wrong-tpm', nothing written to the firmware or B; then resumes on A", async () => {
    await buildOwnerState(tpmA.get());
    await buildOwnerState(tpmB.get());
    const b0 = await stateOf(tpmB.get());
    const first = await on(tpmA.get(), (tpm) =>
      startPpiRun({
        tpm,
        journalDir: dir,
        runId: 'other-tpm-ppi',
        gate: passedGate(),
        purpose: 'decommission',
        ppi: ppiTarget(),
        task: TASK,
        taskDeps: { run: rec.run, unitDir },
        tpmUri: tpmA.get().uri,
      }),
    );
    expect(first.value.status).toBe('waiting');
    expect(writes).toEqual(['14\n']);
    const file = journalPath(dir, 'other-tpm-ppi');
    expect(recordedTpmUri(file)).toBe(tpmA.get().uri);
    const bytes = readFileSync(file);
    const calls = rec.calls.length;

    const { error } = await refusedOn(tpmB.get(), 'other-tpm-ppi');
    expect(error.code).toBe('wrong-tpm');
    expect(error.message).toMatch(
      /expected EK Name [0-9a-f]+ \(recorded by fingerprint-before\), found [0-9a-f]+/,
    );
    expect(await stateOf(tpmB.get())).toEqual(b0);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(writes).toEqual(['14\n']);
    expect(rec.calls).toHaveLength(calls);
    expect(readdirSync(unitDir)).toEqual(['tpm-doctor-resume-other-tpm-ppi.service']);

    await firmwareRestart(tpmA.get(), sys.ppiDir, 'accept');
    const done = await on(
      tpmA.get(),
      (tpm): Promise<ClearRunResult> =>
        resumeClearRun({ tpm, journalPath: file, ppi: ppiTarget(), taskDeps: { run: rec.run, unitDir } }),
    );
    expect(done.value.status).toBe('finished');
    expect(writes).toEqual(['14\n']);
  });

  it('a run that recorded no TPM URI: recordedTpmUri is null', async () => {
    const { value } = await on(tpmA.get(), (tpm) =>
      startClearRun({
        tpm,
        journalDir: dir,
        runId: 'no-uri',
        gate: passedGate(),
        method: 'platform',
        purpose: 'decommission',
        onPoint: (p) => {
          if (p === 'gate-recorded:started') throw new Error('stop');
        },
      }).catch(() => null),
    );
    expect(value).toBeNull();
    expect(recordedTpmUri(journalPath(dir, 'no-uri'))).toBeNull();
  });
});
