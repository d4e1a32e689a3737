import { createCredential, type GraphAuthOptions } from '../../fleet/graph/credentials.js';
import { GraphClient, type GraphClientOptions } from '../../fleet/graph/graph-client.js';
import { GraphError } from '../../fleet/graph/graph-error.js';
import type { GraphEvent } from '../../fleet/graph/graph-events.js';
import { BATCH_MAX_REQUESTS, type GraphLimits, INTUNE_LIMITS } from '../../fleet/graph/graph-limits.js';
import type { IntuneApi } from '../../fleet/graph/intune-api.js';
import { IntuneClient } from '../../fleet/graph/intune-client.js';
import { LabCredential } from '../../fleet/graph/lab-credential.js';
import { ProxyConfigurationError, proxyEnvironment } from '../../fleet/graph/proxy-environment.js';
import { type FetchLike, proxyFetch } from '../../fleet/graph/proxy-fetch.js';
import { GRAPH_JSON_MAX_BYTES, readCappedText } from '../../fleet/graph/read-capped-body.js';
import { TenantIdentifyingCredential } from '../../fleet/graph/tenant-identifying-credential.js';
import { ENTRA_AUTHORITY_HOST } from '../../fleet/graph/token-credential.js';
import type { FleetStore } from '../../fleet/store/fleet-store.js';
import type { TenantIdentity } from '../../plan/tenant-pinning.js';
import { redactThenTruncate } from '../../snapshot/redact-secrets.js';
import { formatDuration } from '../../text/duration.js';
import { terminalSafeLines } from '../../text/terminal-safe.js';
import type { OptionGroup, OptionTable } from '../option-table.js';
import { UsageError } from '../usage-error.js';
import { GraphAuthError } from './graph-auth-error.js';

/**
 * The connection options every `fleet` sub-command shares, and how they become a Graph client.
 * Production: https://graph.microsoft.com with an @azure/identity credential. Lab: either a lab
 * tenant started here, in this process (`--tenant lab`), or one started with `tpm-doctor lab
 * tenant` (`--graph-url http://127.0.0.1:PORT`). Both paths use the same GraphClient and
 * IntuneClient; only the credential and the limits' time scale differ.
 */
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const PRODUCTION: OptionGroup = { title: 'Connection (production):' };
const LAB: OptionGroup = { title: 'Connection (LAB, simulated devices, no tenant needed):' };

/** The connection block of every command that talks to Graph: its options, help and groups. */
export const CONNECTION_OPTIONS = {
  'tenant-id': {
    type: 'string',
    value: 'ID',
    group: PRODUCTION,
    help: 'Entra ID tenant (or AZURE_TENANT_ID).',
  },
  'client-id': {
    type: 'string',
    value: 'ID',
    group: PRODUCTION,
    help: "App registration's client ID (or AZURE_CLIENT_ID).",
  },
  auth: {
    type: 'string',
    value: 'MODE',
    group: PRODUCTION,
    choices: ['client-secret', 'client-certificate', 'browser', 'device-code', 'managed-identity'],
    help: `client-secret (the secret in AZURE_CLIENT_SECRET; never a flag),
client-certificate (--certificate PEM or AZURE_CLIENT_CERTIFICATE_PATH),
browser (delegated: sign in in a browser on this machine, which comes
back to http://127.0.0.1; the URL is printed for when none opens),
device-code (delegated: sign in on another device), managed-identity.
Default: client-secret when AZURE_CLIENT_SECRET is set, client-certificate
when a certificate is given. Permissions per command: docs/graph-auth.md.`,
  },
  certificate: {
    type: 'string',
    value: 'PEM',
    group: PRODUCTION,
    complete: 'file',
    help: 'The certificate and private key of client-certificate (or AZURE_CLIENT_CERTIFICATE_PATH).',
  },
  'graph-url': {
    type: 'string',
    value: 'URL',
    group: PRODUCTION,
    help: `Graph's base URL (default https://graph.microsoft.com), or a lab started with
"tpm-doctor lab tenant" (loopback; AZURE_CLIENT_SECRET, --tenant-id and --client-id as it printed).`,
  },
  'graph-share': {
    type: 'string',
    value: 'F',
    group: PRODUCTION,
    help: `Use only this fraction (0 < F <= 1, default 1) of the app's Intune budgets
(per 20 s: 2,000 requests and 200 writes in the devices service, 1,000 and
100 in the device configuration service): give 0.5 to each of two tpm-doctor
processes running at once with the same app, or less when other apps are busy
in the tenant (all apps share twice those).`,
  },
  tenant: {
    type: 'string',
    value: 'lab',
    group: LAB,
    choices: ['lab'],
    help: 'Start a lab tenant inside this process (labelled LAB everywhere).',
  },
  'lab-devices': { type: 'string', value: 'N', group: LAB, help: 'Its device count (default 2000).' },
  'lab-seed': {
    type: 'string',
    value: 'N',
    group: LAB,
    help: 'Its seed (default 1): the same seed gives the same devices.',
  },
  'lab-window-ms': {
    type: 'string',
    value: 'N',
    group: LAB,
    help: 'Its throttling window (default 20000 as Intune; smaller runs faster).',
  },
  'lab-swtpm': {
    type: 'string',
    value: 'N',
    group: LAB,
    help: `Back N of its tpm-needs-clear devices with a real software TPM (swtpm),
so that a clear campaign really clears, proves and journals (default 0).`,
  },
  verbose: {
    type: 'boolean',
    short: 'v',
    group: LAB,
    help: 'Log each Graph call (method, path without query values, status) to stderr.',
  },
} as const satisfies OptionTable;

export interface GraphConnection {
  intune: IntuneApi;
  graph: GraphClient;
  limits: GraphLimits;
  /** For reports and the store: base URL and tenant, never a credential. */
  target: string;
  /** The tenant: `target` for display, and its own id learnt after sign-in (tenant pinning). */
  tenant: TenantIdentity;
  isLab: boolean;
  close(): Promise<void>;
}

type ConnectionValues = {
  [K in keyof typeof CONNECTION_OPTIONS]?: (typeof CONNECTION_OPTIONS)[K]['type'] extends 'boolean'
    ? boolean
    : string;
};

function positiveInt(value: string | undefined, flag: string, verb: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`${flag} expects a positive whole number, got "${value}"`, verb);
  }
  if (Number(value) > max) {
    throw new UsageError(`${flag} is at most ${max.toLocaleString('en-US')}, got ${value}`, verb);
  }
  return Number(value);
}

/** Entra ID's error descriptions are a few sentences with a trace and correlation id. */
const MAX_AUTH_ERROR_CHARS = 1000;

/** The in-process lab's bounds, as `tpm-doctor lab tenant` has them (src/lab/tenant/seed-fleet.ts). */
const MAX_LAB_DEVICES = 1_000_000;
const MAX_LAB_SEED = 0xffffffff;
/** A throttling window of an hour is already far longer than Intune's (docs/graph-calls.md). */
const MAX_LAB_WINDOW_MS = 3_600_000;
/** Each swtpm-backed device is a process: a few are a demo, hundreds a mistake. */
const MAX_LAB_SWTPM = 32;

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

function logEvent(event: GraphEvent): void {
  switch (event.type) {
    case 'response':
      process.stderr.write(
        `graph: ${event.method} ${event.path} -> ${event.status}${event.innerRequests ? ` (${event.innerRequests} in batch)` : ''}\n`,
      );
      break;
    case 'retry':
      process.stderr.write(
        `graph: retry ${event.retry} of ${event.method} ${event.path} in ${event.delayMs} ms: ${event.reason}\n`,
      );
      break;
    case 'throttled':
      process.stderr.write(`graph: throttled (${event.method} ${event.path}); pausing ${event.pauseMs} ms\n`);
      break;
    case 'batch-retry':
      process.stderr.write(
        `graph: retrying ${event.items} batch items in ${event.delayMs} ms: ${event.reason}\n`,
      );
      break;
    case 'token':
      process.stderr.write(`graph: token ${event.action}\n`);
      break;
  }
}

function graphShare(value: string | undefined, verb: string): number {
  if (value === undefined) return 1;
  const share = Number(value);
  if (!/^(?:0?\.\d+|1(?:\.0+)?)$/.test(value) || !(share > 0 && share <= 1)) {
    throw new UsageError(
      `--graph-share expects a fraction above 0 and at most 1 (e.g. 0.5), got "${value}"`,
      verb,
    );
  }
  return share;
}

/** A fraction of the limits, never below one full $batch and one write per window. */
function shareOf(limits: GraphLimits, share: number): GraphLimits {
  if (share === 1) return limits;
  return {
    windowMs: limits.windowMs,
    requestsPerWindow: Math.max(BATCH_MAX_REQUESTS, Math.floor(limits.requestsPerWindow * share)),
    writesPerWindow: Math.max(1, Math.floor(limits.writesPerWindow * share)),
  };
}

/**
 * Reads a lab's limits and its own tenant id (GET /lab/info); a real tenant has no such endpoint
 * and is never asked.
 */
async function labInfo(
  base: URL,
  send: FetchLike,
): Promise<{ limits: GraphLimits; tenantId: string | undefined }> {
  let response: Response;
  try {
    response = await send(new URL('/lab/info', base), { signal: AbortSignal.timeout(5_000) });
  } catch (e) {
    // Nothing listening, or no answer: Graph unreachable (exit 14), in one line.
    const cause = (e as { cause?: { code?: unknown } }).cause?.code;
    throw new GraphError({
      status: 0,
      code: 'NetworkError',
      message: `no answer from ${base.origin} (${typeof cause === 'string' ? cause : (e as Error).name})`,
      requestId: null,
      method: 'GET',
      path: '/lab/info',
    });
  }
  // A lab's answer is a few hundred bytes; anything past the Graph cap is not a lab.
  const info = (await readCappedText(response, GRAPH_JSON_MAX_BYTES)
    .then((text) => JSON.parse(text) as unknown)
    .catch(() => null)) as {
    lab?: unknown;
    limits?: Partial<GraphLimits>;
    tenantId?: unknown;
  } | null;
  const limits = info?.limits;
  if (!response.ok || info?.lab !== true || !limits || typeof limits.windowMs !== 'number') {
    throw new UsageError(
      `${base.origin} is not a tpm-doctor lab tenant (GET /lab/info did not answer as one)`,
      'fleet',
    );
  }
  return {
    limits: {
      windowMs: limits.windowMs,
      requestsPerWindow: Number(limits.requestsPerWindow),
      writesPerWindow: Number(limits.writesPerWindow),
    },
    tenantId: typeof info.tenantId === 'string' ? info.tenantId.toLowerCase() : undefined,
  };
}

/**
 * The key of an in-process lab (`--tenant lab`). Each command starts its own lab with a fresh
 * random tenant id, but the same --lab-devices and --lab-seed give the same seeded fleet, so that
 * is its identity: a triage and a later campaign with the same flags are of the same tenant.
 */
function inProcessLabKey(devices: number, seed: number): string {
  return `lab-in-process:devices=${devices}:seed=${seed}`;
}

/**
 * Which tenant a command acts on, for people to read (never a credential), known before
 * connecting: what reports print and campaigns and triage runs record beside the tenant's own key.
 * Before sign-in it is also what tenant pinning compares (src/plan/tenant-pinning.ts); it does not
 * identify a tenant on its own (with managed identity every tenant reads the same). An in-process
 * lab is named by its seed and size, not its (random) port.
 */
export function describeTarget(
  values: ConnectionValues,
  verb: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (values.tenant === 'lab') {
    const devices = positiveInt(values['lab-devices'], '--lab-devices', verb, MAX_LAB_DEVICES) ?? 2000;
    const seed = positiveInt(values['lab-seed'], '--lab-seed', verb, MAX_LAB_SEED) ?? 1;
    return `LAB tenant in-process (${devices} simulated devices, seed ${seed})`;
  }
  let base: URL;
  try {
    base = new URL(values['graph-url'] ?? 'https://graph.microsoft.com');
  } catch {
    throw new UsageError(
      `--graph-url expects a URL such as https://graph.microsoft.com, got "${values['graph-url']}"`,
      verb,
    );
  }
  if (isLoopback(base)) return `LAB tenant ${base.origin}`;
  const tenantId = values['tenant-id'] ?? values.tenant ?? env.AZURE_TENANT_ID;
  return `${base.origin} tenant ${tenantId ?? '(managed identity)'}`;
}

/**
 * Records every Graph write that leaves in `writeLog` (the command's store), under the tenant:
 * the next process's write budget counts it (docs/campaigns.md, "Writes of an earlier run").
 */
function writeRecorder(
  writeLog: Pick<FleetStore, 'recordGraphWrite'> | undefined,
  tenant: () => TenantIdentity,
): Pick<GraphClientOptions, 'recordWrite'> {
  if (writeLog === undefined) return {};
  return {
    recordWrite: ({ service, writes }) => {
      const { display, key } = tenant();
      return writeLog.recordGraphWrite({
        target: display,
        tenantKey: key,
        service,
        writes,
        sentAt: new Date().toISOString(),
      });
    },
  };
}

export async function openGraphConnection(
  values: ConnectionValues,
  verb: string,
  options: { env?: NodeJS.ProcessEnv; writeLog?: Pick<FleetStore, 'recordGraphWrite'> | undefined } = {},
): Promise<GraphConnection> {
  const env = options.env ?? process.env;
  const onEvent = values.verbose ? logEvent : undefined;
  const share = graphShare(values['graph-share'], verb);
  // Set once the tenant is known, before any Graph request: the records name it.
  let tenant: TenantIdentity | undefined;
  const recorder = writeRecorder(options.writeLog, () => {
    if (tenant === undefined) throw new Error('a Graph write before the tenant was known');
    return tenant;
  });
  // The token is for Graph's resource wherever Graph is served from: the lab, like Entra ID, issues
  // tokens for https://graph.microsoft.com/.default.
  const clientOptions = (limits: GraphLimits) => ({
    limits: shareOf(limits, share),
    scopes: [GRAPH_SCOPE],
    ...(onEvent ? { onEvent } : {}),
    ...recorder,
  });

  if (values.tenant === 'lab') {
    if (values['graph-url']) throw new UsageError('give either --tenant lab or --graph-url, not both', verb);
    // The in-process lab signs this process in by itself; an --auth would be silently ignored.
    // Its sign-in page needs https to be used by --auth browser (MSAL refuses an http authority).
    if (values.auth !== undefined) {
      throw new UsageError(
        `--tenant lab signs in by itself: drop --auth ${values.auth} (to try a sign-in against a lab, serve one with "tpm-doctor lab tenant" and give --graph-url)`,
        verb,
      );
    }
    const { startLabTenant } = await import('../../lab/tenant/index.js');
    const devices = positiveInt(values['lab-devices'], '--lab-devices', verb, MAX_LAB_DEVICES) ?? 2000;
    const seed = positiveInt(values['lab-seed'], '--lab-seed', verb, MAX_LAB_SEED) ?? 1;
    const windowMs = positiveInt(values['lab-window-ms'], '--lab-window-ms', verb, MAX_LAB_WINDOW_MS);
    const swtpmDevices =
      values['lab-swtpm'] === '0'
        ? 0
        : (positiveInt(values['lab-swtpm'], '--lab-swtpm', verb, MAX_LAB_SWTPM) ?? 0);
    // Each command starts its own lab: seeding from the start of the hour gives consecutive
    // commands (a triage, then a campaign) the same fleet, so baselines carry over.
    const seededAt = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const lab = await startLabTenant({
      seededAt,
      devices,
      seed,
      ...(windowMs ? { windowMs } : {}),
      ...(swtpmDevices > 0 ? { swtpmDevices } : {}),
    });
    const credential = new LabCredential({
      labUrl: lab.url,
      tenantId: lab.tenantId,
      clientId: lab.clientId,
      clientSecret: lab.clientSecret,
    });
    const graph = new GraphClient({ credential, baseUrl: lab.url, ...clientOptions(lab.limits) });
    const target = describeTarget(values, verb, env);
    tenant = { display: target, key: inProcessLabKey(devices, seed) };
    return {
      intune: new IntuneClient(graph),
      graph,
      limits: shareOf(lab.limits, share),
      target,
      tenant,
      isLab: true,
      close: () => lab.close(),
    };
  }

  // Every request to Graph and to the lab's token endpoint honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY
  // (proxy-environment.ts; the in-process lab above is this process, never proxied). A variable
  // that is set but unusable stops the command before anything is sent.
  let send: FetchLike;
  try {
    send = proxyFetch(proxyEnvironment(env));
  } catch (e) {
    if (e instanceof ProxyConfigurationError) throw new UsageError(e.message, verb);
    throw e;
  }
  const tenantId = values['tenant-id'] ?? values.tenant ?? env.AZURE_TENANT_ID;
  const clientId = values['client-id'] ?? env.AZURE_CLIENT_ID;
  let base: URL;
  try {
    base = new URL(values['graph-url'] ?? 'https://graph.microsoft.com');
  } catch {
    throw new UsageError(
      `--graph-url expects a URL such as https://graph.microsoft.com, got "${values['graph-url']}"`,
      verb,
    );
  }
  const lab = isLoopback(base);
  if (!lab && base.protocol !== 'https:') {
    throw new UsageError(`--graph-url must be https (or a loopback lab tenant), got "${base.href}"`, verb);
  }
  const certificatePath = values.certificate ?? env.AZURE_CLIENT_CERTIFICATE_PATH;
  const mode =
    values.auth ??
    (lab
      ? 'lab'
      : env.AZURE_CLIENT_SECRET
        ? 'client-secret'
        : certificatePath
          ? 'client-certificate'
          : undefined);
  if (mode === undefined) {
    throw new GraphAuthError(
      'no credential for Microsoft Graph: set AZURE_CLIENT_SECRET (with --tenant-id and --client-id), give ' +
        '--auth client-certificate --certificate PEM, --auth browser, --auth device-code, or --auth managed-identity ' +
        '(docs/graph-auth.md); or try the lab: --tenant lab',
    );
  }
  const need = (value: string | undefined, what: string): string => {
    if (!value) throw new GraphAuthError(`--auth ${mode} needs ${what}`);
    return value;
  };
  // The app registration every Entra ID mode but managed identity signs in as.
  const app = () => ({
    tenantId: need(tenantId, '--tenant-id or AZURE_TENANT_ID'),
    clientId: need(clientId, '--client-id or AZURE_CLIENT_ID'),
  });
  let auth: GraphAuthOptions;
  switch (mode) {
    case 'lab':
      if (!lab) throw new UsageError('--auth lab is only for a lab tenant on loopback', verb);
      auth = {
        mode: 'lab',
        labUrl: base.origin,
        tenantId: need(tenantId, '--tenant-id (as "tpm-doctor lab tenant" printed it)'),
        clientId: need(clientId, '--client-id (as "tpm-doctor lab tenant" printed it)'),
        fetch: send,
      };
      break;
    case 'client-secret':
      auth = { mode, ...app() };
      break;
    case 'client-certificate':
      auth = {
        mode,
        ...app(),
        certificatePath: need(certificatePath, '--certificate PEM or AZURE_CLIENT_CERTIFICATE_PATH'),
      };
      break;
    case 'browser': {
      // The lab is its own authority; a national cloud is named as @azure/identity reads it.
      const authorityHost = lab ? base.origin : (env.AZURE_AUTHORITY_HOST ?? ENTRA_AUTHORITY_HOST);
      if (!authorityHost.startsWith('https://')) {
        throw new GraphAuthError(
          `--auth browser needs an https sign-in authority (MSAL refuses http), got ${lab ? `the lab ${base.origin}` : `AZURE_AUTHORITY_HOST=${authorityHost}`}`,
        );
      }
      auth = {
        mode,
        ...app(),
        authorityHost,
        fetch: send,
        onPrompt: ({ url, opened, redirectUri, timeoutMs }) =>
          process.stderr.write(
            `${terminalSafeLines(
              `${opened ? 'Sign in in the browser that opened; if it did not, open' : 'Open'} this URL in a browser on this machine:\n` +
                `${url}\nWaiting up to ${formatDuration(timeoutMs / 1000)} for the browser to come back to ${redirectUri} ...`,
            )}\n`,
          ),
      };
      break;
    }
    case 'device-code':
      auth = {
        mode,
        ...app(),
        onPrompt: (message) => process.stderr.write(`${terminalSafeLines(message)}\n`),
      };
      break;
    case 'managed-identity':
      auth = clientId ? { mode, clientId } : { mode };
      break;
    default:
      throw new UsageError(
        `--auth expects client-secret, client-certificate, browser, device-code or managed-identity, got "${mode}"`,
        verb,
      );
  }
  let signedIn: Awaited<ReturnType<typeof createCredential>>;
  try {
    signedIn = await createCredential(auth, env);
  } catch (e) {
    throw new GraphAuthError(redactThenTruncate((e as Error).message, MAX_AUTH_ERROR_CHARS), { cause: e });
  }
  const info = lab ? await labInfo(base, send) : undefined;
  const limits = info?.limits ?? INTUNE_LIMITS;
  // A national cloud (graph.microsoft.us, ...) issues tokens for its own origin.
  const scopes = lab ? [GRAPH_SCOPE] : [`${base.origin}/.default`];
  // The tenant's own id: the lab says it (and only its own id signs in); Entra ID puts it in the
  // token (`tid`), so a real tenant is signed in to now, and that token serves the first request.
  let credential: typeof signedIn = signedIn;
  let tenantKey = info?.tenantId;
  if (!lab) {
    const identifying = new TenantIdentifyingCredential(signedIn);
    try {
      tenantKey = await identifying.signIn(scopes);
    } catch (e) {
      // The identity library quotes the token endpoint's answer: secrets out first, then bounded.
      throw new GraphAuthError(
        `could not get an access token: ${redactThenTruncate((e as Error).message, MAX_AUTH_ERROR_CHARS)}`,
        { cause: e },
      );
    }
    credential = identifying;
  }
  const graph = new GraphClient({
    credential,
    baseUrl: base.href,
    ...clientOptions(limits),
    scopes,
    fetch: send,
  });
  const target = describeTarget(values, verb, env);
  tenant = { display: target, key: tenantKey };
  return {
    intune: new IntuneClient(graph),
    graph,
    limits: shareOf(limits, share),
    target,
    tenant,
    isLab: lab,
    close: async () => undefined,
  };
}
