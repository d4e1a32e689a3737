import type { LabTenant } from '../../../src/lab/tenant/index.js';

/** Plain fetch against a lab tenant: a token by client credentials, then Graph calls with it. */
export async function labToken(lab: LabTenant): Promise<string> {
  const response = await fetch(lab.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: lab.clientId,
      client_secret: lab.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  if (response.status !== 200) throw new Error(`token: HTTP ${response.status}`);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

export interface LabResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function graph<T = Record<string, unknown>>(
  lab: LabTenant,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<LabResponse<T>> {
  const url = path.startsWith('http') ? path : `${lab.url}${path}`;
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      'user-agent': 'tpm-doctor-tests/0',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === '' ? undefined : JSON.parse(text)) as T,
  };
}

export interface Page<T> {
  '@odata.context': string;
  '@odata.nextLink'?: string;
  value: T[];
}

/** Follows @odata.nextLink to the end; returns every page. */
export async function allPages<T>(lab: LabTenant, token: string, path: string): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let next: string | undefined = path;
  while (next !== undefined) {
    const r: LabResponse<Page<T>> = await graph<Page<T>>(lab, token, next);
    if (r.status !== 200) throw new Error(`page: HTTP ${r.status}: ${JSON.stringify(r.body)}`);
    pages.push(r.body);
    next = r.body['@odata.nextLink'];
  }
  return pages;
}

/** First device index in the lab with this condition. */
export function deviceWith(lab: LabTenant, condition: string, skip = 0): number {
  let seen = 0;
  for (let i = 0; i < lab.devices.size; i++) {
    if (lab.devices.condition(i) === condition && seen++ === skip) return i;
  }
  throw new Error(`no ${condition} device in this lab`);
}
