import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../exit-codes.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import type { LabTenant } from '../../lab/tenant/index.js';
import { parseVerbArgs } from '../args.js';
import { formatHelp } from '../help.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { UsageError } from '../usage-error.js';

const OPTIONS = {
  port: { type: 'string', value: 'N', help: 'Port to listen on (default: a free one).' },
  devices: { type: 'string', value: 'N', help: 'Simulated Windows devices (default 5000; up to 1000000).' },
  seed: {
    type: 'string',
    value: 'N',
    help: 'Seed of the fleet (default 1): the same seed gives the same devices.',
  },
  'window-ms': {
    type: 'string',
    value: 'N',
    help: `Throttling window in ms (default 20000, as Intune). Smaller windows let tests
and benchmarks run Intune's limits faster; the per-window counts stay the same.`,
  },
  swtpm: {
    type: 'string',
    value: 'N',
    help: `Back the first N tpm-needs-clear devices (with their recovery key escrowed)
with a real software TPM each (swtpm, provisioned, with a previous owner's keys
left in it). A "tpm-doctor clear" script run on them (fleet clear) really clears
that TPM, through tpm-doctor's own gate and journaled clear run, and reports
the receipt's summary. Needs swtpm, swtpm-tools (default 0; at most 32).`,
  },
  json: { type: 'boolean', help: 'Print the connection details as one JSON object (no secret in it).' },
  help: HELP_OPTION,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'lab tenant',
  options: OPTIONS,
  positionals: ['tenant'],
  page: {
    title: 'a LAB Intune tenant on this machine, to try the fleet commands without one.',
    usage: '[--port N] [--devices N] [--seed N] [--window-ms N] [--swtpm N] [--json]',
    about: `Starts a loopback HTTP server (127.0.0.1) that answers exactly the Microsoft Graph calls
tpm-doctor makes (docs/graph-calls.md) with Graph's shapes: OData pages and nextLinks, $batch,
Graph's error bodies, an Entra-style token endpoint, and Intune's throttling (2,000 requests and
200 writes per app per window; 429 with, and sometimes without, Retry-After). Its devices are
simulated and seeded: about 95% healthy, the rest with TPM, BitLocker, Secure Boot, sync and
attestation problems that evolve when you act on them (a sync moves the last sync time, a clear
and a reboot make a TPM compliant again, some devices never recover). docs/lab-tenant.md lists the mix.

It is NOT a real tenant and is labelled LAB everywhere it shows (GET /lab/info, the
x-tpm-doctor-lab response header). It serves until Ctrl-C (SIGINT) or SIGTERM.`,
    optionsTitle: 'Options:',
    footer: `The lab's client secret is generated at start and written to a file only you can read
(mode 0600, deleted when the lab stops); the output shows how to pass it to the fleet commands
in AZURE_CLIENT_SECRET. It is never printed.

Exit status:
  0  the lab ran and stopped cleanly
  5  the lab could not start (e.g. the port is in use)
  2  wrong command line

Examples:
  tpm-doctor lab tenant
  tpm-doctor lab tenant --devices 100000 --window-ms 2000 --port 8443
  tpm-doctor lab tenant --json | jq .url
  tpm-doctor lab tenant --devices 200 --swtpm 2    # two devices whose TPM a campaign really clears`,
  },
};

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the lab should stop (default: SIGINT or SIGTERM). */
  stop: (lab: LabTenant) => Promise<void>;
}

const defaultIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stop: () =>
    new Promise<void>((resolve) => {
      const done = () => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    }),
};

export function run(argv: string[]): Promise<number> {
  return runLab(argv, defaultIo);
}

/** `run` with its output and its stop condition given: the tests drive it through this. */
export async function runLab(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseVerbArgs('lab', argv, OPTIONS, true);
  if (values.help) {
    io.stdout(formatHelp(helpPage(COMMAND)));
    return EXIT.OK;
  }
  if (positionals.length !== 1 || positionals[0] !== 'tenant') {
    throw new UsageError(
      positionals.length === 0
        ? 'which lab? Only "tpm-doctor lab tenant" exists (a LAB Intune tenant)'
        : `unknown lab "${positionals.join(' ')}": only "tenant" exists`,
      'lab',
    );
  }
  const port = integer(values.port, '--port', 0, 65535);
  const devices = integer(values.devices, '--devices', 0, 1_000_000);
  const seed = integer(values.seed, '--seed', 0, 0xffffffff);
  const windowMs = integer(values['window-ms'], '--window-ms', 1, 3_600_000);
  const swtpmDevices = integer(values.swtpm, '--swtpm', 0, 32);

  const { startLabTenant } = await import('../../lab/tenant/index.js');
  let lab: LabTenant;
  try {
    lab = await startLabTenant({
      ...(port === undefined ? {} : { port }),
      ...(devices === undefined ? {} : { devices }),
      ...(seed === undefined ? {} : { seed }),
      ...(windowMs === undefined ? {} : { windowMs }),
      ...(swtpmDevices === undefined ? {} : { swtpmDevices }),
    });
  } catch (e) {
    io.stderr(`tpm-doctor: the LAB tenant could not start: ${(e as Error).message}\n`);
    return EXIT.LAB_UNAVAILABLE;
  }
  const secretDir = await mkdtemp(join(tmpdir(), 'tpm-doctor-lab-'));
  try {
    const secretFile = join(secretDir, 'client-secret');
    writeFileAtomic(secretFile, lab.clientSecret);
    const details = {
      lab: true,
      note: 'LAB tenant: simulated devices, not a real Microsoft tenant',
      url: lab.url,
      tenantId: lab.tenantId,
      clientId: lab.clientId,
      clientSecretFile: secretFile,
      devices: lab.devices.size,
      seed: lab.devices.fleet.seed,
      limits: lab.limits,
      info: `${lab.url}/lab/info`,
      stats: `${lab.url}/lab/stats`,
      swtpmDevices: lab.swtpmDevices.map(({ deviceId, deviceName, uri, tcti, pid }) => ({
        deviceId,
        deviceName,
        uri,
        tcti,
        pid,
      })),
    };
    if (values.json) io.stdout(`${JSON.stringify(details)}\n`);
    else io.stdout(describe(details));
    await io.stop(lab);
    if (!values.json) io.stdout('LAB tenant stopped.\n');
    return EXIT.OK;
  } finally {
    await lab.close();
    await rm(secretDir, { recursive: true, force: true });
  }
}

function describe(d: {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecretFile: string;
  devices: number;
  seed: number;
  limits: { windowMs: number; requestsPerWindow: number; writesPerWindow: number };
  swtpmDevices: { deviceId: string; deviceName: string; uri: string }[];
}): string {
  const swtpm =
    d.swtpmDevices.length === 0
      ? ''
      : `  Real TPMs    ${d.swtpmDevices.map((s) => `${s.deviceName} (${s.deviceId}) on ${s.uri}`).join('\n               ')}\n`;
  return `LAB tenant running: simulated devices, NOT a real Microsoft tenant.

  Graph        ${d.url}/v1.0 and ${d.url}/beta
  Tenant ID    ${d.tenantId}
  Client ID    ${d.clientId}
  Secret       in ${d.clientSecretFile} (readable only by you; deleted when the lab stops)
  Devices      ${d.devices} (seed ${d.seed}; the mix: ${d.url}/lab/info)
  Throttling   ${d.limits.requestsPerWindow} requests and ${d.limits.writesPerWindow} writes per ${d.limits.windowMs} ms per app (${d.url}/lab/stats)
${swtpm}
Point the fleet commands at it, in another shell:

  export AZURE_CLIENT_SECRET="$(cat ${d.clientSecretFile})"
  tpm-doctor fleet triage --graph-url ${d.url} --tenant-id ${d.tenantId} --client-id ${d.clientId}

Ctrl-C stops the lab.
`;
}

function integer(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`${flag} expects a whole number from ${min} to ${max}, got "${text}"`, 'lab');
  }
  return n;
}
