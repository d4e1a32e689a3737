/**
 * A second local user against the built CLI running as root (docs/security.md, "Files tpm-doctor
 * writes"): folders and symbolic links planted as `nobody` where tpm-doctor writes, aimed at a
 * root-only file that must stay untouched.
 * - `clear --tpm lab:` keeps no state in a fixed shared folder: a planted
 *   `$TMPDIR/tpm-doctor-lab-state` is not used; the run's folder is its own, 0700, its journal
 *   and receipt 0600.
 * - `clear --state-dir` owned by another user, or writable by others, is refused (exit 2, one line
 *   naming the folder) before anything is written.
 * - `fleet triage --out FILE` with FILE.partial planted as a link writes a 0600 report of its own
 *   and leaves the link's target alone.
 * - the default fleet store: a `fleet.sqlite` link planted in a writable state folder does not make
 *   root create its target (exit 15, naming the folder); nor does one in a private folder.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { makeVictim, modeOf, plantFolder, plantLink, requireRoot } from '../support/other-user.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const temp = useTempDir('tpm-doctor-file-safety-');
beforeAll(() => requireRoot());

let n = 0;
/** A fresh folder for one test, root's, with `mode` (0700 unless given: 1777 is a /tmp). */
function fresh(mode = 0o700): string {
  const dir = temp.file(`t${n++}`);
  mkdirSync(dir);
  chmodSync(dir, mode);
  return dir;
}

describe('clear --tpm lab: and its state', () => {
  it('does not use a planted $TMPDIR/tpm-doctor-lab-state: its own 0700 folder, journal and receipt 0600', async () => {
    const tmp = fresh(0o1777);
    const planted = plantFolder(path.join(tmp, 'tpm-doctor-lab-state'), 0o777);
    plantFolder(path.join(planted, 'runs'), 0o777);
    const r = await runCli(['clear', '--tpm', 'lab:', '--purpose', 'decommission', '--yes', '--json'], {
      env: { TMPDIR: tmp },
      timeoutMs: 90_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(path.join(planted, 'runs'))).toEqual([]);
    const run = (JSON.parse(r.stdout) as { run: { receiptPath: string; journalPath: string } }).run;
    const runs = path.dirname(run.receiptPath);
    expect(path.dirname(run.journalPath)).toBe(runs);
    expect(runs.startsWith(`${tmp}${path.sep}tpm-doctor-lab-`)).toBe(true);
    expect(runs.startsWith(planted)).toBe(false);
    for (const dir of [runs, path.dirname(runs)]) {
      expect(lstatSync(dir).uid).toBe(0);
      expect(modeOf(dir)).toBe(0o700);
    }
    expect(modeOf(run.journalPath)).toBe(0o600);
    expect(modeOf(run.receiptPath)).toBe(0o600);
  });
});

describe('clear --state-dir that is not private', () => {
  const rootOnly = (mode: number) => (dir: string) => {
    mkdirSync(dir);
    chmodSync(dir, mode);
    return dir;
  };
  it.each([
    ['owned by another user', (dir: string) => plantFolder(dir, 0o755), /state, owned by uid 65534/],
    [
      "another user's, its runs folder a link to root's folder",
      (dir: string) => {
        plantFolder(dir, 0o777);
        plantLink(path.join(dir, 'runs'), path.join(path.dirname(dir), 'root-only'));
        return dir;
      },
      /runs is a symbolic link owned by uid 65534/,
    ],
    ['root-owned but group-writable', rootOnly(0o770), /state, writable by its group \(mode 0770\)/],
  ])('%s: refused, exit 2, one line naming the folder; nothing written in it', async (_, make, why) => {
    const parent = fresh();
    const victim = makeVictim(parent);
    const state = make(path.join(parent, 'state'));
    const before = readdirSync(state).sort();
    const r = await runCli(
      ['clear', '--tpm', 'lab:', '--purpose', 'decommission', '--yes', '--state-dir', state],
      { timeoutMs: 90_000 },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toContain(state);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readdirSync(state).sort()).toEqual(before);
    expect(readdirSync(path.dirname(victim.file))).toEqual(['shadow']);
    expect(victim.unchanged()).toBe(true);
  });
});

describe('fleet triage --out and the fleet store', () => {
  let lab: LabTenant;
  beforeAll(async () => {
    lab = await startLabTenant({ devices: 30, seed: 13 });
  });
  afterAll(async () => {
    await lab?.close();
  });
  const connect = () => ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];

  it('FILE.partial planted as a link: a 0600 report of its own, the target untouched, no partial left', async () => {
    const shared = plantFolder(path.join(fresh(0o755), 'shared'), 0o777);
    const victim = makeVictim(path.dirname(shared));
    const report = path.join(shared, 'report.csv');
    plantLink(`${report}.partial`, victim.file);
    const r = await runCli(
      ['fleet', 'triage', ...connect(), '--format', 'csv', '--out', report, '--no-store', '--quiet'],
      { env: { AZURE_CLIENT_SECRET: lab.clientSecret }, timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(victim.unchanged()).toBe(true);
    expect(existsSync(`${report}.partial`)).toBe(false);
    expect(lstatSync(report).isFile()).toBe(true);
    expect(lstatSync(report).uid).toBe(0);
    expect(modeOf(report)).toBe(0o600);
    expect(readFileSync(report, 'utf8')).toMatch(/^.*deviceId/);
  });

  const status = (stateDir: string) =>
    runCli(['fleet', 'status', '--json'], { env: { TPM_DOCTOR_STATE_DIR: stateDir, TPM_DOCTOR_STORE: '' } });

  it('a fleet.sqlite link in a state folder another user can write: refused (exit 15), its target not created', async () => {
    const state = plantFolder(path.join(fresh(0o755), 'state'), 0o777);
    const target = path.join(fresh(), 'created-by-root.sqlite');
    plantLink(path.join(state, 'fleet.sqlite'), target);
    const r = await status(state);
    expect(r.code, r.stderr).toBe(15);
    expect(r.stderr).toMatch(/^tpm-doctor: store: .*state is owned by uid 65534/);
    expect(existsSync(target)).toBe(false);
  });

  it('a fleet.sqlite link in a root folder others can write: refused, its target not created', async () => {
    const state = path.join(fresh(0o755), 'state');
    mkdirSync(state);
    chmodSync(state, 0o777);
    const target = path.join(fresh(), 'created-by-root.sqlite');
    plantLink(path.join(state, 'fleet.sqlite'), target);
    const r = await status(state);
    expect(r.code, r.stderr).toBe(15);
    expect(r.stderr).toMatch(/is writable by its group and everyone \(mode 0777\)/);
    expect(existsSync(target)).toBe(false);
  });

  it('a fleet.sqlite link even in a private folder: refused, its target not created', async () => {
    const state = fresh();
    const target = path.join(fresh(), 'created-by-root.sqlite');
    plantLink(path.join(state, 'fleet.sqlite'), target);
    const r = await status(state);
    expect(r.code, r.stderr).toBe(15);
    expect(r.stderr).toMatch(/fleet\.sqlite is a symbolic link/);
    expect(existsSync(target)).toBe(false);
  });

  it('the default store made from nothing: folder 0700, database 0600', async () => {
    const state = path.join(fresh(), 'new-state');
    const r = await status(state);
    expect(r.code, r.stderr).toBe(0);
    expect(modeOf(state)).toBe(0o700);
    expect(modeOf(path.join(state, 'fleet.sqlite'))).toBe(0o600);
  });
});
