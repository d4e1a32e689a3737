/** The views, addressed by the URL's fragment so the server serves one page and the back button works. */
export type Route =
  | { view: 'fleet'; params: URLSearchParams }
  | { view: 'device'; id: string }
  | { view: 'campaign'; id: string }
  | { view: 'this-device' };

export function readRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '/this-device') return { view: 'this-device' };
  const device = /^\/(device|campaign)\/([^?]+)$/.exec(path);
  if (device) {
    try {
      return { view: device[1] as 'device' | 'campaign', id: decodeURIComponent(device[2]!) };
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

export function campaignHref(id: string): string {
  return `#/campaign/${encodeURIComponent(id)}`;
}

/**
 * Shows `params` in the fleet view. A change of a filter replaces the history entry (a select's
 * arrow keys would otherwise leave one entry per option passed); paging and a search are
 * navigation and push one.
 */
export function showFleet(params: URLSearchParams, how: 'push' | 'replace'): void {
  const href = fleetHref(params);
  if (how === 'push') {
    location.hash = href;
    return;
  }
  history.replaceState(history.state, '', href);
  // replaceState fires no hashchange: tell the app the route changed.
  dispatchEvent(new HashChangeEvent('hashchange'));
}
