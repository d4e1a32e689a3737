import { useEffect, useState } from 'preact/hooks';
import type { ApiEnvelope } from '../../src/console/api-types.js';
import { getJson } from './api.js';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'failed'; message: string }
  | { state: 'ok'; data: T };

/**
 * Loads `path` whenever it (or `reload`, a counter the caller raises to read again) changes; an
 * answer to an older path is dropped.
 */
export function useApi<T extends ApiEnvelope>(
  path: string,
  onTenant: (t: { name: string; lab: string | null }) => void,
  reload = 0,
): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    const abort = new AbortController();
    setLoaded((previous) => (previous.state === 'ok' ? previous : { state: 'loading' }));
    getJson<T>(path, abort.signal).then(
      (data) => {
        onTenant({ name: data.tenant, lab: data.labLabel });
        setLoaded({ state: 'ok', data });
      },
      (e: Error) => {
        if (!abort.signal.aborted) setLoaded({ state: 'failed', message: e.message });
      },
    );
    return () => abort.abort();
  }, [path, reload]);
  return loaded;
}
