/** The views, addressed by the URL's fragment so the server serves one page and the back button works. */
export type Route = { view: 'fleet'; params: URLSearchParams } | { view: 'device'; id: string };

export function readRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const device = /^\/device\/([^?]+)$/.exec(path);
  if (device) {
    try {
      return { view: 'device', id: decodeURIComponent(device[1]!) };
    } catch {
      return { view: 'fleet', params: new URLSearchParams() };
    }
  }
  const query = path.indexOf('?');
  return { view: 'fleet', params: new URLSearchParams(query < 0 ? '' : path.slice(query + 1)) };
}

export function fleetHref(params: URLSearchParams): string {
  const text = params.toString();
  return text === '' ? '#/' : `#/?${text}`;
}

export function deviceHref(id: string): string {
  return `#/device/${encodeURIComponent(id)}`;
}
