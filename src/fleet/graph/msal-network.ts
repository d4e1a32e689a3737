import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { FetchLike } from './proxy-fetch.js';
import { BodyTooLargeError, GRAPH_JSON_MAX_BYTES, readCappedText } from './read-capped-body.js';

/**
 * MSAL's network module (`system.networkClient`, msal-node "Configuration options") over
 * tpm-doctor's own fetch: the browser sign-in's discovery and token requests then go through the
 * proxy the standard variables name, read exactly as for Graph (proxy-environment.ts), instead of
 * msal-node's HttpClient, which reads no variable at all.
 *
 * MSAL expects the body parsed from JSON and the headers with lower-case names; a body that is not
 * JSON is an error here, with its size, never its text (it could echo a token).
 */
export class MsalNetwork implements INetworkModule {
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;

  constructor(send: FetchLike, timeoutMs = 30_000) {
    this.#fetch = send;
    this.#timeoutMs = timeoutMs;
  }

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.#send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.#send<T>('POST', url, options, undefined);
  }

  async #send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeout: number | undefined,
  ): Promise<NetworkResponse<T>> {
    const where = `${method} ${new URL(url).origin}${new URL(url).pathname}`;
    const ms = timeout ?? this.#timeoutMs;
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method,
        headers: options?.headers ?? {},
        ...(method === 'POST' && options?.body !== undefined ? { body: options.body } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(ms),
      });
      text = await readCappedText(response, GRAPH_JSON_MAX_BYTES);
    } catch (e) {
      if (e instanceof BodyTooLargeError) throw new Error(`${where}: ${e.message}`);
      const cause = (e as { cause?: { code?: unknown } }).cause?.code;
      throw new Error(`${where}: no answer (${typeof cause === 'string' ? cause : (e as Error).name})`, {
        cause: e,
      });
    }
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      throw new Error(
        `${where}: HTTP ${response.status}: expected JSON, got ${text.length} bytes of something else`,
      );
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return { headers, body, status: response.status };
  }
}
