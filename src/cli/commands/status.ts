import { EXIT } from '../../exit-codes.js';
import { probeTpmStatus } from '../../probe/tpm-status.js';
import { loadMessages } from '../../text/messages/catalog.js';
import type { Language } from '../../text/messages/language.js';
import { Tpm } from '../../tpm/tpm.js';
import { openTransport, TPM_URI_FORMS } from '../../tpm/transport/open-transport.js';
import { parseVerbArgs } from '../args.js';
import { printHelp } from '../help.js';
import { renderStatus } from '../render/status-text.js';
import { terminalLayout } from '../terminal-style.js';
import { parseTimeout } from '../timeout.js';
import { resolveTpmTarget } from '../tpm-target.js';

export const HELP = `tpm-doctor status: everything the TPM reports about itself.

Usage: tpm-doctor status [--tpm URI] [--json] [--verbose] [--compute-ek] [--timeout SECONDS]

Reads the TPM without changing it: presence, specification, manufacturer and firmware,
self-test result, TPMA_PERMANENT and TPMA_STARTUP_CLEAR flags, dictionary-attack counters,
PCR banks, persistent and transient handles, NV indices (attributes, owning hierarchy,
platform-created or not), EK certificates and whether they match the EK, and the capacity
left for persistent objects and NV indices. It is what tpm.msc and Get-Tpm show, and more.

Options:
  --tpm URI          The TPM to read (default: TPM_DOCTOR_TPM, else TPM2TOOLS_TCTI,
                     else this machine's TPM):
                       ${TPM_URI_FORMS.join('\n                       ')}
                       lab:                 a throwaway software TPM (swtpm), for trying tpm-doctor
  --json             Print the status as JSON (schema: docs/status-json.md).
  --verbose          Also print PCR values, algorithms and every TPM property.
  --compute-ek       Recompute each EK from its TCG template (TPM2_CreatePrimary) instead of
                     trusting the persistent EK handle; slower (RSA key derivation).
  --timeout SECONDS  Give up on a TPM command after this long (default 120).
  -h, --help         This help.

Exit status:
  0  the whole status was read
  3  no TPM answered (no device, nothing listening, or no answer in time)
  4  the TPM answered but some sections failed (listed under "errors")
  5  lab: swtpm is missing or failed to start
  2  wrong command line

Examples:
  tpm-doctor status                          # this machine's TPM
  tpm-doctor status --tpm lab:               # a throwaway software TPM
  tpm-doctor status --tpm swtpm://127.0.0.1:2321 --json | jq .dictionaryAttack
`;

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values } = parseVerbArgs('status', argv, {
    tpm: { type: 'string' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    'compute-ek': { type: 'boolean' },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    printHelp(HELP);
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
