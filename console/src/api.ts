import type { ApiEnvelope } from '../../src/console/api-types.js';
import { sessionHeaders } from './session.js';
import { t } from './texts.js';

/** An answer other than 2xx, with the server's own sentence in the console's language (it never quotes input back). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * fetch, with a network failure (the console stopped, or its port closed: the browser only says
 * "Failed to fetch") told in the admin's words: what happened and how to start it again. An abort
 * stays an abort.
 */
async function reach(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(path, init);
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiFailure(0, t.consoleGone);
  }
}

/** GET a JSON endpoint of the console's own API (same origin; the session cookie and header go along). */
export async function getJson<T extends ApiEnvelope>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await reach(path, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...sessionHeaders() },
    ...(signal ? { signal } : {}),
  });
  const body = (await response.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!response.ok || body === null) {
    throw new ApiFailure(response.status, body?.error ?? t.consoleAnswered(response.status));
  }
  return body;
}

/**
 * POST a JSON body to the console's API: the browser adds our Origin, which the server requires
 * of every request that changes something (docs/console.md).
 */
export async function postJson<T extends ApiEnvelope>(path: string, body: object): Promise<T> {
  const response = await reach(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...sessionHeaders() },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!response.ok || answer === null)
    throw new ApiFailure(response.status, answer?.error ?? t.consoleAnswered(response.status));
  return answer;
}

/** Ends this browser's session on the server (which also clears the cookie). */
export async function signOut(): Promise<void> {
  const response = await reach('/api/sign-out', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...sessionHeaders() },
    body: '{}',
  });
  if (!response.ok && response.status !== 401)
    throw new ApiFailure(response.status, t.consoleAnswered(response.status));
}
