/**
 * The Linux start-up task: a systemd service, enabled for multi-user.target, that resumes the run
 * once per boot until the run removes it (systemd.service(5), systemd.unit(5)).
 *
 * Type=exec, not oneshot: a target waits for the oneshot units it wants (systemd.target(5): a
 * target gets After= on its Wants=), and a resume may wait up to a day for an MDM sync, which
 * would hold multi-user.target and the graphical login the person needs. With exec, boot goes on
 * as soon as the resume process has started.
 */
import { mkdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import {
  type RemoveSpec,
  type ResolvedDeps,
  type ResumeTaskSpec,
  resumeArguments,
  runChecked,
  StartupTaskError,
  type StartupTaskResult,
  type TaskAction,
  taskProgram,
} from './startup-task-base.js';

function unitName(runId: string): string {
  return `tpm-doctor-resume-${runId}.service`;
}

function checkPath(what: string, p: string): void {
  if (!path.posix.isAbsolute(p))
    throw new StartupTaskError(`${what} must be an absolute path, got ${JSON.stringify(p)}`);
  // A control character would end the line (or smuggle another directive); a trailing backslash would continue it.
  if (/[\u0000-\u001f\u007f]/.test(p) || p.endsWith('\\')) {
    throw new StartupTaskError(
      `${what} may not contain control characters or end in a backslash: ${JSON.stringify(p)}`,
    );
  }
}

/** systemd's specifiers (%) and variables ($) are escaped by doubling. */
const specifierSafe = (s: string) => s.replaceAll('%', '%%').replaceAll('$', '$$$$');

/** One ExecStart= word: double-quoted, C-style escapes for \ and ", specifiers and variables doubled. */
export function systemdWord(s: string): string {
  return `"${specifierSafe(s.replaceAll('\\', '\\\\').replaceAll('"', '\\"'))}"`;
}

export function unitFileText(spec: ResumeTaskSpec): string {
  checkPath('nodePath', spec.nodePath);
  if (spec.cliPath !== undefined) checkPath('cliPath', spec.cliPath);
  checkPath('journalPath', spec.journalPath);
  const exec = [...taskProgram(spec), ...resumeArguments(spec)].map(systemdWord).join(' ');
  return [
    `# Written by tpm-doctor for run ${spec.runId}; the run removes it when it ends.`,
    '[Unit]',
    `Description=tpm-doctor: resume TPM clear run ${spec.runId} after the restart`,
    // tpm2.target (systemd 256+) is reached when the TPM device is there; older systemd ignores the name.
    'Wants=network-online.target',
    'After=network-online.target tpm2.target',
    // Once the journal is gone the run is over; do not start a resume that can only fail.
    `ConditionPathExists=${specifierSafe(spec.journalPath)}`,
    '',
    '[Service]',
    'Type=exec',
    `ExecStart=${exec}`,
    'Restart=no',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Writes the unit so that a crash leaves either the old file or the new one, never half of one
 * (src/fs/atomic-write.ts). 0644 like every unit in /etc/systemd/system: it holds no secret.
 */
async function writeAtomically(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  writeFileAtomic(file, content, { mode: 0o644 });
}

export async function installSystemdUnit(spec: ResumeTaskSpec, d: ResolvedDeps): Promise<StartupTaskResult> {
  const name = unitName(spec.runId);
  const file = path.join(d.unitDir, name);
  const content = unitFileText(spec);
  const actions: TaskAction[] = [];
  const fileChanged = (await readIfPresent(file)) !== content;
  if (fileChanged) {
    actions.push({ kind: 'write-file', path: file, content });
    if (!d.dryRun) await writeAtomically(file, content);
    await runChecked(d, actions, d.systemctl, ['daemon-reload']);
    await runChecked(d, actions, d.systemctl, ['enable', name]);
    return { name, changed: true, dryRun: d.dryRun, actions };
  }
  // Same file: enable only if it is not enabled already (e.g. a crash between write and enable).
  if (d.dryRun) {
    actions.push({ kind: 'command', file: d.systemctl, args: ['enable', name] });
    return { name, changed: false, dryRun: true, actions };
  }
  if (await isEnabled(d, name)) return { name, changed: false, dryRun: false, actions };
  await runChecked(d, actions, d.systemctl, ['enable', name]);
  return { name, changed: true, dryRun: false, actions };
}

async function isEnabled(d: ResolvedDeps, name: string): Promise<boolean> {
  const r = await d.run(d.systemctl, ['is-enabled', '--quiet', name]);
  return r.exitCode === 0;
}

export async function removeSystemdUnit(spec: RemoveSpec, d: ResolvedDeps): Promise<StartupTaskResult> {
  const name = unitName(spec.runId);
  const file = path.join(d.unitDir, name);
  const actions: TaskAction[] = [];
  if ((await readIfPresent(file)) === undefined) return { name, changed: false, dryRun: d.dryRun, actions };
  // Disable first, while systemd still knows the unit, so no wants/ symlink is left behind.
  await runChecked(d, actions, d.systemctl, ['disable', name]);
  actions.push({ kind: 'remove-file', path: file });
  if (!d.dryRun) await unlink(file);
  await runChecked(d, actions, d.systemctl, ['daemon-reload']);
  return { name, changed: true, dryRun: d.dryRun, actions };
}

export async function systemdUnitInstalled(spec: RemoveSpec, d: ResolvedDeps): Promise<boolean> {
  const name = unitName(spec.runId);
  if ((await readIfPresent(path.join(d.unitDir, name))) === undefined) return false;
  return isEnabled(d, name);
}
