import { randomUUID } from 'node:crypto';
import { redactKnown, redactThenTruncate } from '../../snapshot/redact-secrets.js';
import { AccessTokenCache } from './access-token-cache.js';
import { type Clock, systemClock } from './clock.js';
import { AmbiguousWriteError, describeRequestPath, GraphError } from './graph-error.js';
import { emptyGraphStats, type GraphEvent, type GraphStats } from './graph-events.js';
import {
  BATCH_MAX_REQUESTS,
  type GraphLimits,
  INTUNE_LIMITS,
  type IntuneService,
  intuneServiceOf,
  serviceLimits,
} from './graph-limits.js';
import { type FetchLike, PROXY_CONNECT_REFUSED } from './proxy-fetch.js';
import { BodyTooLargeError, GRAPH_JSON_MAX_BYTES, readCappedText } from './read-capped-body.js';
import { expectObject, expectPage, isJsonObject, ResponseShapeError } from './response-shape.js';
import { type AttemptOutcome, parseRetryAfter, RetryPolicy } from './retry-policy.js';
import { type BudgetCost, ThrottleBudget } from './throttle-budget.js';
import type { TokenCredential } from './token-credential.js';

export type GraphVersion = 'v1.0' | 'beta';
export type GraphMethod = 'GET' | 'POST';

const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';
/** The BitLocker recovery key API refuses requests without a User-Agent (docs/graph-calls.md). */
const DEFAULT_USER_AGENT = 'tpm-doctor/0.1.0';

export interface GraphClientOptions {
  credential: TokenCredential;
  /** Origin Graph is served from; the lab tenant serves v1.0 and beta under its loopback address. */
  baseUrl?: string;
  /** Default: `{origin of baseUrl}/.default` (https://graph.microsoft.com/.default for Graph). */
  scopes?: string[];
  /**
   * The devices service's limits (default INTUNE_LIMITS); the other Intune services' follow in
   * their published proportion (graph-limits.ts serviceLimits). Ignored when `budget` is given.
   */
  limits?: GraphLimits;
  /**
   * Share the budgets between clients that act as the same app in the same tenant: `budget` is the
   * devices service's, `budgets` any service's (a service not given gets its own).
   */
  budget?: ThrottleBudget;
  budgets?: Partial<Record<IntuneService, ThrottleBudget>>;
  /** Per attempt, headers and body together. Default 30 s. */
  timeoutMs?: number;
  /** The largest JSON answer read (read-capped-body.ts); default GRAPH_JSON_MAX_BYTES, 64 MiB. */
  maxResponseBytes?: number;
  /**
   * How requests are sent: the global fetch by default; the fleet commands give the one that
   * honours the proxy environment variables (proxy-fetch.ts).
   */
  fetch?: FetchLike;
  /** Default 5. */
  maxRetries?: number;
  /** Backoff when Retry-After is missing: first cap and ceiling (defaults 1 s and 60 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  userAgent?: string;
  onEvent?: (event: GraphEvent) => void;
  /**
   * Awaited before every attempt of a request that costs writes leaves (after the budget admitted
   * it): the fleet commands record it in the store, so that the next process counts it in its
   * write budget (docs/campaigns.md, "Writes of an earlier run"). If it throws, nothing is sent.
   * Not called for a POST with `beforeSend`: its caller records it there (a campaign marks its
   * devices `posting`, and the store lists those times), so it is neither written nor counted twice.
   */
  recordWrite?: (write: { service: IntuneService; writes: number }) => Promise<void>;
  /** $batch envelopes of one `batch()` call in flight at once. Default 4. */
  batchConcurrency?: number;
  /** Injectable for tests: the clock for backoff sleeps and the budget, and the jitter source. */
  clock?: Clock;
  random?: () => number;
  safetyMarginMs?: number;
}

/** What `GraphClient.get` takes besides the version and path. */
export interface GraphGetOptions<T> {
  /** Checks the body's shape (throw ResponseShapeError) and types it. Default: the body as is. */
  parse?: (body: unknown) => T;
  signal?: AbortSignal;
}

/** What `GraphClient.post` takes besides the version and path. */
export interface GraphPostOptions<T> {
  /** Sent as JSON; none by default (actions such as syncDevice take no body). */
  body?: unknown;
  /** Checks a non-empty answer's shape and types it. Default: the body as is. */
  parse?: (body: unknown) => T;
  signal?: AbortSignal;
  /**
   * Awaited once the budget admits the POST, just before it goes out; if it throws, nothing is
   * sent (a campaign records "posting" here).
   */
  beforeSend?: () => Promise<void>;
  /**
   * The body, computed after `beforeSend` and sent instead of `body` (a bulk action sends only the
   * devices the campaign could mark "posting"), also by a retry after a 429.
   */
  bodyAtSend?: () => unknown;
  /**
   * What the POST costs against its service's budget (default one request, one write). A bulk
   * action whose counting Microsoft does not publish is paced as one write per device it names.
   */
  cost?: BudgetCost;
  /**
   * True for a POST whose repetition changes nothing that matters (creating a report export job:
   * a second job is only another copy of the report): resent after a network error, as a GET is.
   */
  resendable?: boolean;
}

/** One request inside `batch()`. `url` is relative to the version, starting with '/'. */
export interface BatchRequest {
  /** The caller's key for this request; results come back under it. Unique within one call. */
  key: string;
  method: GraphMethod;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A request's final answer inside a $batch (after retries of 429/503 items). */
export interface BatchItemResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface SendSpec<T> {
  method: GraphMethod;
  url: URL;
  /** The Intune service whose budget the request costs; default: from the URL's path. */
  service?: IntuneService;
  body?: unknown;
  cost: BudgetCost;
  /** True for GETs and for $batch envelopes holding only GETs: safe to send twice. */
  idempotent: boolean;
  parse: (body: unknown) => T;
  innerRequests: number;
  signal: AbortSignal | undefined;
  /**
   * Awaited once the budget admits the request and just before its first attempt goes out; if it
   * throws, nothing is sent. A campaign records "posting" here, so a crash can leave in doubt only
   * requests that were really about to leave, never ones still waiting for the budget.
   */
  beforeSend?: (() => Promise<void>) | undefined;
  /** Computed once, after `beforeSend`: the body sent from then on (GraphPostOptions.bodyAtSend). */
  bodyAtSend?: (() => unknown) | undefined;
}

/** The Intune service of a Graph URL: its path after the version segment. */
function serviceOfUrl(url: URL): IntuneService {
  const match = /\/(?:v1\.0|beta)(\/.*)$/.exec(url.pathname);
  return intuneServiceOf(match?.[1] ?? url.pathname);
}

type Attempt =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'timeout' }
  | { kind: 'network'; sent: boolean; detail: string; status?: number; headers?: Headers }
  /** The body went past the cap; reading stopped there. */
  | { kind: 'oversized'; status: number; headers: Headers };

/** Error codes of a connection that failed before any byte of the request left (safe to resend). */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // The proxy refused the tunnel to Graph: nothing reached Graph.
  PROXY_CONNECT_REFUSED,
]);

/**
 * Microsoft Graph over fetch: auth (a cached token, refreshed once on 401
 * InvalidAuthenticationToken), pacing (ThrottleBudget, per the Intune limits), retries
 * (RetryPolicy), OData paging and JSON $batch. Every request carries Authorization, User-Agent and
 * a fresh client-request-id (Graph: "client-request-id ... a GUID generated by the client").
 * Every body is checked before it is used; a malformed one is a GraphError saying what was
 * expected, with the request-id. The token never reaches an error, an event or the stats.
 */
export class GraphClient {
  readonly baseUrl: URL;
  /** The devices service's budget (most calls: docs/graph-calls.md). */
  readonly budget: ThrottleBudget;
  /** One budget per Intune service: each service throttles its own requests. */
  readonly budgets: Readonly<Record<IntuneService, ThrottleBudget>>;
  private readonly tokens: AccessTokenCache;
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly httpFetch: FetchLike;
  private readonly userAgent: string;
  private readonly onEvent: (event: GraphEvent) => void;
  private readonly recordWrite: GraphClientOptions['recordWrite'];
  private readonly batchConcurrency: number;
  private readonly counters: GraphStats = emptyGraphStats();

  constructor(options: GraphClientOptions) {
    this.baseUrl = new URL(options.baseUrl ?? DEFAULT_GRAPH_BASE_URL);
    this.clock = options.clock ?? systemClock;
    const scopes = options.scopes ?? [`${this.baseUrl.origin}/.default`];
    this.tokens = new AccessTokenCache(options.credential, scopes);
    const budgetOptions = {
      clock: this.clock,
      ...(options.safetyMarginMs !== undefined ? { safetyMarginMs: options.safetyMarginMs } : {}),
    };
    const devices =
      options.budgets?.devices ??
      options.budget ??
      new ThrottleBudget(options.limits ?? INTUNE_LIMITS, budgetOptions);
    const limits = serviceLimits(devices.limits);
    this.budget = devices;
    this.budgets = Object.freeze({
      devices,
      deviceConfiguration:
        options.budgets?.deviceConfiguration ?? new ThrottleBudget(limits.deviceConfiguration, budgetOptions),
    });
    this.policy = new RetryPolicy({
      maxRetries: options.maxRetries ?? 5,
      baseDelayMs: options.backoffBaseMs ?? 1_000,
      maxDelayMs: options.backoffMaxMs ?? 60_000,
      ...(options.random ? { random: options.random } : {}),
    });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? GRAPH_JSON_MAX_BYTES;
    this.recordWrite = options.recordWrite;
    this.httpFetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.onEvent = options.onEvent ?? (() => undefined);
    this.batchConcurrency = Math.max(1, options.batchConcurrency ?? 4);
  }

  /** A copy of the counters. */
  get stats(): GraphStats {
    return { ...this.counters, byMethod: { ...this.counters.byMethod } };
  }

  /** `{baseUrl}/{version}{path}`; `path` starts with '/' and may carry a query. */
  url(version: GraphVersion, path: string): URL {
    if (!path.startsWith('/')) throw new RangeError(`a Graph path starts with '/', got '${path}'`);
    const base = this.baseUrl.href.replace(/\/+$/, '');
    return new URL(`${base}/${version}${path}`);
  }

  /** GET a JSON body; `parse` (default: none) checks its shape (throw ResponseShapeError) and types it. */
  get<T = unknown>(version: GraphVersion, path: string, options: GraphGetOptions<T> = {}): Promise<T> {
    return this.send({
      method: 'GET',
      url: this.url(version, path),
      cost: { requests: 1, writes: 0 },
      idempotent: true,
      parse: options.parse ?? ((body) => body as T),
      innerRequests: 0,
      signal: options.signal,
    });
  }

  /**
   * POST (a write: it counts against the writes budget). Retried only on 429/503; a timeout or
   * 500/502/504 throws AmbiguousWriteError. Resolves with the parsed body, or undefined on 204.
   */
  post<T = unknown>(
    version: GraphVersion,
    path: string,
    options: GraphPostOptions<T> = {},
  ): Promise<T | undefined> {
    const parse = options.parse ?? ((value: unknown) => value as T);
    return this.send({
      method: 'POST',
      url: this.url(version, path),
      body: options.body,
      cost: options.cost ?? { requests: 1, writes: 1 },
      idempotent: options.resendable === true,
      parse: (value) => (value === undefined ? undefined : parse(value)),
      innerRequests: 0,
      signal: options.signal,
      beforeSend: options.beforeSend,
      bodyAtSend: options.bodyAtSend,
    });
  }

  /**
   * Downloads a file Graph pointed to (a report export's `url`: a storage URL that carries its own
   * signature). The access token is never sent with it: the URL is not Graph's. Only https, or the
   * lab's own loopback origin; no redirect followed; at most `maxBytes`. Not paced: not Graph.
   */
  async download(url: string, options: { maxBytes: number; signal?: AbortSignal }): Promise<Buffer> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw this.downloadError(url, 'the download URL is not a URL');
    }
    const labOrigin = this.baseUrl.protocol === 'http:' && target.origin === this.baseUrl.origin;
    if (target.protocol !== 'https:' && !labOrigin) {
      throw this.downloadError(url, `refusing a ${target.protocol} download URL (https only)`);
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.httpFetch(target, { signal, redirect: 'error' });
    } catch (error) {
      options.signal?.throwIfAborted();
      throw this.downloadError(
        url,
        timeout.aborted ? `no answer within ${this.timeoutMs} ms` : causeCode(error) || 'connection failed',
      );
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw this.downloadError(url, `HTTP ${response.status}`, response.status);
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > options.maxBytes) {
      await response.body?.cancel();
      throw this.downloadError(url, `${declared} bytes, more than the ${options.maxBytes} allowed`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body ?? []) {
        total += chunk.byteLength;
        if (total > options.maxBytes) throw new RangeError(`more than the ${options.maxBytes} bytes allowed`);
        chunks.push(Buffer.from(chunk));
      }
    } catch (error) {
      options.signal?.throwIfAborted();
      throw this.downloadError(
        url,
        error instanceof RangeError
          ? error.message
          : `the download was cut off (${causeCode(error) || 'connection closed'})`,
      );
    }
    return Buffer.concat(chunks);
  }

  private downloadError(url: string, message: string, status = 0): GraphError {
    // The URL's query is its signature (a shared access signature): never shown.
    let where = '(download)';
    try {
      const parsed = new URL(url);
      where = `${parsed.origin}${parsed.pathname}`;
    } catch {
      // not a URL: described by the message
    }
    return new GraphError({
      status,
      code: 'DownloadFailed',
      message: scrub(message, ''),
      requestId: null,
      method: 'GET',
      path: where,
    });
  }

  /** Pages of an OData collection, following @odata.nextLink; each item checked by `parseItem`. */
  pages<T>(
    version: GraphVersion,
    path: string,
    parseItem: (item: unknown) => T,
    signal?: AbortSignal,
  ): AsyncGenerator<T[]> {
    return this.pagesFrom(this.url(version, path), parseItem, signal);
  }

  /**
   * Continues a collection from a nextLink found elsewhere (inside a $batch answer). The link
   * must be an absolute URL on the same origin as baseUrl: we send our token with it.
   */
  continuePages<T>(
    nextLink: string,
    parseItem: (item: unknown) => T,
    signal?: AbortSignal,
  ): AsyncGenerator<T[]> {
    return this.pagesFrom(this.checkNextLink(nextLink, 'GET', '(nextLink)'), parseItem, signal);
  }

  private async *pagesFrom<T>(
    first: URL,
    parseItem: (item: unknown) => T,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<T[]> {
    let next: URL | undefined = first;
    while (next) {
      const url: URL = next;
      const page = await this.send({
        method: 'GET',
        url,
        cost: { requests: 1, writes: 0 },
        idempotent: true,
        parse: (body) => {
          const { value, nextLink } = expectPage(body);
          return { items: value.map(parseItem), nextLink };
        },
        innerRequests: 0,
        signal,
      });
      // The page's items are good whatever its nextLink says: hand them over before judging the link.
      yield page.items;
      next =
        page.nextLink === undefined
          ? undefined
          : this.checkNextLink(page.nextLink, 'GET', describeRequestPath(url));
    }
  }

  /**
   * Sends `requests` as JSON $batch envelopes of up to 20 (BATCH_MAX_REQUESTS), each costing its
   * inner requests against the budget. Items answered 429 or 503 (and, for GETs, 500/502/504)
   * are sent again in a later envelope after their Retry-After (the largest in the envelope) or
   * a backoff, up to maxRetries rounds; a 429 pauses the whole budget. Resolves with every
   * request's final answer under its key, in input order.
   */
  async batch(
    version: GraphVersion,
    requests: readonly BatchRequest[],
    signal?: AbortSignal,
  ): Promise<Map<string, BatchItemResult>> {
    const keys = new Set<string>();
    for (const request of requests) {
      if (keys.has(request.key)) throw new RangeError(`duplicate batch key '${request.key}'`);
      if (!request.url.startsWith('/'))
        throw new RangeError(`a batch URL starts with '/', got '${request.url}'`);
      keys.add(request.key);
    }
    const answers = new Map<string, BatchItemResult>();
    // Each envelope holds one Intune service's requests, so that it costs that service's budget.
    const byService = new Map<IntuneService, BatchRequest[]>();
    for (const request of requests) {
      const service = intuneServiceOf(request.url);
      byService.set(service, [...(byService.get(service) ?? []), request]);
    }
    const chunks: BatchRequest[][] = [];
    for (const group of byService.values()) {
      for (let i = 0; i < group.length; i += BATCH_MAX_REQUESTS) {
        chunks.push(group.slice(i, i + BATCH_MAX_REQUESTS));
      }
    }
    let nextChunk = 0;
    const worker = async () => {
      while (nextChunk < chunks.length) {
        const chunk = chunks[nextChunk++];
        if (chunk) await this.runBatchEnvelope(version, chunk, answers, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.batchConcurrency, chunks.length) }, worker));
    const ordered = new Map<string, BatchItemResult>();
    for (const request of requests) {
      const answer = answers.get(request.key);
      if (answer) ordered.set(request.key, answer);
    }
    return ordered;
  }

  private async runBatchEnvelope(
    version: GraphVersion,
    chunk: readonly BatchRequest[],
    answers: Map<string, BatchItemResult>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const path = `/${version}/$batch`;
    let pending = chunk;
    for (let round = 0; pending.length > 0; round++) {
      const writes = pending.filter((request) => request.method !== 'GET').length;
      const wire = pending.map((request, index) => ({
        id: String(index + 1),
        method: request.method,
        url: request.url,
        headers: {
          'User-Agent': this.userAgent,
          ...(request.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...request.headers,
        },
        ...(request.body !== undefined ? { body: request.body } : {}),
      }));
      const byId = await this.send({
        method: 'POST',
        url: this.url(version, '/$batch'),
        service: intuneServiceOf(pending[0]?.url ?? '/'),
        body: { requests: wire },
        cost: { requests: pending.length, writes },
        idempotent: writes === 0,
        parse: parseBatchResponse,
        innerRequests: pending.length,
        signal,
      });
      this.counters.innerRequests += pending.length;
      const retryLater: BatchRequest[] = [];
      let delayMs = 0;
      let throttled = false;
      const finalRound = round >= this.policy.maxRetries;
      pending.forEach((request, index) => {
        const answer = byId.get(String(index + 1));
        if (answer?.status === 429) this.counters.throttled++;
        // A write missing from the answer may have run: like a timeout, never resent.
        const retryable =
          (answer === undefined && request.method === 'GET') ||
          answer?.status === 429 ||
          answer?.status === 503 ||
          (answer !== undefined && request.method === 'GET' && [500, 502, 504].includes(answer.status));
        if (!retryable || finalRound) {
          answers.set(
            request.key,
            answer ?? {
              status: 0,
              headers: {},
              body: {
                error: { code: 'MissingFromBatch', message: 'the $batch answer had no response for it' },
              },
            },
          );
          return;
        }
        retryLater.push(request);
        throttled ||= answer?.status === 429;
        const retryAfter = answer ? headerValue(answer.headers, 'retry-after') : undefined;
        const waitMs =
          (retryAfter !== undefined ? parseRetryAfter(retryAfter, Date.now()) : null) ??
          this.policy.backoffMs(round);
        delayMs = Math.max(delayMs, waitMs);
      });
      if (retryLater.length === 0) return;
      this.counters.retries += retryLater.length;
      this.emit({
        type: 'batch-retry',
        path,
        items: retryLater.length,
        reason: throttled ? 'HTTP 429 inside $batch' : 'HTTP 5xx or missing inside $batch',
        delayMs,
        round: round + 1,
      });
      if (throttled) this.budgets[intuneServiceOf(chunk[0]?.url ?? '/')].pauseFor(delayMs);
      else await this.clock.sleep(delayMs, signal);
      pending = retryLater;
    }
  }

  /** The retry loop around one logical request. */
  private async send<T>(request: SendSpec<T>): Promise<T> {
    let spec = request;
    const path = describeRequestPath(spec.url);
    const service = spec.service ?? serviceOfUrl(spec.url);
    const budget = this.budgets[service];
    let retries = 0;
    let refreshedToken = false;
    for (;;) {
      const token = await this.token(spec, path);
      const lease = await budget.acquire(spec.cost, spec.signal);
      let attempt: Attempt;
      try {
        if (spec.beforeSend !== undefined) {
          const hook = spec.beforeSend;
          spec = { ...spec, beforeSend: undefined }; // once: a retry after a 429 is the same request
          await hook();
          if (spec.bodyAtSend !== undefined)
            spec = { ...spec, body: spec.bodyAtSend(), bodyAtSend: undefined };
          // Marked as leaving: from here the request runs to its answer even if the caller stops
          // (Ctrl-C), so that the answer is recorded rather than left in doubt.
          spec = { ...spec, signal: undefined };
        }
        if (spec.cost.writes > 0 && this.recordWrite !== undefined && request.beforeSend === undefined) {
          // Every attempt: Graph counts a resent write (after a 429) in its window too.
          await this.recordWrite({ service, writes: spec.cost.writes });
        }
        attempt = await this.attempt(spec, token);
      } finally {
        lease.settle();
      }
      this.counters.httpRequests++;
      this.counters.byMethod[spec.method] = (this.counters.byMethod[spec.method] ?? 0) + 1;

      if (attempt.kind === 'response') {
        const requestId = safeRequestId(attempt.headers.get('request-id'));
        this.emit({
          type: 'response',
          method: spec.method,
          path,
          status: attempt.status,
          requestId,
          innerRequests: spec.innerRequests,
        });
        if (attempt.status >= 200 && attempt.status < 300) {
          return this.parseSuccess(spec, path, attempt, requestId, token);
        }
        if (attempt.status === 429) this.counters.throttled++;
        if (
          attempt.status === 401 &&
          !refreshedToken &&
          graphErrorCode(attempt.text, '') === 'InvalidAuthenticationToken'
        ) {
          // Graph rejected a token we thought valid (revoked, clock skew): one fresh token, once.
          refreshedToken = true;
          this.tokens.invalidate(token);
          this.emit({ type: 'token', action: 'rejected-by-graph' });
          continue;
        }
      }

      if (attempt.kind === 'oversized') {
        // Not retried: a server that sent too much once sends it again. A write answered 2xx (or
        // 500/502/504) with such a body may have run, so it is ambiguous as a timeout is.
        throw this.oversized(spec, path, attempt);
      }

      const outcome: AttemptOutcome =
        attempt.kind === 'response'
          ? { kind: 'response', status: attempt.status, retryAfter: attempt.headers.get('retry-after') }
          : attempt.kind === 'timeout'
            ? { kind: 'timeout' }
            : { kind: 'network', sent: attempt.sent };
      const decision = this.policy.decide(outcome, spec.idempotent, retries, Date.now());
      if (decision.retry) {
        retries++;
        this.counters.retries++;
        if (outcome.kind === 'response' && outcome.status === 429) {
          // Graph: every request during the penalty is throttled too, so the service's budget waits.
          budget.pauseFor(decision.delayMs);
          this.emit({
            type: 'throttled',
            method: spec.method,
            path,
            pauseMs: decision.delayMs,
            fromRetryAfter: decision.fromRetryAfter,
          });
        } else {
          this.emit({
            type: 'retry',
            method: spec.method,
            path,
            reason: decision.reason,
            delayMs: decision.delayMs,
            retry: retries,
          });
          await this.clock.sleep(decision.delayMs, spec.signal);
        }
        continue;
      }
      throw this.failure(spec, path, attempt, decision.ambiguousWrite, retries, token);
    }
  }

  private async token(spec: SendSpec<unknown>, path: string): Promise<string> {
    try {
      return (await this.tokens.get(spec.signal)).token;
    } catch (error) {
      spec.signal?.throwIfAborted();
      throw new GraphError({
        status: 0,
        code: 'TokenUnavailable',
        message: `could not get an access token: ${scrub(error instanceof Error ? error.message : String(error), '')}`,
        requestId: null,
        method: spec.method,
        path,
      });
    }
  }

  /** One HTTP exchange, headers and body within `timeoutMs`. Never throws for network trouble. */
  private async attempt(spec: SendSpec<unknown>, token: string): Promise<Attempt> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      'User-Agent': this.userAgent,
      'client-request-id': randomUUID(),
      Accept: 'application/json',
    };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await this.httpFetch(spec.url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? null : JSON.stringify(spec.body),
        signal,
        redirect: 'error', // a redirect would carry our token to wherever it points
      });
    } catch (error) {
      spec.signal?.throwIfAborted();
      if (timeout.aborted) return { kind: 'timeout' };
      const code = causeCode(error);
      return { kind: 'network', sent: !NOT_SENT_CODES.has(code), detail: code || 'connection failed' };
    }
    try {
      const text = await readCappedText(response, this.maxResponseBytes);
      return { kind: 'response', status: response.status, headers: response.headers, text };
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return { kind: 'oversized', status: response.status, headers: response.headers };
      }
      spec.signal?.throwIfAborted();
      if (timeout.aborted) return { kind: 'timeout' };
      const length = response.headers.get('content-length');
      return {
        kind: 'network',
        sent: true,
        status: response.status,
        headers: response.headers,
        detail: `the response body was cut off${length ? ` (Content-Length ${length})` : ''}: ${causeCode(error) || 'connection closed'}`,
      };
    }
  }

  private parseSuccess<T>(
    spec: SendSpec<T>,
    path: string,
    attempt: { status: number; text: string },
    requestId: string | null,
    token: string,
  ): T {
    let body: unknown;
    if (attempt.text.length > 0) {
      try {
        body = JSON.parse(attempt.text);
      } catch (error) {
        throw this.malformed(
          spec,
          path,
          attempt.status,
          requestId,
          `expected a JSON body, got ${attempt.text.length} bytes that do not parse (${error instanceof Error ? error.name : 'error'})`,
          token,
        );
      }
    }
    try {
      return spec.parse(body);
    } catch (error) {
      if (error instanceof ResponseShapeError) {
        throw this.malformed(spec, path, attempt.status, requestId, error.message, token);
      }
      throw error;
    }
  }

  private malformed(
    spec: SendSpec<unknown>,
    path: string,
    status: number,
    requestId: string | null,
    message: string,
    token: string,
  ): GraphError {
    return new GraphError({
      status,
      code: 'MalformedResponse',
      message: scrub(message, token),
      requestId,
      method: spec.method,
      path,
    });
  }

  private oversized(
    spec: SendSpec<unknown>,
    path: string,
    attempt: { status: number; headers: Headers },
  ): GraphError {
    const mayHaveRun = attempt.status < 300 || [500, 502, 504].includes(attempt.status);
    const ambiguousWrite = !spec.idempotent && mayHaveRun;
    const ErrorClass = ambiguousWrite ? AmbiguousWriteError : GraphError;
    const ambiguity = ambiguousWrite ? ' The write may or may not have been applied: it is not resent.' : '';
    return new ErrorClass({
      status: attempt.status,
      code: 'ResponseTooLarge',
      message: `${new BodyTooLargeError(this.maxResponseBytes).message} for a Graph JSON answer; reading stopped there (docs/graph-calls.md).${ambiguity}`,
      requestId: safeRequestId(attempt.headers.get('request-id')),
      method: spec.method,
      path,
    });
  }

  private failure(
    spec: SendSpec<unknown>,
    path: string,
    attempt: Exclude<Attempt, { kind: 'oversized' }>,
    ambiguousWrite: boolean,
    retries: number,
    token: string,
  ): GraphError {
    const ErrorClass = ambiguousWrite ? AmbiguousWriteError : GraphError;
    const tries = retries > 0 ? ` (after ${retries} retries)` : '';
    const ambiguity = ambiguousWrite ? ' The write may or may not have been applied: it is not resent.' : '';
    if (attempt.kind === 'timeout') {
      return new ErrorClass({
        status: 0,
        code: 'Timeout',
        message: `no answer within ${this.timeoutMs} ms${tries}.${ambiguity}`,
        requestId: null,
        method: spec.method,
        path,
      });
    }
    if (attempt.kind === 'network') {
      return new ErrorClass({
        status: attempt.status ?? 0,
        code: attempt.status ? 'TruncatedResponse' : 'NetworkError',
        message: `${scrub(attempt.detail, token)}${tries}.${ambiguity}`,
        requestId: safeRequestId(attempt.headers?.get('request-id')),
        method: spec.method,
        path,
      });
    }
    const parsed = parseGraphErrorBody(attempt.text, token);
    return new ErrorClass({
      status: attempt.status,
      code: parsed?.code ?? `HTTP${attempt.status}`,
      message: `${scrub(parsed?.message ?? `a non-Graph error body of ${attempt.text.length} bytes`, token)}${tries}.${ambiguity}`,
      requestId: safeRequestId(attempt.headers.get('request-id')) ?? safeRequestId(parsed?.requestId),
      method: spec.method,
      path,
    });
  }

  private checkNextLink(nextLink: string, method: string, fromPath: string): URL {
    let url: URL;
    try {
      url = new URL(nextLink);
    } catch {
      throw new GraphError({
        status: 0,
        code: 'UnsafeNextLink',
        message: 'expected @odata.nextLink to be an absolute URL; refusing to follow it',
        requestId: null,
        method,
        path: fromPath,
      });
    }
    if (url.origin !== this.baseUrl.origin) {
      throw new GraphError({
        status: 0,
        code: 'UnsafeNextLink',
        message:
          `expected @odata.nextLink on ${this.baseUrl.origin}, got one on ${url.origin}; ` +
          'refusing to follow it (it would carry our access token elsewhere)',
        requestId: null,
        method,
        path: fromPath,
      });
    }
    return url;
  }

  private emit(event: GraphEvent): void {
    try {
      this.onEvent(event);
    } catch {
      // An event listener's bug must not fail a Graph call.
    }
  }
}

function parseBatchResponse(body: unknown): Map<string, BatchItemResult> {
  const envelope = expectObject(body, 'a $batch answer');
  if (!Array.isArray(envelope.responses)) {
    throw new ResponseShapeError('a $batch answer with a "responses" array', envelope.responses);
  }
  const byId = new Map<string, BatchItemResult>();
  for (const item of envelope.responses) {
    const response = expectObject(item, 'a $batch response item');
    if (typeof response.id !== 'string') {
      throw new ResponseShapeError('a $batch response item with a string "id"', response.id);
    }
    if (typeof response.status !== 'number' || !Number.isInteger(response.status)) {
      throw new ResponseShapeError(`$batch response ${response.id} with a numeric "status"`, response.status);
    }
    const headers: Record<string, string> = {};
    if (response.headers !== undefined) {
      const raw = expectObject(response.headers, `$batch response ${response.id} "headers"`);
      for (const [name, value] of Object.entries(raw)) if (typeof value === 'string') headers[name] = value;
    }
    byId.set(response.id, { status: response.status, headers, body: response.body });
  }
  return byId;
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function parseGraphErrorBody(
  text: string,
  token: string,
): { code: string; message: string; requestId: string | null } | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isJsonObject(body) || !isJsonObject(body.error)) return null;
  const error = body.error;
  const inner = isJsonObject(error.innerError) ? error.innerError : {};
  return {
    code: typeof error.code === 'string' ? scrub(error.code, token, MAX_ERROR_CODE_CHARS) : 'UnknownError',
    message: typeof error.message === 'string' ? scrub(error.message, token, MAX_ERROR_MESSAGE_CHARS) : '',
    // Only a GUID-shaped request-id is kept (safeRequestId); nothing else of innerError is read.
    requestId: typeof inner['request-id'] === 'string' ? inner['request-id'] : null,
  };
}

/** Graph's error codes are short identifiers (https://learn.microsoft.com/graph/errors). */
const MAX_ERROR_CODE_CHARS = 100;
/** Enough for Graph's message; a longer one is a page or an echo, not an explanation. */
const MAX_ERROR_MESSAGE_CHARS = 1000;

function graphErrorCode(text: string, token: string): string | undefined {
  return parseGraphErrorBody(text, token)?.code;
}

function causeCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (isJsonObject(current) || current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string') return code;
      current = (current as { cause?: unknown }).cause;
    } else break;
  }
  return '';
}

/**
 * Text from the server on its way into an error. A server may echo what it received: the token we
 * sent is removed as such, then every other secret shape (src/snapshot/redact-secrets.ts: JWTs,
 * bearer values, client secrets, recovery passwords), and only then is the text cut, so a cut
 * never leaves a secret's prefix behind.
 */
function scrub(text: string, token: string, maxChars = MAX_ERROR_MESSAGE_CHARS): string {
  // Real access tokens are long (an Entra ID JWT is over a kilobyte); a few characters are no
  // secret, and replacing them everywhere would garble the text (and Graph's error code with it).
  return redactThenTruncate(redactKnown(text, token.length >= 8 ? [token] : []), maxChars);
}

/**
 * Graph's request-id is a GUID. Anything else in that header is not trusted into errors and
 * events: a broken or hostile server could put what it received (our token) there.
 */
function safeRequestId(value: string | null | undefined): string | null {
  return value && /^[A-Za-z0-9-]{1,64}$/.test(value) ? value : null;
}
