import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FleetStore } from '../fleet/store/fleet-store.js';
import { FleetStoreError } from '../fleet/store/store-error.js';
import { bufferedSink, streamSink } from '../fleet/triage/report-sink.js';
import { loadMessages } from '../text/messages/catalog.js';
import type { Language } from '../text/messages/language.js';
import type { ApiError } from './api-types.js';
import { type ActionOutcome, ConsoleActions, type ConsoleGraph } from './console-actions.js';
import { parseDeviceQuery } from './device-query.js';
import { type EventLog, lastEventIdOf } from './event-log.js';
import { type ConsoleTenant, FleetApi } from './fleet-api.js';
import { labBanner, safeJson, securityHeaders, sendJson, sendPage } from './http-response.js';
import { readJsonBody } from './json-body.js';
import { allowedHosts, guardRefusal, type LoopbackHost } from './request-guard.js';
import { SESSION_COOKIE, SESSION_HEADER, SignIn } from './sign-in.js';
import { BANNER_PLACEHOLDER, loadAssets } from './static-assets.js';
import { ThisDevice, type ThisDeviceTpm } from './this-device.js';
import { ThisDeviceClear, type ThisDeviceClearOptions } from './this-device-clear.js';

export interface ConsoleOptions {
  store: FleetStore;
  tenant: ConsoleTenant;
  host: LoopbackHost;
  /** 0: a free port chosen by the system. */
  port: number;
  /** The built front end (dist/console). */
  assetsDir: string;
  /**
   * The tenant's connection, for what the console starts (dry runs, campaigns, triages); without
   * it those endpoints answer 503 and the console only reads.
   */
  graph?: ConsoleGraph;
  /**
   * The admin's language (`--lang`, else the locale, as for every verb): the page's `lang`, and the
   * display texts of the API's answers (the CLI's catalogs, src/text/messages/; codes and ids stay
   * English). Default English.
   */
  language?: Language;
  /** The TPM of the "this device" view (`--tpm`, or this machine's); without it the view answers 503. */
  thisDevice?: ThisDeviceTpm;
  /**
   * What the "this device" clear needs that the browser never gives (the runs folder, the lockout
   * value read at start, the start-up task); without it the console does not clear.
   */
  thisDeviceClear?: Omit<ThisDeviceClearOptions, 'tpm' | 'language' | 'exclusive'>;
  /** Where the server reports what went wrong inside it (never to the browser). */
  log: (line: string) => void;
}

export interface RunningConsole {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The one-time sign-in link: the origin and the token. */
  signInUrl: string;
  /** A new one-time sign-in link (for another browser); the earlier link, if unused, stops working. */
  newSignInUrl(): string;
  close(): Promise<void>;
}

/** Device ids are Graph GUIDs; anything longer is not one of ours. */
const MAX_DEVICE_ID_CHARS = 200;
const MAX_URL_CHARS = 4096;
/** Campaign ids as src/fleet/campaign/create-campaign.ts makes them (and `fleet sync --id` may name them). */
const CAMPAIGN_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * An error of the fleet store: its own (FleetStoreError), or one its driver raised on a query
 * (better-sqlite3's SqliteError carries an SQLITE_* code; node-postgres's DatabaseError a
 * five-character SQLSTATE, https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
function isStoreFailure(e: unknown): boolean {
  if (e instanceof FleetStoreError) return true;
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return (
    (e.name === 'SqliteError' && typeof code === 'string' && code.startsWith('SQLITE_')) ||
    (e.name === 'error' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code))
  );
}

/** The methods each path answers: POST for what changes state, GET (and HEAD) for the rest. */
function methodsFor(path: string): string[] {
  if (
    path === '/api/sign-out' ||
    path === '/api/campaigns/plan' ||
    path === '/api/triage' ||
    path === '/api/this-device/clear/plan' ||
    path === '/api/this-device/clear' ||
    /^\/api\/campaigns\/[^/]+\/(stop|resume|abandon)$/.test(path)
  )
    return ['POST'];
  if (path === '/api/campaigns') return ['GET', 'HEAD', 'POST'];
  return ['GET', 'HEAD'];
}

/**
 * The console's HTTP server (node:http, loopback only). Every request passes the same gate in
 * this order: the security headers, the Host and Origin checks (request-guard.ts), the method,
 * then the session cookie, and for /api/* also the session's header secret (sign-in.ts); only the
 * one-time sign-in link is answered without a session.
 * docs/console.md describes the model.
 */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const { index, assets } = loadAssets(options.assetsDir);
  const lab = options.tenant.lab;
  const language = options.language ?? 'en';
  const { ui } = await loadMessages(language);
  const page = index
    .replace('<html lang="en">', `<html lang="${language}">`)
    .replace(BANNER_PLACEHOLDER, labBanner(lab, ui['lab.tenant-label']))
    .replace(/<title>/, lab ? '<title>LAB · ' : '<title>');
  const api = new FleetApi(options.store, options.tenant, ui);
  const signIn = new SignIn();
  const thisDevice =
    options.thisDevice === undefined ? undefined : new ThisDevice(options.thisDevice, language);
  const deviceClear =
    thisDevice === undefined || options.thisDevice === undefined || options.thisDeviceClear === undefined
      ? undefined
      : new ThisDeviceClear({
          ...options.thisDeviceClear,
          tpm: options.thisDevice,
          language,
          exclusive: (work) => thisDevice.exclusive(work),
        });
  const actions =
    options.graph === undefined
      ? undefined
      : new ConsoleActions(options.store, options.graph, options.log, ui, language);
  let hosts = new Set<string>();

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((e: unknown) => {
      // A store that fails (a file replaced, a database gone) is the admin's to fix: say which one,
      // on the terminal and on the page.
      const storeFailed = isStoreFailure(e);
      options.log(
        `console: ${request.method} ${request.url?.split('?')[0]} failed: ${storeFailed ? `the fleet store ${options.store.description}: ` : ''}${(e as Error).message}`,
      );
      const text = storeFailed
        ? ui['console.error.store']({ store: options.store.description })
        : ui['console.error.internal'];
      if (!response.headersSent) sendJson(response, 500, apiError(text));
      else response.destroy();
    });
  });
  // A browser keeps connections open; these bound what a stuck or hostile client can hold.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  const apiError = (error: string): ApiError => ({ ...api.envelope, error });
  /** The server's own pages an admin meets (sign-in, not found) in the console's language. */
  const pageWords = {
    lang: language,
    labLabel: ui['lab.tenant-label'],
    openLink: ui['console.page.open-link'],
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawUrl = request.url ?? '';
    securityHeaders(response, lab, 'no-store');
    // Origin-form only ("/path?query"): an absolute or authority form target is not for us.
    if (!rawUrl.startsWith('/') || rawUrl.startsWith('//') || rawUrl.length > MAX_URL_CHARS) {
      return sendPage(response, 400, { title: 'Bad request', text: 'Malformed request target.', lab });
    }
    const refusal = guardRefusal(request, hosts);
    if (refusal !== undefined) return sendPage(response, 403, { title: 'Refused', text: refusal, lab });
    const url = new URL(rawUrl, 'http://console.invalid');
    const isAsset = url.pathname.startsWith('/assets/');
    const method = request.method ?? 'GET';
    const isApi = url.pathname.startsWith('/api/');

    const allowed = methodsFor(url.pathname);
    if (!allowed.includes(method)) return methodNotAllowed(response, allowed.join(', '), isApi);

    if (url.pathname === '/sign-in') return exchangeToken(url, response);

    const session = signIn.sessionOf(request.headers.cookie);
    if (session === undefined) {
      // Our cookie with no session of this run: the console restarted since this browser signed in.
      const restarted = signIn.hasStaleCookie(request.headers.cookie);
      if (isApi)
        return sendJson(
          response,
          401,
          apiError(ui[restarted ? 'console.error.session-ended' : 'console.error.not-signed-in']),
        );
      return sendPage(
        response,
        401,
        restarted
          ? { title: ui['console.page.restarted'], text: ui['console.page.restarted-text'], lab }
          : { title: ui['console.page.sign-in'], text: ui['console.page.sign-in-text'], lab },
        pageWords,
      );
    }

    if (url.pathname === '/' || url.pathname === '/index.html') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(page);
      return;
    }
    if (isAsset) {
      const asset = assets.get(url.pathname.slice('/assets/'.length));
      if (asset === undefined)
        return sendPage(response, 404, { title: 'Not found', text: 'No such file.', lab });
      // Built names carry a hash of their content: a browser may keep them.
      securityHeaders(response, lab, 'immutable');
      response.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': asset.body.length });
      response.end(asset.body);
      return;
    }
    if (isApi) {
      // The cookie alone is not enough for the API: it also reaches other loopback ports (sign-in.ts).
      if (!signIn.proves(session, request.headers[SESSION_HEADER]))
        return sendJson(response, 401, apiError(ui['console.error.not-signed-in']));
      return answerApi(url, method, session, request, response);
    }
    return sendPage(
      response,
      404,
      { title: ui['console.page.not-found'], text: ui['console.page.no-page'], lab },
      pageWords,
    );
  }

  function methodNotAllowed(response: ServerResponse, allow: string, isApi: boolean): void {
    response.setHeader('Allow', allow);
    if (isApi) sendJson(response, 405, apiError(`Method not allowed (allowed: ${allow}).`));
    else sendPage(response, 405, { title: 'Method not allowed', text: `Allowed: ${allow}.`, lab });
  }

  function exchangeToken(url: URL, response: ServerResponse): void {
    const tokens = url.searchParams.getAll('token');
    const outcome =
      tokens.length === 1 && tokens[0]!.length <= 100
        ? signIn.exchange(tokens[0]!)
        : { refused: 'wrong' as const };
    if ('refused' in outcome) {
      sendPage(
        response,
        403,
        {
          title: ui['console.page.sign-in-refused'],
          text: outcome.refused === 'used' ? ui['console.page.link-used'] : ui['console.page.wrong-link'],
          lab,
        },
        pageWords,
      );
      return;
    }
    response.setHeader(
      'Set-Cookie',
      `${SESSION_COOKIE}=${outcome.session}; HttpOnly; SameSite=Strict; Path=/`,
    );
    sendPage(
      response,
      200,
      // The header secret goes to the page in the fragment, which a browser never sends to a
      // server; the page moves it to localStorage and out of the address bar (console/src/session.ts).
      {
        title: ui['console.page.signed-in'],
        text: ui['console.page.opening'],
        lab,
        refresh: `/#session=${outcome.secret}`,
      },
      pageWords,
    );
  }

  async function answerApi(
    url: URL,
    method: string,
    session: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const path = url.pathname;
    if (method === 'POST' && path !== '/api/sign-out') return answerAction(path, request, response);
    if (path === '/api/sign-out' && method === 'POST') {
      signIn.signOut(session);
      response.setHeader('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      response.writeHead(204).end();
      return;
    }
    if (path === '/api/fleet') {
      if ([...url.searchParams.keys()].length > 0)
        return sendJson(response, 400, apiError('No parameters here.'));
      return sendJson(response, 200, await api.fleet());
    }
    if (path === '/api/fleet/devices') {
      const query = parseDeviceQuery(url.searchParams);
      if ('error' in query) return sendJson(response, 400, apiError(query.error));
      const answer = await api.devices(query);
      if (answer === undefined) return sendJson(response, 404, apiError(ui['console.error.no-triage']));
      return streamDevices(response, answer.head, answer.rows);
    }
    if (path === '/api/campaigns') {
      if ([...url.searchParams.keys()].length > 0)
        return sendJson(response, 400, apiError('No parameters here.'));
      return sendJson(response, 200, await api.campaigns());
    }
    if (path === '/api/this-device') {
      if ([...url.searchParams.keys()].length > 0)
        return sendJson(response, 400, apiError('No parameters here.'));
      if (thisDevice === undefined) return sendJson(response, 503, apiError(ui['console.error.no-tpm']));
      return sendJson(response, 200, { ...api.envelope, ...(await thisDevice.read()) });
    }
    if (path === '/api/this-device/runs' || path.startsWith('/api/this-device/runs/')) {
      if ([...url.searchParams.keys()].length > 0)
        return sendJson(response, 400, apiError('No parameters here.'));
      if (deviceClear === undefined) return noClear(response);
      if (path === '/api/this-device/runs') return answer(response, deviceClear.runs());
      return answer(response, deviceClear.run(path.slice('/api/this-device/runs/'.length)));
    }
    const campaignMatch = /^\/api\/campaigns\/([^/]+)(\/events)?$/.exec(path);
    if (campaignMatch) {
      if (actions === undefined) return notConnected(response);
      const id = campaignMatch[1]!;
      if (!CAMPAIGN_ID.test(id)) return sendJson(response, 400, apiError('Malformed campaign id.'));
      // ?follow=1 (events only): the stream stays open after the run ends, so the page follows
      // whatever any page or tab does to the campaign next (a resume, an abandon).
      const follow = campaignMatch[2] !== undefined && url.searchParams.get('follow') === '1';
      if ([...url.searchParams.keys()].length > (follow && url.search === '?follow=1' ? 1 : 0))
        return sendJson(response, 400, apiError('No parameters here.'));
      if (campaignMatch[2] === undefined) return answer(response, await actions.detail(id));
      return stream(request, response, await actions.watchCampaign(id), follow);
    }
    const triageMatch = /^\/api\/triage\/([^/]+)\/events$/.exec(path);
    if (triageMatch) {
      if (actions === undefined) return notConnected(response);
      return stream(request, response, actions.watchTriage(triageMatch[1]!));
    }
    const deviceMatch = /^\/api\/devices\/([^/]+)$/.exec(path);
    if (deviceMatch) {
      let id: string;
      try {
        id = decodeURIComponent(deviceMatch[1]!);
      } catch {
        return sendJson(response, 400, apiError('Malformed device id.'));
      }
      if (id.length === 0 || id.length > MAX_DEVICE_ID_CHARS) {
        return sendJson(response, 400, apiError('Malformed device id.'));
      }
      const device = await api.device(id);
      if (device === undefined) return sendJson(response, 404, apiError(ui['console.error.no-device']));
      return sendJson(response, 200, device);
    }
    return sendJson(response, 404, apiError('No such endpoint.'));
  }

  function noClear(response: ServerResponse): void {
    sendJson(response, 503, apiError('This console was started without a TPM to clear.'));
  }

  function notConnected(response: ServerResponse): void {
    sendJson(response, 503, apiError(ui['console.error.read-only']));
  }

  function answer<T>(response: ServerResponse, outcome: ActionOutcome<T>): void {
    if ('error' in outcome) sendJson(response, outcome.status, apiError(outcome.error));
    else sendJson(response, outcome.status, { ...api.envelope, ...outcome.value });
  }

  function stream(
    request: IncomingMessage,
    response: ServerResponse,
    outcome: ActionOutcome<{ log: EventLog; snapshot: unknown }>,
    follow = false,
  ): void {
    if ('error' in outcome) {
      sendJson(response, outcome.status, apiError(outcome.error));
      return;
    }
    const { log, snapshot } = outcome.value;
    log.watch(
      response,
      lastEventIdOf(request.headers['last-event-id']),
      () => ({
        ...api.envelope,
        ...(snapshot as object),
      }),
      follow,
    );
  }

  /** Every state-changing endpoint: POST, our Origin (checked above), a small JSON body, one clear error. */
  async function answerAction(
    path: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    if (path === '/api/this-device/clear/plan' || path === '/api/this-device/clear') {
      if (deviceClear === undefined) return noClear(response);
      const read = await readJsonBody(request);
      if ('error' in read) return sendJson(response, read.status, apiError(read.error));
      if (path === '/api/this-device/clear') return answer(response, await deviceClear.clear(read.body));
      return answer(response, await deviceClear.plan(read.body));
    }
    if (actions === undefined) return notConnected(response);
    const read = await readJsonBody(request);
    if ('error' in read) return sendJson(response, read.status, apiError(read.error));
    const { body } = read;
    if (path === '/api/campaigns/plan') return answer(response, await actions.plan(body));
    if (path === '/api/campaigns') return answer(response, await actions.start(body));
    if (path === '/api/triage') return answer(response, actions.startTriage(body));
    const match = /^\/api\/campaigns\/([^/]+)\/(stop|resume|abandon)$/.exec(path);
    if (match === null) return sendJson(response, 404, apiError('No such endpoint.'));
    const id = match[1]!;
    if (!CAMPAIGN_ID.test(id)) return sendJson(response, 400, apiError('Malformed campaign id.'));
    if (Object.keys(body).length > 0) return sendJson(response, 400, apiError('No fields here.'));
    if (match[2] === 'stop') return answer(response, await actions.stop(id));
    if (match[2] === 'resume') return answer(response, await actions.resume(id));
    return answer(response, await actions.abandon(id));
  }

  /** The page is written row by row through a buffered sink, never built as one string. */
  async function streamDevices(
    response: ServerResponse,
    head: Record<string, number>,
    rows: readonly unknown[],
  ): Promise<void> {
    response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    const { sink, flush } = bufferedSink(streamSink(response));
    const opening = safeJson({ ...api.envelope, ...head });
    await sink(`${opening.slice(0, -1)},"devices":[`);
    for (let i = 0; i < rows.length; i++) await sink(`${i === 0 ? '' : ','}${safeJson(rows[i])}`);
    await sink(']}');
    await flush();
    response.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => options.log(`console: ${e.message}`));
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(port);
  const origin = `http://${options.host === '::1' ? '[::1]' : options.host}:${port}`;
  return {
    origin,
    signInUrl: `${origin}/sign-in?token=${signIn.token}`,
    newSignInUrl: () => `${origin}/sign-in?token=${signIn.renew()}`,
    close: () =>
      new Promise<void>((resolve) => {
        void (actions?.close() ?? Promise.resolve()).finally(() => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }),
  };
}
