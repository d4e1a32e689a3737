/**
 * Start and stop throwaway swtpm (software TPM 2.0) processes on loopback.
 *
 * Used by the CLI's lab mode and by the test harness. Every process is spawned
 * directly (never `--daemon`), so we own its PID and only ever signal that PID.
 * swtpm_setup runs to completion through the one process runner (src/system/run-process.ts:
 * timeout over the whole tree, PID tracked), loaded only when a template is provisioned (it lives
 * in the bundle's `diagnose` chunk, which `--tpm lab:` does not otherwise need); swtpm itself is a server that lives until stopped,
 * so it is managed here: a graceful SIGTERM first (swtpm saves its state), SIGKILL after a grace
 * period, unref'd so that it never keeps the event loop alive, and killed at exit if forgotten.
 *
 * Port convention (our `swtpm://` URI): the TPM command (data) channel listens
 * on PORT and swtpm's control channel on PORT+1, both bound to 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, rmSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SWTPM_INSTALL_HINT = 'apt-get install swtpm swtpm-tools tpm2-tools';

export interface SwtpmOptions {
  /**
   * Run swtpm_setup first so the TPM has EK certificates (RSA-2048 at 0x01C00002, ECC at 0x01C00016)
   * and a platform certificate (0x01C08000) like a real PC. Default false (fast: a blank manufactured TPM).
   * Provisioning runs once per process (see {@link provisionedTemplate}); each instance gets a copy.
   */
  provision?: boolean;
  /**
   * Existing absolute state directory to reuse (e.g. a pre-provisioned template copied per test);
   * default: a fresh mkdtemp under os.tmpdir(). A directory passed here is never deleted by stop().
   * With `provision: true` the provisioned template is copied into it only if it holds no TPM state yet.
   */
  stateDir?: string;
  /**
   * Enable swtpm's log (swtpm --log file=...,level=N) for debugging; default none. The file is
   * {@link logFile} or swtpm.log in a private folder of its own under os.tmpdir() (mkdtemp: swtpm
   * opens the log by name, following links, so never a guessable shared path); it is kept after
   * stop(). Levels >= 5 make libtpms dump TPM command bytes, which include auth values: use only
   * with throwaway secrets.
   */
  logLevel?: number;
  /** Absolute path of the log file when {@link logLevel} is set. */
  logFile?: string;
  /** How long to wait for the data port to accept a connection; default 10000 ms. */
  readyTimeoutMs?: number;
}

export interface SwtpmInstance {
  readonly pid: number;
  readonly host: '127.0.0.1';
  /** Data (TPM command) port. */
  readonly port: number;
  /** Always port + 1 (our swtpm:// URI convention: control channel at PORT+1). */
  readonly controlPort: number;
  readonly stateDir: string;
  /** `swtpm://127.0.0.1:${port}` */
  readonly uri: string;
  /** For tpm2-tools (TPM2TOOLS_TCTI): `swtpm:host=127.0.0.1,port=${port}` */
  readonly tcti: string;
  /** The swtpm log file, when logging was requested. */
  readonly logFile: string | undefined;
  /** False once the process has exited (stop(), CMD_SHUTDOWN, crash). */
  readonly running: boolean;
  /**
   * Stop exactly this process (SIGTERM, then SIGKILL after a grace period), wait for exit,
   * remove the state dir if we created it. Idempotent.
   */
  stop(): Promise<void>;
}

export type SwtpmAvailability = { ok: true } | { ok: false; missing: string[]; howToInstall: string };

const HOST = '127.0.0.1' as const;
const STOP_GRACE_MS = 3_000;
const KILL_WAIT_MS = 5_000;
const SETUP_TIMEOUT_MS = 120_000;
const START_ATTEMPTS = 5;
const STDERR_KEEP = 8_192;

// ---------------------------------------------------------------------------
// Tool discovery

function findExecutable(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d.length > 0);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Whether swtpm and swtpm_setup (plus any `extraTools`, e.g. 'tpm2_getcap') are on PATH.
 * Never throws; callers must fail (not skip) with `howToInstall` when `ok` is false.
 */
export function swtpmAvailable(extraTools: readonly string[] = []): SwtpmAvailability {
  const wanted = ['swtpm', 'swtpm_setup', ...extraTools];
  const missing = wanted.filter((tool) => findExecutable(tool) === undefined);
  if (missing.length === 0) return { ok: true };
  return {
    ok: false,
    missing,
    howToInstall: `Missing ${missing.join(', ')}. Install them with: ${SWTPM_INSTALL_HINT}`,
  };
}

function assertAvailable(tools: readonly string[]): void {
  const missing = tools.filter((tool) => findExecutable(tool) === undefined);
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not found on PATH. Install them with: ${SWTPM_INSTALL_HINT}`);
  }
}

// ---------------------------------------------------------------------------
// Cleanup registry: processes and directories this module created.

const liveChildren = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
let hooksInstalled = false;

/** Set once the process runner is loaded: ends what it runs (swtpm_setup, with its whole tree). */
let endRunnerProcessesSync: (() => void) | undefined;

function cleanupSync(): void {
  endRunnerProcessesSync?.();
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  liveChildren.clear();
  for (const dir of ownedDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
  }
  ownedDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupSync();
  // If nobody else handles this signal, restore the default behaviour (terminate).
  process.removeListener(signal, onSignal);
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL our swtpm PIDs and remove our temp dirs.
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
}

async function makeTempDir(prefix: string): Promise<string> {
  installHooks();
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  ownedDirs.add(dir);
  return dir;
}

async function removeOwnedDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  ownedDirs.delete(dir);
}

// ---------------------------------------------------------------------------
// Provisioning (swtpm_setup), once per process

export interface ProvisionedTemplateInfo {
  /** TPM state directory written by swtpm_setup; copy it, never run swtpm on it directly. */
  readonly stateDir: string;
  /** Root CA certificate (PEM) of the private local CA that signed the EK and platform certificates. */
  readonly rootCaCertPath: string;
  /** Intermediate (issuer) certificate (PEM) that signed the EK and platform certificates. */
  readonly issuerCertPath: string;
  /** How long swtpm_setup took, ms. */
  readonly setupMs: number;
}

let templatePromise: Promise<ProvisionedTemplateInfo> | undefined;

/**
 * Provision a TPM once per process with swtpm_setup (EK certificates + platform certificate, NV locked)
 * and return the template. The local CA is private to this template (its own config files and key
 * directory under the template dir), so nothing under /etc or /var/lib/swtpm-localca is read or written
 * and it works for non-root users too. Removed at process exit.
 */
export function provisionedTemplateInfo(): Promise<ProvisionedTemplateInfo> {
  if (templatePromise === undefined) {
    templatePromise = provision().catch((err: unknown) => {
      templatePromise = undefined;
      throw err;
    });
  }
  return templatePromise;
}

/** Provision once per process and return the template's TPM state directory (see {@link provisionedTemplateInfo}). */
async function provisionedTemplate(): Promise<string> {
  return (await provisionedTemplateInfo()).stateDir;
}

async function provision(): Promise<ProvisionedTemplateInfo> {
  assertAvailable(['swtpm', 'swtpm_setup', 'swtpm_localca']);
  const root = await makeTempDir('tpm-doctor-swtpm-template-');
  const stateDir = path.join(root, 'state');
  const caDir = path.join(root, 'localca');
  await mkdir(stateDir, { mode: 0o700 });
  await mkdir(caDir, { mode: 0o700 });
  const localcaConf = path.join(root, 'swtpm-localca.conf');
  const localcaOptions = path.join(root, 'swtpm-localca.options');
  const setupConf = path.join(root, 'swtpm_setup.conf');
  await writeFile(
    localcaConf,
    [
      `statedir = ${caDir}`,
      `signingkey = ${path.join(caDir, 'signkey.pem')}`,
      `issuercert = ${path.join(caDir, 'issuercert.pem')}`,
      `certserial = ${path.join(caDir, 'certserial')}`,
      '',
    ].join('\n'),
  );
  // The same platform-certificate fields as Debian's /etc/swtpm-localca.options.
  await writeFile(
    localcaOptions,
    ['--platform-manufacturer Fedora', '--platform-version 2.1', '--platform-model QEMU', ''].join('\n'),
  );
  await writeFile(
    setupConf,
    [
      `create_certs_tool = ${findExecutable('swtpm_localca') ?? 'swtpm_localca'}`,
      `create_certs_tool_config = ${localcaConf}`,
      `create_certs_tool_options = ${localcaOptions}`,
      'active_pcr_banks = sha256',
      '',
    ].join('\n'),
  );
  const args = [
    '--tpm2',
    '--config',
    setupConf,
    '--tpmstate',
    stateDir,
    '--create-ek-cert',
    '--create-platform-cert',
    '--lock-nvram',
    '--overwrite',
  ];
  const [{ runProcess }, { endLiveProcessesSync }] = await Promise.all([
    import('../system/run-process.js'),
    import('../system/live-processes.js'),
  ]);
  endRunnerProcessesSync = endLiveProcessesSync;
  const started = Date.now();
  const result = await runProcess('swtpm_setup', args, { timeoutMs: SETUP_TIMEOUT_MS });
  const setupMs = Date.now() - started;
  if (result.exitCode !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    throw new Error(
      `swtpm_setup ${how} after ${setupMs} ms: swtpm_setup ${args.join(' ')}\n${(result.stderr + result.stdout).trim()}`,
    );
  }
  return {
    stateDir,
    rootCaCertPath: path.join(caDir, 'swtpm-localca-rootca-cert.pem'),
    issuerCertPath: path.join(caDir, 'issuercert.pem'),
    setupMs,
  };
}

// ---------------------------------------------------------------------------
// Ports

function listen(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(undefined);
      else reject(err);
    });
    server.listen({ port, host: HOST, exclusive: true }, () => resolve(server));
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A port P on 127.0.0.1 such that P and P+1 were both free a moment ago. */
export async function findFreePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await listen(0);
    if (first === undefined) continue;
    const address = first.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    if (port === 0 || port >= 65535) {
      await closeServer(first);
      continue;
    }
    const second = await listen(port + 1);
    await closeServer(first);
    if (second === undefined) continue;
    await closeServer(second);
    return port;
  }
  throw new Error('could not find two consecutive free TCP ports on 127.0.0.1');
}

// ---------------------------------------------------------------------------
// The instance

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function probeConnect(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      // swtpm serves one data client at a time: let go of the port at once.
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(false);
    });
  });
}

class SwtpmProcess implements SwtpmInstance {
  readonly host = HOST;
  readonly controlPort: number;
  readonly uri: string;
  readonly tcti: string;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly port: number,
    readonly stateDir: string,
    private readonly ownsStateDir: boolean,
    readonly logFile: string | undefined,
    private readonly exited: Promise<void>,
  ) {
    this.controlPort = port + 1;
    this.uri = `swtpm://${HOST}:${port}`;
    this.tcti = `swtpm:host=${HOST},port=${port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const graceful = await Promise.race([
        this.exited.then(() => true),
        sleep(STOP_GRACE_MS).then(() => false),
      ]);
      if (!graceful && this.running) {
        this.child.kill('SIGKILL');
        const killed = await Promise.race([
          this.exited.then(() => true),
          sleep(KILL_WAIT_MS).then(() => false),
        ]);
        if (!killed) throw new Error(`swtpm (pid ${this.pid}) did not exit after SIGKILL`);
      }
    }
    liveChildren.delete(this.child);
    if (this.ownsStateDir) await removeOwnedDir(this.stateDir);
  }
}

interface Launch {
  child: ChildProcess;
  pid: number;
  exited: Promise<void>;
  stderr: () => string;
  exitDescription: () => string;
}

function launch(args: string[]): Promise<Launch> {
  return new Promise((resolve, reject) => {
    const child = spawn('swtpm', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const keep = (d: string) => {
      stderr = (stderr + d).slice(-STDERR_KEEP);
    };
    child.stdout?.setEncoding('utf8').on('data', keep);
    child.stderr?.setEncoding('utf8').on('data', keep);
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    child.once('error', (err: NodeJS.ErrnoException) => {
      liveChildren.delete(child);
      if (err.code === 'ENOENT') {
        reject(new Error(`swtpm not found on PATH. Install it with: ${SWTPM_INSTALL_HINT}`));
      } else {
        reject(new Error(`could not start swtpm: ${err.message}`, { cause: err }));
      }
    });
    child.once('spawn', () => {
      if (child.pid === undefined) return;
      liveChildren.add(child);
      void exited.then(() => liveChildren.delete(child));
      // Do not keep the event loop alive for swtpm alone; the exit hook kills it if we forget.
      child.unref();
      resolve({
        child,
        pid: child.pid,
        exited,
        stderr: () => stderr.trim(),
        exitDescription: () =>
          child.signalCode !== null
            ? `was killed by ${child.signalCode}`
            : `exited with code ${child.exitCode}`,
      });
    });
  });
}

/** Start one swtpm on fresh loopback ports; resolves once its data port accepts connections. */
export async function startSwtpm(options: SwtpmOptions = {}): Promise<SwtpmInstance> {
  assertAvailable(options.provision ? ['swtpm', 'swtpm_setup', 'swtpm_localca'] : ['swtpm']);
  installHooks();

  let stateDir: string;
  let ownsStateDir: boolean;
  if (options.stateDir !== undefined) {
    if (!path.isAbsolute(options.stateDir)) {
      throw new Error(`stateDir must be an absolute path, got ${JSON.stringify(options.stateDir)}`);
    }
    stateDir = options.stateDir;
    ownsStateDir = false;
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
  } else {
    stateDir = await makeTempDir('tpm-doctor-swtpm-');
    ownsStateDir = true;
  }
  if (stateDir.includes(',')) {
    if (ownsStateDir) await removeOwnedDir(stateDir);
    throw new Error(`stateDir must not contain a comma (swtpm option syntax): ${stateDir}`);
  }

  try {
    if (options.provision) {
      const hasState = await stat(path.join(stateDir, 'tpm2-00.permall')).then(
        () => true,
        () => false,
      );
      if (!hasState) await cp(await provisionedTemplate(), stateDir, { recursive: true });
    }

    let logFile: string | undefined;
    if (options.logLevel !== undefined) {
      if (!Number.isInteger(options.logLevel) || options.logLevel < 0) {
        throw new Error(`logLevel must be a non-negative integer, got ${options.logLevel}`);
      }
      logFile =
        options.logFile ??
        path.join(await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-swtpm-log-')), 'swtpm.log');
      if (!path.isAbsolute(logFile) || logFile.includes(',')) {
        throw new Error(`logFile must be an absolute path without commas, got ${JSON.stringify(logFile)}`);
      }
    }

    const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      const port = await findFreePortPair();
      const args = [
        'socket',
        '--tpm2',
        '--server',
        `type=tcp,port=${port},bindaddr=${HOST}`,
        '--ctrl',
        `type=tcp,port=${port + 1},bindaddr=${HOST}`,
        '--tpmstate',
        `dir=${stateDir}`,
        '--flags',
        'not-need-init,startup-clear',
      ];
      if (logFile !== undefined) args.push('--log', `file=${logFile},level=${options.logLevel}`);

      const started = await launch(args);
      const deadline = Date.now() + readyTimeoutMs;
      let ready = false;
      while (Date.now() < deadline) {
        if (started.child.exitCode !== null || started.child.signalCode !== null) break;
        if (await probeConnect(port, Math.min(500, Math.max(1, deadline - Date.now())))) {
          ready = true;
          break;
        }
        await sleep(20);
      }
      const instance = new SwtpmProcess(
        started.child,
        started.pid,
        port,
        stateDir,
        ownsStateDir,
        logFile,
        started.exited,
      );
      if (ready && instance.running) return instance;

      if (instance.running) {
        // Alive but not accepting: stop exactly this PID and give up.
        started.child.kill('SIGKILL');
        await Promise.race([started.exited, sleep(KILL_WAIT_MS)]);
        liveChildren.delete(started.child);
        throw new Error(
          `swtpm (pid ${started.pid}) did not accept connections on ${HOST}:${port} within ${readyTimeoutMs} ms` +
            (started.stderr() ? `: ${started.stderr()}` : ''),
        );
      }
      await started.exited;
      const stderr = started.stderr();
      lastError = new Error(
        `swtpm ${started.exitDescription()} during start-up (ports ${port}/${port + 1}, state ${stateDir}): ` +
          (stderr || '(no output)'),
      );
      // Lost a race for the ports: try again with new ones. Anything else is fatal.
      if (!/address already in use/i.test(stderr)) throw lastError;
    }
    throw lastError ?? new Error('swtpm did not start');
  } catch (err) {
    if (ownsStateDir) await removeOwnedDir(stateDir);
    throw err;
  }
}
