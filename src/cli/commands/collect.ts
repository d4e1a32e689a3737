import { EXIT } from '../../exit-codes.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { collectExitCode, renderCollectSummary } from '../render/collect-text.js';

const OPTIONS = {
  out: {
    type: 'string',
    value: 'DIR',
    complete: 'dir',
    help: `Also write the evidence bundle (one file per source) to DIR, for a helpdesk to
read with: tpm-doctor diagnose --evidence DIR`,
  },
  json: { type: 'boolean', help: 'Print the parsed evidence as JSON.' },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'collect',
  options: OPTIONS,
  page: {
    title: "gather this Windows device's TPM, Entra ID, BitLocker and MDM evidence.",
    usage: '[--out DIR] [--json]',
    about: `Runs PowerShell once per source (Get-Tpm, Win32_Tpm IsReadyInformation, Get-TpmEndorsementKeyInfo,
tpmtool getdeviceinformation, dsregcmd /status, Get-BitLockerVolume, manage-bde -protectors -get,
the MDM enrollment registry, and the TPM, TPM-WMI, User Device Registration, DeviceManagement and
Autopilot event logs), each with a time limit, and prints what it found. Most sources need no
administrator rights; Win32_Tpm, BitLocker and KeySignTest do, and the output says which were
skipped. Recovery passwords and TPM auth values are never kept.`,
    optionsTitle: 'Options:',
    footer: `Exit status:
  0   every source was collected
  17  some sources were not collected (listed, with why): the evidence is incomplete
  8   nothing was collected
  9   not on Windows: there is no evidence to collect here
  2   wrong command line

The same collection, as an Intune Remediations detection script: scripts/collect-evidence.ps1
(docs/evidence.md). Windows only.`,
  },
};

export async function run(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs('collect', argv, OPTIONS);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  const { collectWindowsEvidence } = await import('../../probe/windows/collect.js');
  const evidence = await collectWindowsEvidence(values.out === undefined ? {} : { outDir: values.out });
  if (values.json) process.stdout.write(`${JSON.stringify(evidence, null, 2)}\n`);
  else process.stdout.write(renderCollectSummary(evidence, values.out));
  return collectExitCode(evidence);
}
