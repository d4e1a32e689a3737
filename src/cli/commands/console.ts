import { lstatSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { ConsoleGraph } from '../../console/console-actions.js';
import type { RunningConsole } from '../../console/console-server.js';
import { LOOPBACK_HOSTS, type LoopbackHost } from '../../console/request-guard.js';
import { EXIT } from '../../exit-codes.js';
import type { FleetStore } from '../../fleet/store/fleet-store.js';
import { openFleetStore, resolveStoreLocation, STORE_ENV } from '../../fleet/store/open-store.js';
import { FleetStoreError } from '../../fleet/store/store-error.js';
import { LAB_LABEL } from '../../fleet/triage/report-sink.js';
import { writeFileAtomic } from '../../fs/atomic-write.js';
import { runCatalogDir } from '../../remedy/run-catalog.js';
import { browserEnvironment } from '../../system/browser-environment.js';
import { runProcess } from '../../system/run-process.js';
import type { Language } from '../../text/messages/language.js';
import { terminalSafe } from '../../text/terminal-safe.js';
import { parseVerbArgs } from '../args.js';
import { bulkBatchSize, defaultPollIntervalMs, detectionScript } from '../fleet/campaign-command.js';
import { CONNECTION_OPTIONS, type GraphConnection, openGraphConnection } from '../fleet/graph-connection.js';
import { resumeOptions } from '../fleet/resume-command-line.js';
import { printHelp } from '../help.js';
import { lockoutAuth } from '../lockout-auth.js';
import { type CommandSpec, HELP_OPTION, helpPage, type OptionTable } from '../option-table.js';
import { resumeTaskProgram } from '../resume-task-program.js';
import { resolveTpmTarget, type TpmTarget } from '../tpm-target.js';
import { UsageError } from '../usage-error.js';

const OPTIONS = {
  store: {
    type: 'string',
    value: 'SPEC',
    help: `The fleet store (default: fleet.sqlite in ~/.local/state/tpm-doctor,
/var/lib/tpm-doctor as root; sqlite:PATH or postgres://...; or
TPM_DOCTOR_STORE).`,
  },
  host: {
    type: 'string',
    value: 'ADDR',
    choices: LOOPBACK_HOSTS,
    help: '127.0.0.1 (default) or ::1; any other address is refused.',
  },
  port: { type: 'string', value: 'N', help: 'Port to listen on (default: a free one).' },
  tpm: {
    type: 'string',
    value: 'URI',
    help: `The TPM of the "this device" view (as for tpm-doctor status: default this
machine's; lab:SCENARIO,... a throwaway software TPM in a broken state).`,
  },
  'lockout-auth-file': {
    type: 'string',
    value: 'PATH',
    complete: 'file',
    help: `The lockout value for a "this device" clear with the lockout method (or
TPM_DOCTOR_LOCKOUT_AUTH), read at start; never asked of the browser.`,
  },
  open: {
    type: 'boolean',
    help: `Open the sign-in link in your default browser (through a file only you can
read, so the token never appears in a process list).`,
  },
  help: HELP_OPTION,
  ...CONNECTION_OPTIONS,
} as const satisfies OptionTable;

export const COMMAND: CommandSpec = {
  name: 'console',
  options: OPTIONS,
  page: {
    title: 'the fleet and its devices in your browser, served on loopback.',
    usage: `[--store SPEC] [--tenant lab | connection options]
[--host 127.0.0.1|::1] [--port N] [--open] [--tpm URI] [--lockout-auth-file PATH]
[--lang ja|en]`,
    about: `Shows the latest triage of the tenant (figures, devices with filters and search, one device's
facts and campaigns) from the store the fleet commands write. It listens on loopback only and
prints a sign-in link that works once: it gives your browser a session cookie, nothing else
can use the console. For another browser, type "link" and Enter in this terminal: a new one-time
link. The page speaks the language of --lang ja|en (as every command; default the locale).
Ctrl-C (or SIGTERM) stops it. Security model: docs/console.md.`,
    optionsTitle: 'Options:',
    footer: `Example (LAB):
  tpm-doctor fleet triage --tenant lab --quiet
  tpm-doctor console --tenant lab
  tpm-doctor console --tenant lab --lang ja
Exit codes: 0 stopped cleanly, 2 wrong command line or port in use, 13 no/refused credential,
15 store failed (docs/exit-codes.md).`,
  },
};

function portOf(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`--port expects a port number from 0 to 65535, got "${text}"`, 'console');
  }
  return Number(text);
}

function hostOf(text: string | undefined): LoopbackHost {
  if (text === undefined) return '127.0.0.1';
  const host = (LOOPBACK_HOSTS as readonly string[]).find((h) => h === text.replace(/^\[(.*)\]$/, '$1'));
  if (host === undefined) {
    throw new UsageError(
      `--host must be a loopback address, 127.0.0.1 or ::1 (the console is never served to the network), got "${text}"`,
      'console',
    );
  }
  return host as LoopbackHost;
}

/**
 * Where `npm run build` put the front end: dist/console, beside the launcher Node ran
 * (require.main is dist/tpm-doctor.cjs or dist/cli.cjs; Node resolves the link npm makes to it).
 */
function assetsDir(): string {
  const main = require.main?.filename;
  return path.join(main === undefined ? process.cwd() : path.dirname(main), 'console');
}

/**
 * Opens the sign-in link as Jupyter does: through a private file that redirects, so the token is
 * never in a command line another local user could read (ps). Returns the folder to remove.
 */
async function openInBrowser(url: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-console-'));
  const file = path.join(dir, 'sign-in.html');
  writeFileAtomic(
    file,
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${url}"><title>tpm-doctor console</title><a href="${url}">Sign in to the tpm-doctor console</a>\n`,
  );
  const [opener, args] =
    process.platform === 'win32'
      ? [path.join(process.env.SystemRoot ?? 'C:\\Windows', 'explorer.exe'), [file]]
      : process.platform === 'darwin'
        ? ['/usr/bin/open', [file]]
        : ['xdg-open', [file]];
  // The browser's process tree gets no secret of ours (the lockout value above all).
  const result = await runProcess(opener, args, {
    timeoutMs: 30_000,
    env: browserEnvironment(process.env),
  }).catch((e: Error) => ({
    exitCode: -1,
    stderr: e.message,
  }));
  // explorer.exe exits 1 even when it opened the file.
  if (result.exitCode !== 0 && process.platform !== 'win32') {
    process.stderr.write(
      `tpm-doctor console: could not open a browser (${terminalSafe(opener)}): open the link above yourself.\n`,
    );
  }
  return dir;
}

/**
 * The store the console shows, which a fleet triage or campaign wrote before. A named SQLite file
 * that is not there is refused, as for `fleet status` (a mistyped --store would leave an empty
 * database behind), with the command that makes it; a file that is there but is no fleet store
 * is refused as such, never as "a path where one can be created". Both stay exit 15.
 */
async function openConsoleStore(spec: string | undefined, lab: boolean): Promise<FleetStore> {
  const named = spec?.trim() || process.env[STORE_ENV]?.trim() || undefined;
  const location = resolveStoreLocation(spec);
  const file = location.kind === 'sqlite' ? location.file : undefined;
  const exists = file !== undefined && lstatSync(file, { throwIfNoEntry: false }) !== undefined;
  if (named !== undefined && file !== undefined && !exists) {
    throw new FleetStoreError(
      `no fleet store at ${file} yet. Run a triage into it first, with the console's connection options:\n` +
        `  tpm-doctor fleet triage --store ${shellWord(`sqlite:${file}`)} ${lab ? '--tenant lab' : 'CONNECTION-OPTIONS'}\n` +
        'then start the console again with the same --store. Or leave out --store: the default store is created for you.',
    );
  }
  try {
    return await openFleetStore(spec, { mustExist: true });
  } catch (e) {
    if (!(e instanceof FleetStoreError) || !exists) throw e;
    const cause = e.cause instanceof Error ? e.cause.message : e.message;
    throw new FleetStoreError(
      `${file} is not a fleet store tpm-doctor can read (${cause}); give --store the file a fleet triage or campaign wrote, or a new path after "tpm-doctor fleet triage --store sqlite:PATH"`,
      { cause: e },
    );
  }
}

/** A path as one word a POSIX shell reads back unchanged (quoted only when it needs it). */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * "link" typed in the console's terminal prints a new one-time sign-in link, for a second browser
 * without a restart (which would stop the campaigns running here). The terminal is where the first
 * link went, so a new link reaches only whoever holds it; a signed-in page cannot mint one
 * (docs/console.md, "Signing in"). Standard input does not keep the process alive.
 */
function newLinksOnRequest(running: RunningConsole): Interface {
  const lines = createInterface({ input: process.stdin, terminal: false });
  (process.stdin as { unref?: () => void }).unref?.();
  lines.on('line', (line) => {
    if (line.trim().toLowerCase() !== 'link') return;
    process.stdout.write(
      `\nNew sign-in link (it works once; an earlier link not used yet no longer works):\n\n    ${running.newSignInUrl()}\n\n`,
    );
  });
  lines.on('error', () => undefined);
  return lines;
}

/** What the console's campaigns and triages need of the connection, as the fleet commands use it. */
function consoleGraph(connection: GraphConnection, options: Record<string, string>): ConsoleGraph {
  return {
    intune: connection.intune,
    limits: connection.limits,
    target: connection.target,
    tenant: connection.tenant,
    isLab: connection.isLab,
    pollIntervalMs: defaultPollIntervalMs(connection.isLab),
    writeWindowWaitMs: (writes) => connection.graph.budgets.devices.waitMs({ requests: writes, writes }),
    writeBudget: connection.graph.budgets.devices,
    bulkBatchSize: bulkBatchSize(connection),
    requestStats: () => connection.graph.stats,
    detectionScript: () => detectionScript(undefined, 'console'),
    resumeOptions: options,
  };
}

/**
 * The first SIGINT or SIGTERM stops the console; its listeners stay until the console has closed
 * (`release`), so that a lab's own signal hook (src/lab/swtpm-process.ts: it ends its swtpm
 * children, then lets the signal take its default course when nobody else listens) does not end
 * the process before the campaigns running here are recorded as stopped and the store is closed.
 */
function stopSignal(): { stopped: Promise<NodeJS.Signals>; release(): void } {
  let done: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    done = resolve;
  });
  process.on('SIGINT', done);
  process.on('SIGTERM', done);
  return {
    stopped,
    release: () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
    },
  };
}

export async function run(argv: string[], language: Language = 'en'): Promise<number> {
  const { values } = parseVerbArgs('console', argv, OPTIONS);
  if (values.help) {
    printHelp(helpPage(COMMAND));
    return EXIT.OK;
  }
  const host = hostOf(values.host);
  const port = portOf(values.port);
  // Listen for the stop signals first: a Ctrl-C while the lab or the store is opening still ends
  // the console cleanly, after what was opened is closed.
  const signals = stopSignal();
  let store: FleetStore | undefined;
  let connection: GraphConnection | undefined;
  let running: RunningConsole | undefined;
  let openDir: string | undefined;
  let tpm: TpmTarget | undefined;
  let terminal: Interface | undefined;
  try {
    // Read before anything is opened: a file that cannot be read is a wrong command line.
    const lockoutValue = lockoutAuth(values['lockout-auth-file'], 'console');
    store = await openConsoleStore(values.store, values.tenant === 'lab');
    tpm = await resolveTpmTarget(values.tpm);
    connection = await openGraphConnection(values, 'console', { writeLog: store });
    const { startConsole } = await import('../../console/console-server.js');
    try {
      running = await startConsole({
        store,
        tenant: { identity: connection.tenant, lab: connection.isLab },
        graph: consoleGraph(connection, resumeOptions(values)),
        thisDevice: { uri: tpm.uri, lab: tpm.lab },
        // The "this device" clear's runs: the machine's runs folder, or a private one for a lab
        // TPM, which lives as long as this console (remedy/run-catalog.ts).
        thisDeviceClear: {
          journalDir: runCatalogDir(undefined, { lab: tpm.lab !== null }),
          stateDirFlag: undefined,
          lockoutAuth: lockoutValue,
          resumeTask: resumeTaskProgram,
        },
        language,
        host,
        port,
        assetsDir: assetsDir(),
        log: (line) => process.stderr.write(`${terminalSafe(line)}\n`),
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') {
        throw new UsageError(
          `cannot listen on ${host} port ${port} (${code === 'EADDRINUSE' ? 'in use' : 'not allowed'}): give another --port, or none for a free one`,
          'console',
        );
      }
      throw e;
    }
    process.stdout.write(
      `${connection.isLab ? `${LAB_LABEL}\n` : ''}tpm-doctor console for ${terminalSafe(connection.target)}\n` +
        `Store: ${terminalSafe(store.description)}\n\n` +
        'Sign in with this link (it works once; do not share it):\n\n' +
        `    ${running.signInUrl}\n\n` +
        'Another browser: type "link" and press Enter here for a new sign-in link.\n' +
        'Ctrl-C stops the console.\n',
    );
    terminal = newLinksOnRequest(running);
    if (values.open) openDir = await openInBrowser(running.signInUrl);
    await signals.stopped;
    process.stdout.write('Console stopped.\n');
    return EXIT.OK;
  } finally {
    terminal?.close();
    await running?.close();
    await connection?.close();
    await store?.close();
    await tpm?.release();
    if (openDir !== undefined) await rm(openDir, { recursive: true, force: true });
    signals.release();
  }
}
