/**
 * Plain HTTP requests to a console, with every header under the test's control (fetch would not
 * let a test send a foreign Host). Shared by the console's API and CLI tests.
 */
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * The header secret of each session a test holds, by its cookie: a request with a known cookie
 * carries the secret as the console's page would (src/console/sign-in.ts); a cookie alone is
 * what a server on another port could replay.
 */
const secrets = new Map<string, string>();

/** Records the header secret the page of a browser session holds (its localStorage). */
export function rememberSecret(cookie: string, secret: string): void {
  secrets.set(cookie, secret);
}

/** The session header for `cookie`, if a test signed it in. */
export function sessionHeaderOf(cookie: string | undefined): Record<string, string> {
  const secret = cookie === undefined ? undefined : secrets.get(cookie);
  return secret === undefined ? {} : { 'x-tpm-doctor-session': secret };
}

export function request(
  origin: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; cookie?: string; body?: string } = {},
): Promise<HttpAnswer> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port,
        method: options.method ?? 'GET',
        path,
        headers: {
          ...(options.cookie ? { cookie: options.cookie, ...sessionHeaderOf(options.cookie) } : {}),
          ...options.headers,
        },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Signs in with the one-time link; returns the cookie to send ("name=value"). The header secret
 * the sign-in hands to the page (in `/#session=...`) is remembered for that cookie.
 */
export async function signIn(signInUrl: string): Promise<string> {
  const url = new URL(signInUrl);
  const answer = await request(url.origin, `${url.pathname}${url.search}`);
  if (answer.status !== 200) throw new Error(`sign-in answered ${answer.status}: ${answer.body}`);
  const setCookie = answer.headers['set-cookie']?.[0];
  if (setCookie === undefined) throw new Error('sign-in set no cookie');
  const cookie = setCookie.split(';')[0]!;
  const secret = /url=\/#session=([A-Za-z0-9_-]+)"/.exec(answer.body)?.[1];
  if (secret === undefined) throw new Error('sign-in handed the page no session secret');
  rememberSecret(cookie, secret);
  return cookie;
}

/** Sends `text` as is over a new connection and returns everything the server answered. */
export function rawRequest(origin: string, text: string): Promise<string> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => socket.end(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      answer += d;
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}
