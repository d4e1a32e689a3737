import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import { BATCH_MAX_REQUESTS, type GraphLimits, intuneServiceOf } from '../../fleet/graph/graph-limits.js';
import type { AuthorizeAnswer } from './delegated-sign-in.js';
import { GraphError, graphErrorBody } from './graph-error.js';
import {
  type GraphRequest,
  type GraphResponse,
  type GraphVersion,
  isWrite,
  type RouteContext,
  routeGraphRequest,
  throttleUnits,
} from './graph-routes.js';
import { Prng } from './prng.js';
import { type AppStats, AppThrottle } from './throttle.js';
import type { TokenIssuer } from './token-issuer.js';

/** How the lab misbehaves, like Graph does. */
interface LabFaults {
  /** Share of 429s sent without Retry-After (some Intune endpoints omit it: docs/graph-calls.md, throttling). */
  omitRetryAfterRate: number;
  /** Share of admitted requests answered 503 or 504 instead. */
  transientErrorRate: number;
  /** Added before every Graph answer, in ms. */
  latencyMs: number;
}

export interface LabStats {
  lab: true;
  limits: GraphLimits;
  /** Per app (the token's client id). */
  apps: Record<string, AppStats>;
}

export interface LabServerOptions {
  /** The simulated devices, the script catalog and their Graph views the routes answer from. */
  tenant: Pick<RouteContext, 'devices' | 'scripts' | 'views' | 'exports' | 'bulkActions'>;
  issuer: TokenIssuer;
  limits: GraphLimits;
  faults: LabFaults;
  pageSize: number;
  /** What GET /lab/info answers. */
  info: () => Record<string, unknown>;
  /**
   * Serve https with this key and certificate (PEM) instead of http: what a client that refuses
   * an http authority needs (MSAL, for the browser sign-in), with its CA in NODE_EXTRA_CA_CERTS.
   */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** Every response says it comes from the lab. */
const LAB_HEADER = 'x-tpm-doctor-lab';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const JSON_TYPE =
  'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';

/**
 * The lab tenant's HTTP front: the token endpoint, Graph under /v1.0 and /beta (each request
 * authenticated, throttled per app, sometimes failed transiently, then routed), $batch, and the
 * lab's own /lab/info and /lab/stats. Never logs: requests carry tokens and secrets.
 */
export class LabServer {
  readonly server: Server | ReturnType<typeof createTlsServer>;
  readonly #options: LabServerOptions;
  readonly #throttles = new Map<string, AppThrottle>();
  readonly #faultRng: Prng;
  readonly #closing = new AbortController();
  #baseUrl = '';

  constructor(options: LabServerOptions) {
    this.#options = options;
    this.#faultRng = Prng.forKey(options.tenant.devices.fleet.seed, 0xfa017);
    // Every request delayed by `latencyMs` listens on this signal: hundreds at once are expected.
    setMaxListeners(0, this.#closing.signal);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.#handle(req, res).catch((error: unknown) => {
        // A bug in the lab: answer like Graph's internal error, without echoing the request.
        if (!res.headersSent) {
          this.#send(res, 500, {}, graphErrorBody('InternalServerError', `LAB: ${(error as Error).message}`));
        } else res.destroy();
      });
    };
    this.server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
  }

  set baseUrl(url: string) {
    this.#baseUrl = url;
  }

  stats(): LabStats {
    const apps: Record<string, AppStats> = {};
    for (const [clientId, throttle] of this.#throttles) apps[clientId] = { ...throttle.stats };
    return { lab: true, limits: { ...this.#options.limits }, apps };
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://lab.invalid');
    const method = req.method ?? 'GET';
    const segments = url.pathname.split('/');
    if (url.pathname === '/lab/info' && method === 'GET')
      return this.#send(res, 200, {}, this.#options.info());
    if (url.pathname === '/lab/stats' && method === 'GET') return this.#send(res, 200, {}, this.stats());
    // A completed export's zip (call 18): no access token, as a storage URL signed on its own.
    if (segments.length === 4 && segments[1] === 'lab' && segments[2] === 'exports' && method === 'GET') {
      const zip = this.#options.tenant.exports.download(
        decodeURIComponent(segments[3]!),
        url.searchParams.get('sig'),
      );
      if (zip === undefined) {
        res
          .writeHead(403, { 'content-type': 'text/plain', [LAB_HEADER]: 'true' })
          .end('AuthenticationFailed');
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/zip',
        'content-length': zip.length,
        [LAB_HEADER]: 'true',
      });
      res.end(zip);
      return;
    }
    if (
      segments.length === 5 &&
      segments[2] === 'oauth2' &&
      segments[3] === 'v2.0' &&
      segments[4] === 'token'
    ) {
      return this.#token(req, res, decodeURIComponent(segments[1]!), method);
    }
    // The delegated sign-in (delegated-sign-in.ts): OpenID discovery, then the authorize page.
    if (
      segments.length === 5 &&
      segments[2] === 'v2.0' &&
      segments[3] === '.well-known' &&
      segments[4] === 'openid-configuration' &&
      method === 'GET'
    ) {
      return this.#send(res, 200, {}, this.#options.issuer.delegated.openIdConfiguration(this.#baseUrl));
    }
    if (
      segments.length === 5 &&
      segments[2] === 'oauth2' &&
      segments[3] === 'v2.0' &&
      segments[4] === 'authorize'
    ) {
      return this.#authorize(req, res, decodeURIComponent(segments[1]!), method, url.searchParams);
    }
    const version = segments[1];
    if (version !== 'v1.0' && version !== 'beta') {
      return this.#send(
        res,
        404,
        {},
        graphErrorBody('ResourceNotFound', `LAB: nothing is served at ${url.pathname}.`),
      );
    }
    const clientRequestId = header(req, 'client-request-id');
    const auth = this.#options.issuer.verify(header(req, 'authorization'));
    if (!auth.ok) {
      return this.#send(
        res,
        401,
        { 'www-authenticate': 'Bearer realm="", error="invalid_token"' },
        graphErrorBody('InvalidAuthenticationToken', auth.message, randomUUID(), clientRequestId),
        clientRequestId,
      );
    }
    const throttle = this.#throttle(auth.clientId);
    let body: unknown;
    try {
      body = await readJsonBody(req);
    } catch (e) {
      return this.#sendError(res, e, clientRequestId);
    }
    const path = `/${segments.slice(2).join('/')}`;
    if (path === '/$batch') {
      if (method !== 'POST')
        return this.#sendError(
          res,
          new GraphError(405, 'MethodNotAllowed', '$batch takes POST.'),
          clientRequestId,
        );
      return this.#batch(req, res, version, body, throttle, clientRequestId);
    }
    const answer = await this.#serve(throttle, {
      method,
      version,
      path,
      query: url.searchParams,
      headers: lowerHeaders(req),
      body,
    });
    this.#send(res, answer.status, answer.headers, answer.body, clientRequestId);
  }

  /** One Graph request, through the throttle, the fault injector and the router. */
  async #serve(throttle: AppThrottle, request: GraphRequest): Promise<GraphResponse> {
    const { faults, limits } = this.#options;
    const service = intuneServiceOf(request.path);
    const admission = throttle.admit(
      this.#options.tenant.devices.clock.now(),
      isWrite(request.method),
      service,
      throttleUnits(request),
    );
    if (faults.latencyMs > 0)
      await delay(faults.latencyMs, undefined, { signal: this.#closing.signal }).catch(() => {});
    if (!admission.ok) {
      const headers: Record<string, string> = {};
      if (this.#faultRng.chance(faults.omitRetryAfterRate)) throttle.stats.throttledWithoutRetryAfter++;
      else headers['retry-after'] = String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000)));
      return {
        status: 429,
        headers,
        body: graphErrorBody(
          'TooManyRequests',
          `Too many requests: more than ${isWrite(request.method) ? `${throttle.serviceLimits[service].writesPerWindow} writes or ` : ''}${throttle.serviceLimits[service].requestsPerWindow} requests per ${limits.windowMs} ms for this app in Intune's ${service} service.`,
        ),
      };
    }
    if (this.#faultRng.chance(faults.transientErrorRate)) {
      throttle.stats.transientErrors++;
      return this.#faultRng.chance(0.5)
        ? {
            status: 503,
            headers: {},
            body: graphErrorBody('ServiceUnavailable', 'LAB: injected transient error.'),
          }
        : {
            status: 504,
            headers: {},
            body: graphErrorBody('GatewayTimeout', 'LAB: injected transient error.'),
          };
    }
    try {
      return routeGraphRequest(
        { ...this.#options.tenant, baseUrl: this.#baseUrl, pageSize: this.#options.pageSize },
        request,
      );
    } catch (e) {
      if (!(e instanceof GraphError)) throw e;
      return { status: e.status, headers: { ...e.headers }, body: graphErrorBody(e.code, e.message) };
    }
  }

  /** JSON $batch (Graph "Combine multiple requests in one HTTP call"): each request served on its own. */
  async #batch(
    req: IncomingMessage,
    res: ServerResponse,
    version: GraphVersion,
    body: unknown,
    throttle: AppThrottle,
    clientRequestId: string | undefined,
  ): Promise<void> {
    let requests: { id: string; request: GraphRequest }[];
    try {
      requests = parseBatch(body, version, lowerHeaders(req));
    } catch (e) {
      return this.#sendError(res, e, clientRequestId);
    }
    const responses: { id: string; status: number; headers: Record<string, string>; body?: unknown }[] = [];
    // Graph runs a batch's requests in parallel (no dependsOn here): each is admitted in order (the
    // throttle is consulted before #serve's first await), and the latency is paid once, not once
    // per request. With no latency this is the same as serving them one after another.
    const answers = await Promise.all(requests.map(({ request }) => this.#serve(throttle, request)));
    for (const [index, { id }] of requests.entries()) {
      const answer = answers[index]!;
      responses.push({
        id,
        status: answer.status,
        headers:
          answer.body === undefined ? answer.headers : { 'content-type': JSON_TYPE, ...answer.headers },
        ...(answer.body === undefined ? {} : { body: answer.body }),
      });
    }
    // Graph returns batch responses in any order: clients must match them by id.
    for (let i = responses.length - 1; i > 0; i--) {
      const j = this.#faultRng.int(i + 1);
      [responses[i], responses[j]] = [responses[j]!, responses[i]!];
    }
    this.#send(res, 200, {}, { responses }, clientRequestId);
  }

  async #token(req: IncomingMessage, res: ServerResponse, tenant: string, method: string): Promise<void> {
    if (method !== 'POST')
      return this.#send(res, 405, {}, { error: 'invalid_request', error_description: 'POST only.' });
    const raw = await readBody(req).catch(() => null);
    const type = header(req, 'content-type') ?? '';
    if (raw === null || !type.startsWith('application/x-www-form-urlencoded')) {
      return this.#send(
        res,
        400,
        {},
        {
          error: 'invalid_request',
          error_description:
            'AADSTS900144: The request body must contain the following parameter: grant_type (form-encoded).',
          error_codes: [900144],
        },
      );
    }
    const result = this.#options.issuer.issue(
      tenant,
      new URLSearchParams(raw.toString('utf8')),
      this.#baseUrl,
    );
    if (result.ok) return this.#send(res, 200, { 'cache-control': 'no-store' }, result.body);
    this.#send(res, result.status, {}, result.body);
  }

  async #authorize(
    req: IncomingMessage,
    res: ServerResponse,
    tenant: string,
    method: string,
    query: URLSearchParams,
  ): Promise<void> {
    let answer: AuthorizeAnswer;
    if (method === 'GET') answer = this.#options.issuer.delegated.authorize(tenant, query);
    else if (method === 'POST') {
      const raw = await readBody(req).catch(() => null);
      answer = this.#options.issuer.delegated.decide(
        tenant,
        new URLSearchParams(raw?.toString('utf8') ?? ''),
      );
    } else {
      res.writeHead(405, { allow: 'GET, POST', [LAB_HEADER]: 'true' }).end();
      return;
    }
    const common = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', [LAB_HEADER]: 'true' };
    if (answer.kind === 'redirect') {
      res.writeHead(302, { ...common, location: answer.location }).end();
      return;
    }
    res
      .writeHead(answer.status, {
        ...common,
        'content-type': 'text/html; charset=utf-8',
        // No script, no frames; the form posts back here and its answer redirects to the app.
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      })
      .end(answer.html);
  }

  #throttle(clientId: string): AppThrottle {
    let throttle = this.#throttles.get(clientId);
    if (!throttle) {
      throttle = new AppThrottle(this.#options.limits);
      this.#throttles.set(clientId, throttle);
    }
    return throttle;
  }

  #sendError(res: ServerResponse, e: unknown, clientRequestId: string | undefined): void {
    if (!(e instanceof GraphError)) throw e;
    this.#send(
      res,
      e.status,
      { ...e.headers },
      graphErrorBody(e.code, e.message, randomUUID(), clientRequestId),
      clientRequestId,
    );
  }

  #send(
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: unknown,
    clientRequestId?: string,
  ): void {
    const requestId = randomUUID();
    res.setHeader(LAB_HEADER, 'true');
    res.setHeader('request-id', requestId);
    if (clientRequestId !== undefined) res.setHeader('client-request-id', clientRequestId);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.setHeader('content-type', JSON_TYPE);
    res.writeHead(status).end(JSON.stringify(body));
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new GraphError(413, 'RequestEntityTooLarge', `Request body over ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GraphError(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
}

/** Validates a $batch body: {"requests": [{"id", "method", "url", "headers"?, "body"?}, ...]}, 1 to 20 of them. */
function parseBatch(
  body: unknown,
  version: GraphVersion,
  outerHeaders: Record<string, string>,
): { id: string; request: GraphRequest }[] {
  const requests = (body as { requests?: unknown } | undefined)?.requests;
  if (typeof body !== 'object' || body === null || !Array.isArray(requests)) {
    throw new GraphError(400, 'BadRequest', 'Invalid batch payload: expected {"requests": [...]}.');
  }
  if (requests.length === 0 || requests.length > BATCH_MAX_REQUESTS) {
    throw new GraphError(
      400,
      'BadRequest',
      `Invalid batch payload: a batch holds 1 to ${BATCH_MAX_REQUESTS} requests, got ${requests.length}.`,
    );
  }
  const ids = new Set<string>();
  return requests.map((r: unknown, n) => {
    const item = r as Record<string, unknown> | null;
    const id = item?.id;
    const method = item?.method;
    const url = item?.url;
    if (typeof id !== 'string' || id === '' || typeof method !== 'string' || typeof url !== 'string') {
      throw new GraphError(
        400,
        'BadRequest',
        `Invalid batch payload: request ${n + 1} needs a string "id", "method" and "url".`,
      );
    }
    if (ids.has(id))
      throw new GraphError(400, 'BadRequest', `Invalid batch payload: duplicate request id '${id}'.`);
    ids.add(id);
    if (/^[a-z]+:/i.test(url)) {
      throw new GraphError(
        400,
        'BadRequest',
        `Invalid batch payload: request '${id}' url must be relative to /${version}, got an absolute URL.`,
      );
    }
    const parsed = new URL(url.startsWith('/') ? url : `/${url}`, 'http://lab.invalid');
    const innerHeaders: Record<string, string> = { 'user-agent': outerHeaders['user-agent'] ?? '' };
    const given = item?.headers;
    if (typeof given === 'object' && given !== null) {
      for (const [k, v] of Object.entries(given))
        if (typeof v === 'string') innerHeaders[k.toLowerCase()] = v;
    }
    return {
      id,
      request: {
        method: method.toUpperCase(),
        version,
        path: parsed.pathname,
        query: parsed.searchParams,
        headers: innerHeaders,
        body: item?.body,
      },
    };
  });
}
