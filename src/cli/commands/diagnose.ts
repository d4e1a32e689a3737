import type { Diagnosis } from '../../diagnose/diagnose.js';
import { EXIT } from '../../exit-codes.js';
import { readEvidenceBundle } from '../../probe/windows/evidence-bundle.js';
import type { WindowsEvidence } from '../../snapshot/windows-evidence.js';
import { ENGLISH, loadMessages } from '../../text/messages/catalog.js';
import type { Language } from '../../text/messages/language.js';
import { TPM_URI_FORMS } from '../../tpm/transport/open-transport.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { renderDiagnosis } from '../render/diagnosis-text.js';
import { terminalLayout } from '../terminal-style.js';
import { parseTimeout } from '../timeout.js';
import { resolveTpmTarget } from '../tpm-target.js';

const OPTIONS = {
  tpm: {
    type: 'string',
    value: 'URI',
    help: `The TPM to read (default: this machine's TPM, unless --evidence is given):
  ${TPM_URI_FORMS.join('\n  ')}
  lab:[SCENARIO,...]   a throwaway software TPM put into a broken state:
                       stale-objects, lockout, disable-clear, transient-leak`,
  },
  evidence: {
    type: 'string',
    value: 'PATH',
    complete: 'file',
    help: `Diagnose from a saved evidence bundle (a folder, or the JSON a
collect-evidence.ps1 detection script printed). Without --tpm, the local
TPM is then not read: the bundle describes another device.
Without --evidence on Windows, the evidence is collected live
(as tpm-doctor collect does).`,
  },
  json: { type: 'boolean', help: 'Print the diagnosis as JSON (schema: docs/diagnose-json.md).' },
  verbose: { type: 'boolean', short: 'v', help: 'Show the evidence behind every finding.' },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    help: 'Give up on a TPM command after this long (default 120).',
  },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'diagnose',
  options: OPTIONS,
  page: {
    title: 'name the real cause of a TPM problem, and the safest next step.',
    usage: '[--tpm URI] [--evidence PATH] [--json] [--verbose] [--timeout SECONDS]',
    about: `Reads the TPM (in TPM 2.0) and the Windows evidence around it (Get-Tpm, Win32_Tpm
IsReadyInformation, tpmtool, dsregcmd, BitLocker protectors, MDM enrollment, TPM / Entra / MDM /
Autopilot event logs), runs the rules, and prints a verdict: the single safest next step on the
ladder  wait or reset lockout -> restart -> update firmware/OS -> reconfigure -> clear.
A clear is recommended only when the ladder truly reaches it and nothing makes it wrong
(a dictionary-attack lockout, vulnerable firmware not updated yet, disableClear, no BitLocker
recovery password, ...). It changes nothing.`,
    optionsTitle: 'Options:',
    footer: `Exit status:
  0  healthy (at most informational findings)
  6  warnings only
  7  errors: the verdict says the next step
  8  nothing could be read (no TPM answered, no evidence, no evidence file readable)
 17  incomplete: no error found, but a fact the verdict needs is unknown (a source
     could not be read, the OS volume's BitLocker protectors, the lockout state); no clear
  9  the evidence bundle is unreadable (the message names the file)
  2  wrong command line;  5  lab: swtpm missing

Finding IDs and what they mean: docs/findings.md

Examples:
  tpm-doctor diagnose                                   # this machine
  tpm-doctor diagnose --tpm lab:stale-objects,lockout   # a lab TPM in a broken state
  tpm-doctor diagnose --evidence ./PC-0042-evidence/ --json`,
  },
};

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values } = parseVerbArgs('diagnose', argv, OPTIONS);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  const timeoutMs = parseTimeout(values.timeout, 'diagnose');
  let windows: WindowsEvidence | null = null;
  if (values.evidence !== undefined) {
    windows = await readEvidenceBundle(values.evidence);
  } else if (process.platform === 'win32' && values.tpm === undefined) {
    // On a Windows device, the evidence around the TPM is collected live (tpm-doctor collect).
    const { collectWindowsEvidence } = await import('../../probe/windows/collect.js');
    windows = await collectWindowsEvidence();
  }
  const readTpm = values.tpm !== undefined || values.evidence === undefined;
  const target = readTpm ? await resolveTpmTarget(values.tpm) : null;
  try {
    const { takeSnapshot } = await import('../../probe/take-snapshot.js');
    const snapshot = await takeSnapshot({
      tpm: target
        ? { uri: target.uri, lab: target.lab !== null, ...(timeoutMs === undefined ? {} : { timeoutMs }) }
        : null,
      windows,
    });
    const { diagnose } = await import('../../diagnose/diagnose.js');
    // JSON is a contract in English; only the screen is in the admin's language.
    const messages = values.json ? ENGLISH : await loadMessages(language);
    const diagnosis = diagnose(snapshot, undefined, messages);
    const report = {
      ...diagnosis,
      problems: problemsOf(snapshot.windows),
      ...(snapshot.windows?.notes ? { notes: snapshot.windows.notes } : {}),
      source: {
        tpm: snapshot.tpm?.tpm.uri ?? null,
        lab: target?.lab ?? null,
        evidence: windows?.origin ?? null,
      },
    };
    process.stdout.write(
      values.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : renderDiagnosis(diagnosis, snapshot, {
            verbose: values.verbose ?? false,
            lab: target?.lab ?? null,
            layout: terminalLayout(),
            ui: messages.ui,
          }),
    );
    return diagnoseExitCode(diagnosis);
  } finally {
    await target?.release();
  }
}

/** The exit status of `diagnose` for a diagnosis (docs/exit-codes.md). */
export function diagnoseExitCode(d: Diagnosis): number {
  switch (d.verdict.status) {
    case 'healthy':
      return EXIT.OK;
    case 'warnings':
      return EXIT.DIAGNOSIS_WARNINGS;
    case 'errors':
      return EXIT.DIAGNOSIS_ERRORS;
    case 'incomplete':
      return EXIT.EVIDENCE_INCOMPLETE;
    case 'undiagnosable':
      return EXIT.NOT_DIAGNOSABLE;
  }
}

/**
 * The sources that could not be read, for `--json` (docs/diagnose-json.md): which source, which
 * file, and why, without the file name repeated in the reason.
 */
function problemsOf(w: WindowsEvidence | null): { source: string; file: string | null; reason: string }[] {
  return (w?.problems ?? []).map((p) => {
    const file = p.file ?? null;
    const reason =
      file !== null && p.message.startsWith(`${file}: `) ? p.message.slice(file.length + 2) : p.message;
    return { source: p.source, file, reason };
  });
}
