import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  installResumeTask,
  type ResumeTaskSpec,
  removeResumeTask,
  resumeTaskInstalled,
  StartupTaskError,
} from '../../../src/remedy/platform/startup-task.js';
import { systemdWord, unitFileText } from '../../../src/remedy/platform/systemd-unit.js';
import { taskDefinitionXml, taskExec } from '../../../src/remedy/platform/task-definition.js';
import { child, readXml, textAt } from '../../support/read-xml.js';
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

describe('Windows: scheduled task from a task definition (recording runner)', () => {
  const schtasks = 'C:\\Windows\\System32\\schtasks.exe';
  const NAME = `\\tpm-doctor\\resume-${RUN}`;
  const USER_NAME = `\\tpm-doctor\\user-steps-${RUN}`;

  /** Installs with a runner that keeps the task definition file schtasks was given, as bytes. */
  async function install(spec: ResumeTaskSpec) {
    const files: Buffer[] = [];
    const rec = recordingRunner((_file, args) => {
      files.push(readFileSync(args[4]!));
      return {};
    });
    const r = await installResumeTask(spec, { run: rec.run, schtasks });
    const [bytes, userBytes] = files;
    if (bytes === undefined || userBytes === undefined) throw new Error('schtasks was not run twice');
    return { r, calls: rec.calls, bytes, userBytes };
  }

  it('creates \\tpm-doctor\\resume-<runId> with schtasks /XML from a UTF-16 file it removes afterwards', async () => {
    const { r, calls, bytes } = await install(windows);
    expect(r.name).toBe(NAME);
    expect(calls).toEqual([
      { file: schtasks, args: ['/Create', '/TN', NAME, '/XML', expect.any(String), '/F'] },
      // The signed-in user's part (test/remedy/platform/user-steps-task.test.ts).
      { file: schtasks, args: ['/Create', '/TN', USER_NAME, '/XML', expect.any(String), '/F'] },
    ]);
    const file = calls[0]!.args[4]!;
    expect(path.dirname(path.dirname(file))).toBe(tmpdir());
    expect(existsSync(path.dirname(file))).toBe(false);
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(bytes.subarray(2).toString('utf16le')).toBe(
      taskDefinitionXml(windows, NAME).replaceAll('\n', '\r\n'),
    );
  });

  it('runs at every boot as SYSTEM, highest, on battery, catching up, with no time limit', async () => {
    const { bytes } = await install(windows);
    const task = readXml(bytes.subarray(2).toString('utf16le'));
    expect(task.name).toBe('Task');
    expect(task.attributes).toEqual({
      version: '1.2',
      xmlns: 'http://schemas.microsoft.com/windows/2004/02/mit/task',
    });
    expect(textAt(task, 'RegistrationInfo', 'URI')).toBe(NAME);
    expect(textAt(task, 'Triggers', 'BootTrigger', 'Enabled')).toBe('true');
    expect(child(task, 'Triggers').children.map((t) => t.name)).toEqual(['BootTrigger']);
    expect(textAt(task, 'Principals', 'Principal', 'UserId')).toBe('S-1-5-18');
    expect(textAt(task, 'Principals', 'Principal', 'RunLevel')).toBe('HighestAvailable');
    const settings = child(task, 'Settings');
    expect(textAt(settings, 'DisallowStartIfOnBatteries')).toBe('false');
    expect(textAt(settings, 'StopIfGoingOnBatteries')).toBe('false');
    expect(textAt(settings, 'StartWhenAvailable')).toBe('true');
    expect(textAt(settings, 'ExecutionTimeLimit')).toBe('PT0S');
    expect(textAt(settings, 'Enabled')).toBe('true');
    expect(textAt(settings, 'MultipleInstancesPolicy')).toBe('IgnoreNew');
    const principalId = child(child(task, 'Principals'), 'Principal').attributes.id;
    expect(child(task, 'Actions').attributes.Context).toBe(principalId);
    const exec = child(child(task, 'Actions'), 'Exec');
    expect(textAt(exec, 'Command')).toBe('C:\\Program Files\\nodejs\\node.exe');
    expect(textAt(exec, 'Arguments')).toBe(
      `"C:\\Program Files\\tpm-doctor\\tpm-doctor.cjs" resume --run ${RUN} --journal "C:\\ProgramData\\tpm-doctor\\runs\\${RUN}.jsonl"`,
    );
  });

  it('runs the single executable once: no "exe" "exe" resume', () => {
    const exe = 'C:\\Program Files\\tpm-doctor\\tpm-doctor.exe';
    const single: ResumeTaskSpec = { ...windows, nodePath: exe, cliPath: undefined };
    delete single.cliPath;
    expect(taskExec(single)).toEqual({
      command: exe,
      arguments: `resume --run ${RUN} --journal "C:\\ProgramData\\tpm-doctor\\runs\\${RUN}.jsonl"`,
    });
    const task = readXml(taskDefinitionXml(single, NAME));
    expect(textAt(task, 'Actions', 'Exec', 'Command')).toBe(exe);
    expect(textAt(task, 'Actions', 'Exec', 'Arguments')).not.toContain('tpm-doctor.exe');
  });

  it('remove: queries, deletes with /F; removing a task that is not there runs no /Delete', async () => {
    const rec = recordingRunner();
    expect((await removeResumeTask(windows, { run: rec.run, schtasks })).changed).toBe(true);
    expect(rec.calls).toEqual([
      { file: schtasks, args: ['/Query', '/TN', NAME] },
      { file: schtasks, args: ['/Delete', '/TN', NAME, '/F'] },
    ]);
    const gone = recordingRunner(() => ({
      exitCode: 1,
      stderr: 'ERROR: The system cannot find the file specified.',
    }));
    expect((await removeResumeTask(windows, { run: gone.run, schtasks })).changed).toBe(false);
    expect(gone.calls.map((c) => c.args[0])).toEqual(['/Query']);
    expect(await resumeTaskInstalled(windows, { run: gone.run, schtasks })).toBe(false);
  });

  it('a dry run runs and writes nothing, and shows the definition it would register', async () => {
    const rec = recordingRunner();
    const r = await installResumeTask(windows, { run: rec.run, schtasks, dryRun: true });
    const rm = await removeResumeTask(windows, { run: rec.run, schtasks, dryRun: true });
    expect(rec.calls).toEqual([]);
    expect(r.actions.map((a) => a.kind)).toEqual([
      'write-file',
      'command',
      'write-file',
      'command',
      'remove-file',
      'remove-file',
    ]);
    const written = r.actions[0];
    expect(written?.kind === 'write-file' && existsSync(written.path)).toBe(false);
    expect(written?.kind === 'write-file' && written.content).toBe(taskDefinitionXml(windows, NAME));
    expect(rm.actions).toHaveLength(1);
  });

  it('refuses paths that would break the quoting', () => {
    expect(() => taskExec({ ...windows, cliPath: 'C:\\Program Files\\a"b\\x.cjs' })).toThrow(
      StartupTaskError,
    );
    expect(() => taskExec({ ...windows, cliPath: 'C:\\Program Files\\%TEMP%\\x.cjs' })).toThrow(
      StartupTaskError,
    );
    expect(() => taskExec({ ...windows, cliPath: 'C:\\Program Files\\dir\\' })).toThrow(StartupTaskError);
    expect(() => taskExec({ ...windows, nodePath: 'node.exe' })).toThrow(/absolute Windows path/);
    expect(() => taskExec({ ...windows, journalPath: 'C:\\ProgramData\\a"b.jsonl' })).toThrow(
      StartupTaskError,
    );
  });

  it('has no 261-character limit (schtasks /TR had one): a long journal path is registered as it is', () => {
    const journalPath = `C:\\${'x'.repeat(200)}\\${RUN}.jsonl`;
    expect(taskExec({ ...windows, journalPath }).arguments).toContain(`--journal "${journalPath}"`);
  });

  // Whoever can replace the program gets SYSTEM at the next boot.
  it.each([
    [
      "npm -g (the admin's own profile)",
      'cliPath',
      'C:\\Users\\admin\\AppData\\Roaming\\npm\\node_modules\\tpm-doctor\\dist\\tpm-doctor.cjs',
    ],
    [
      'nvm (node.exe in the profile)',
      'nodePath',
      'C:\\Users\\admin\\AppData\\Roaming\\nvm\\v20.20.2\\node.exe',
    ],
    [
      '%ProgramData% (users may create folders there)',
      'nodePath',
      'C:\\ProgramData\\tpm-doctor\\tpm-doctor.exe',
    ],
    ['a download folder', 'nodePath', 'C:\\Users\\admin\\Downloads\\tpm-doctor.exe'],
    ['a way out of %ProgramFiles%', 'nodePath', 'C:\\Program Files\\..\\Users\\Public\\tpm-doctor.exe'],
    ['a look-alike folder', 'nodePath', 'C:\\Program Files Evil\\tpm-doctor.exe'],
  ])('refuses a program a standard user could replace: %s', async (_what, field, p) => {
    const rec = recordingRunner();
    await expect(installResumeTask({ ...windows, [field]: p }, { run: rec.run, schtasks })).rejects.toThrow(
      /not under C:\\Program Files: a standard user may be able to replace it/,
    );
    expect(rec.calls).toEqual([]);
  });

  it('takes %ProgramFiles% from the environment (another system drive)', () => {
    const env = { ProgramFiles: 'D:\\Program Files' };
    const spec = {
      ...windows,
      nodePath: 'D:\\Program Files\\tpm-doctor\\tpm-doctor.exe',
      cliPath: undefined,
    };
    expect(taskExec(spec, env).command).toBe(spec.nodePath);
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
