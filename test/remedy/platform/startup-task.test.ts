import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { taskRunText } from '../../../src/remedy/platform/scheduled-task.js';
import {
  installResumeTask,
  type ResumeTaskSpec,
  removeResumeTask,
  resumeTaskInstalled,
  StartupTaskError,
} from '../../../src/remedy/platform/startup-task.js';
import { systemdWord, unitFileText } from '../../../src/remedy/platform/systemd-unit.js';
import { recordingRunner } from './recording-runner.js';

const RUN = 'clear-20250101T120000000Z-a1b2c3';

const linux: ResumeTaskSpec = {
  runId: RUN,
  journalPath: `/var/lib/tpm-doctor/runs/${RUN}.jsonl`,
  nodePath: '/usr/bin/node',
  cliPath: '/opt/tpm doctor/tpm-doctor.cjs',
  platform: 'linux',
};

const windows: ResumeTaskSpec = {
  runId: RUN,
  journalPath: `C:\\ProgramData\\tpm-doctor\\runs\\${RUN}.jsonl`,
  nodePath: 'C:\\Program Files\\nodejs\\node.exe',
  cliPath: 'C:\\Program Files\\tpm-doctor\\tpm-doctor.cjs',
  platform: 'win32',
};

let unitDir: string;
beforeEach(() => {
  unitDir = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-units-'));
});
afterEach(() => rmSync(unitDir, { recursive: true, force: true }));

describe('Linux: systemd unit (temp unit dir, recording runner)', () => {
  it('writes the unit, reloads and enables it; nothing else', async () => {
    const rec = recordingRunner();
    const r = await installResumeTask(linux, { run: rec.run, unitDir });
    const name = `tpm-doctor-resume-${RUN}.service`;
    expect(r).toMatchObject({ name, changed: true, dryRun: false });
    expect(readdirSync(unitDir)).toEqual([name]);
    expect(rec.calls).toEqual([
      { file: 'systemctl', args: ['daemon-reload'] },
      { file: 'systemctl', args: ['enable', name] },
    ]);
    const unit = readFileSync(path.join(unitDir, name), 'utf8');
    expect(unit).toContain('Type=exec\n');
    expect(unit).toContain('WantedBy=multi-user.target\n');
    expect(unit).toContain('After=network-online.target tpm2.target\n');
    expect(unit).toContain(`ConditionPathExists=/var/lib/tpm-doctor/runs/${RUN}.jsonl\n`);
    expect(unit).toContain(
      `ExecStart="/usr/bin/node" "/opt/tpm doctor/tpm-doctor.cjs" "resume" "--run" "${RUN}" "--journal" "/var/lib/tpm-doctor/runs/${RUN}.jsonl"\n`,
    );
  });

  it('is idempotent: a second install with the unit enabled changes nothing', async () => {
    await installResumeTask(linux, { run: recordingRunner().run, unitDir });
    const rec = recordingRunner();
    const r = await installResumeTask(linux, { run: rec.run, unitDir });
    expect(r.changed).toBe(false);
    expect(rec.calls).toEqual([{ file: 'systemctl', args: ['is-enabled', '--quiet', r.name] }]);
  });

  it('re-enables a unit whose file is there but is not enabled (a crash between write and enable)', async () => {
    await installResumeTask(linux, { run: recordingRunner().run, unitDir });
    const rec = recordingRunner((_f, args) => (args[0] === 'is-enabled' ? { exitCode: 1 } : {}));
    const r = await installResumeTask(linux, { run: rec.run, unitDir });
    expect(r.changed).toBe(true);
    expect(rec.calls.map((c) => c.args[0])).toEqual(['is-enabled', 'enable']);
  });

  it('reports installed, removes (disable, delete, reload), then removing again does nothing', async () => {
    await installResumeTask(linux, { run: recordingRunner().run, unitDir });
    expect(await resumeTaskInstalled(linux, { run: recordingRunner().run, unitDir })).toBe(true);
    const rec = recordingRunner();
    const r = await removeResumeTask(linux, { run: rec.run, unitDir });
    expect(r.changed).toBe(true);
    expect(rec.calls).toEqual([
      { file: 'systemctl', args: ['disable', r.name] },
      { file: 'systemctl', args: ['daemon-reload'] },
    ]);
    expect(readdirSync(unitDir)).toEqual([]);
    const again = recordingRunner();
    expect((await removeResumeTask(linux, { run: again.run, unitDir })).changed).toBe(false);
    expect(again.calls).toEqual([]);
    expect(await resumeTaskInstalled(linux, { run: again.run, unitDir })).toBe(false);
  });

  it('a dry run runs no command and writes nothing, but lists what it would do', async () => {
    const rec = recordingRunner();
    const r = await installResumeTask(linux, { run: rec.run, unitDir, dryRun: true });
    expect(rec.calls).toEqual([]);
    expect(readdirSync(unitDir)).toEqual([]);
    expect(r.actions.map((a) => a.kind)).toEqual(['write-file', 'command', 'command']);
    const rm = await removeResumeTask(linux, { run: rec.run, unitDir, dryRun: true });
    expect(rm.changed).toBe(false);
    expect(rec.calls).toEqual([]);
  });

  it('a failing systemctl is reported with its output', async () => {
    const rec = recordingRunner(() => ({ exitCode: 1, stderr: 'Failed to connect to bus' }));
    await expect(installResumeTask(linux, { run: rec.run, unitDir })).rejects.toThrow(
      /systemctl daemon-reload failed with exit code 1: Failed to connect to bus/,
    );
  });

  it('escapes systemd specifiers, variables, quotes and backslashes; refuses newlines and relative paths', () => {
    expect(systemdWord('/a b/%h/$HOME/"q"\\x')).toBe('"/a b/%%h/$$HOME/\\"q\\"\\\\x"');
    expect(() => unitFileText({ ...linux, cliPath: '/x\nExecStartPre=/bin/evil' })).toThrow(StartupTaskError);
    expect(() => unitFileText({ ...linux, nodePath: 'node' })).toThrow(/absolute/);
  });
});

describe('Windows: scheduled task (recording runner)', () => {
  const schtasks = 'C:\\Windows\\System32\\schtasks.exe';

  it('creates \\tpm-doctor\\resume-<runId> at start-up as SYSTEM, highest, with every path quoted', async () => {
    const rec = recordingRunner();
    const r = await installResumeTask(windows, { run: rec.run, schtasks });
    expect(r.name).toBe(`\\tpm-doctor\\resume-${RUN}`);
    expect(rec.calls).toEqual([
      {
        file: schtasks,
        args: [
          '/Create',
          '/TN',
          `\\tpm-doctor\\resume-${RUN}`,
          '/SC',
          'ONSTART',
          '/RU',
          'SYSTEM',
          '/RL',
          'HIGHEST',
          '/TR',
          `"C:\\Program Files\\nodejs\\node.exe" "C:\\Program Files\\tpm-doctor\\tpm-doctor.cjs" resume --run ${RUN} --journal "C:\\ProgramData\\tpm-doctor\\runs\\${RUN}.jsonl"`,
          '/F',
        ],
      },
    ]);
  });

  it('remove: queries, deletes with /F; removing a task that is not there runs no /Delete', async () => {
    const rec = recordingRunner();
    expect((await removeResumeTask(windows, { run: rec.run, schtasks })).changed).toBe(true);
    expect(rec.calls).toEqual([
      { file: schtasks, args: ['/Query', '/TN', `\\tpm-doctor\\resume-${RUN}`] },
      { file: schtasks, args: ['/Delete', '/TN', `\\tpm-doctor\\resume-${RUN}`, '/F'] },
    ]);
    const gone = recordingRunner(() => ({
      exitCode: 1,
      stderr: 'ERROR: The system cannot find the file specified.',
    }));
    expect((await removeResumeTask(windows, { run: gone.run, schtasks })).changed).toBe(false);
    expect(gone.calls.map((c) => c.args[0])).toEqual(['/Query']);
    expect(await resumeTaskInstalled(windows, { run: gone.run, schtasks })).toBe(false);
  });

  it('a dry run runs nothing', async () => {
    const rec = recordingRunner();
    const r = await installResumeTask(windows, { run: rec.run, schtasks, dryRun: true });
    const rm = await removeResumeTask(windows, { run: rec.run, schtasks, dryRun: true });
    expect(rec.calls).toEqual([]);
    expect(r.actions).toHaveLength(1);
    expect(rm.actions).toHaveLength(1);
  });

  it('refuses paths that would break the quoting, and a /TR longer than 261 characters', () => {
    expect(() => taskRunText({ ...windows, cliPath: 'C:\\a"b\\x.cjs' })).toThrow(StartupTaskError);
    expect(() => taskRunText({ ...windows, cliPath: 'C:\\%TEMP%\\x.cjs' })).toThrow(StartupTaskError);
    expect(() => taskRunText({ ...windows, cliPath: 'C:\\dir\\' })).toThrow(StartupTaskError);
    expect(() => taskRunText({ ...windows, nodePath: 'node.exe' })).toThrow(/absolute Windows path/);
    expect(() => taskRunText({ ...windows, journalPath: `C:\\${'x'.repeat(200)}\\${RUN}.jsonl` })).toThrow(
      /261/,
    );
  });
});

describe('run ID', () => {
  it.each(['', '-x', 'a b', 'a"b', 'a;rm -rf /', 'a/../b', 'a\\b', 'x'.repeat(129), 'ä'])(
    'refuses %j before touching anything',
    async (runId) => {
      const rec = recordingRunner();
      await expect(installResumeTask({ ...linux, runId }, { run: rec.run, unitDir })).rejects.toThrow(
        StartupTaskError,
      );
      await expect(removeResumeTask({ runId, platform: 'win32' }, { run: rec.run })).rejects.toThrow(
        StartupTaskError,
      );
      expect(rec.calls).toEqual([]);
      expect(existsSync(unitDir) && readdirSync(unitDir)).toEqual([]);
    },
  );
});
