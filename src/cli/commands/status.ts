import { EXIT } from '../../exit-codes.js';
import { probeTpmStatus } from '../../probe/tpm-status.js';
import { loadMessages } from '../../text/messages/catalog.js';
import type { Language } from '../../text/messages/language.js';
import { Tpm } from '../../tpm/tpm.js';
import { openTransport, TPM_URI_FORMS } from '../../tpm/transport/open-transport.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { renderStatus } from '../render/status-text.js';
import { terminalLayout } from '../terminal-style.js';
import { parseTimeout } from '../timeout.js';
import { resolveTpmTarget } from '../tpm-target.js';

const OPTIONS = {
  tpm: {
    type: 'string',
    value: 'URI',
    help: `The TPM to read (default: TPM_DOCTOR_TPM, else TPM2TOOLS_TCTI,
else this machine's TPM):
  ${TPM_URI_FORMS.join('\n  ')}
  lab:                 a throwaway software TPM (swtpm), for trying tpm-doctor`,
  },
  json: { type: 'boolean', help: 'Print the status as JSON (schema: docs/status-json.md).' },
  verbose: { type: 'boolean', short: 'v', help: 'Also print PCR values, algorithms and every TPM property.' },
  'compute-ek': {
    type: 'boolean',
    help: `Recompute each EK from its TCG template (TPM2_CreatePrimary) instead of
trusting the persistent EK handle; slower (RSA key derivation).`,
  },
  timeout: {
    type: 'string',
    value: 'SECONDS',
    help: 'Give up on a TPM command after this long (default 120).',
  },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'status',
  options: OPTIONS,
  page: {
    title: 'everything the TPM reports about itself.',
    usage: '[--tpm URI] [--json] [--verbose] [--compute-ek] [--timeout SECONDS]',
    about: `Reads the TPM without changing it: presence, specification, manufacturer and firmware,
self-test result, TPMA_PERMANENT and TPMA_STARTUP_CLEAR flags, dictionary-attack counters,
PCR banks, persistent and transient handles, NV indices (attributes, owning hierarchy,
platform-created or not), EK certificates and whether they match the EK, and the capacity
left for persistent objects and NV indices. It is what tpm.msc and Get-Tpm show, and more.`,
    optionsTitle: 'Options:',
    footer: `Exit status:
  0  the whole status was read
  3  no TPM answered (no device, nothing listening, or no answer in time)
  4  the TPM answered but some sections failed (listed under "errors")
  5  lab: swtpm is missing or failed to start
  2  wrong command line

Examples:
  tpm-doctor status                          # this machine's TPM
  tpm-doctor status --tpm lab:               # a throwaway software TPM
  tpm-doctor status --tpm swtpm://127.0.0.1:2321 --json | jq .dictionaryAttack`,
  },
};

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values } = parseVerbArgs('status', argv, OPTIONS);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  const timeoutMs = parseTimeout(values.timeout, 'status');
  const target = await resolveTpmTarget(values.tpm);
  try {
    const tpm = new Tpm(await openTransport(target.uri, { timeoutMs }));
    try {
      const status = await probeTpmStatus(tpm, {
        // The transport names the resolved TPM (device: becomes device:/dev/tpmrm0).
        uri: tpm.transport.description,
        lab: target.lab !== null,
        computeEk: values['compute-ek'] ?? false,
      });
      // JSON is a contract in English; only the screen is in the admin's language.
      process.stdout.write(
        values.json
          ? `${JSON.stringify(status, null, 2)}\n`
          : renderStatus(status, {
              verbose: values.verbose ?? false,
              layout: terminalLayout(),
              ui: (await loadMessages(language)).ui,
              language,
            }),
      );
      if (status.present !== true) return EXIT.TPM_UNREACHABLE;
      return status.errors.length > 0 ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await tpm.close();
    }
  } finally {
    await target.release();
  }
}
