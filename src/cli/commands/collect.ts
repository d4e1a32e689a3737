import { EXIT } from '../../exit-codes.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';

export const HELP = `tpm-doctor collect: gather this Windows device's TPM, Entra ID, BitLocker and MDM evidence.

Usage: tpm-doctor collect [--out DIR] [--json]

Runs PowerShell once per source (Get-Tpm, Win32_Tpm IsReadyInformation, Get-TpmEndorsementKeyInfo,
tpmtool getdeviceinformation, dsregcmd /status, Get-BitLockerVolume, manage-bde -protectors -get,
the MDM enrollment registry, and the TPM, TPM-WMI, User Device Registration, DeviceManagement and
Autopilot event logs), each with a time limit, and prints what it found. Most sources need no
administrator rights; Win32_Tpm, BitLocker and KeySignTest do, and the output says which were
skipped. Recovery passwords and TPM auth values are never kept.

Options:
  --out DIR   Also write the evidence bundle (one file per source) to DIR, for a helpdesk to
              read with: tpm-doctor diagnose --evidence DIR
  --json      Print the parsed evidence as JSON.
  -h, --help  This help.

The same collection, as an Intune Remediations detection script: scripts/collect-evidence.ps1
(docs/evidence.md). Windows only.
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseVerbArgs('collect', argv, {
    out: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    printHelp(HELP);
    return EXIT.OK;
  }
  const { collectWindowsEvidence } = await import('../../probe/windows/collect.js');
  const evidence = await collectWindowsEvidence(values.out === undefined ? {} : { outDir: values.out });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(evidence, null, 2)}\n`);
  } else {
    const got = Object.entries(evidence).filter(
      ([key, value]) =>
        value !== null &&
        !['origin', 'collectedAt', 'computerName', 'osVersion', 'elevated', 'problems'].includes(key),
    );
    process.stdout.write(
      `Collected ${got.length} sources from ${terminalSafe(evidence.computerName ?? 'this device')}${evidence.elevated ? '' : ' (not elevated: some sources skipped)'}: ${got.map(([k]) => k).join(', ')}\n`,
    );
    for (const p of evidence.problems)
      process.stdout.write(`  ${terminalSafe(`${p.source}: ${p.message}`)}\n`);
    if (values.out)
      process.stdout.write(
        `Bundle written to ${values.out}; diagnose it with: tpm-doctor diagnose --evidence ${values.out}\n`,
      );
  }
  return EXIT.OK;
}
