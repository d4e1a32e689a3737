import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  CampaignsResponse,
  DeviceListResponse,
  FleetResponse,
  StartedResponse,
  TriageEndEvent,
  TriageProgressEvent,
} from '../../src/console/api-types.js';
import { getJson, postJson } from './api.js';
import { CampaignPlanner } from './campaign-planner.js';
import { campaignHref, deviceHref, fleetHref, showFleet } from './route.js';
import { SessionEvents } from './session-events.js';
import { t } from './texts.js';
import { type Loaded, useApi } from './use-api.js';

const PAGE_SIZE = 50;
/** The table's filters, as /api/fleet/devices names them; the campaign planner sends the same. */
const FILTERS = [
  'class',
  'safety',
  'blocker',
  'model',
  'tpmManufacturer',
  'firmware',
  'errorCode',
  'notSyncedFor',
] as const;
/** The last-sync choices: more than this long before the triage read it, or not known. */
const SYNC_AGES = ['1d', '7d', '30d', '90d'] as const;

/** The same parameters with one changed (and the page back to 1: a new filter starts at the top). */
function withParam(params: URLSearchParams, name: string, value: string): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === '') next.delete(name);
  else next.set(name, value);
  if (name !== 'page') next.delete('page');
  return next;
}

function titleOf(list: { id: string; title: string }[], id: string): string {
  return list.find((x) => x.id === id)?.title ?? id;
}

/** A fact's values as /api/fleet counts them, most frequent first, `unknown` included. */
/** A filter's choice; `fact` marks a value Graph reported. */
interface Choice {
  id: string;
  title: string;
  fact?: boolean;
}

/** A fact filter's choices: Graph's own values (data, not the page's words: `fact`), and unknown. */
function factChoices(values: { value: string; devices: number }[]): Choice[] {
  return values.map((v) => ({
    id: v.value,
    title: `${v.value === 'unknown' ? t.unknown : v.value} (${v.devices.toLocaleString('en-US')})`,
    fact: v.value !== 'unknown',
  }));
}

function date(iso: string | null): string {
  return iso === null ? t.never : iso.slice(0, 10);
}

/** A stored time to the second, in UTC as the CLI prints it ("2026-12-07 21:06:16 UTC"). */
function utcTime(iso: string): string {
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}

/** How often an open fleet view asks whether a newer triage finished (another tab, the CLI). */
const NEWER_RUN_CHECK_MS = 15_000;

/**
 * The id of a finished triage newer than `shown`, when there is one: asked when the tab comes
 * back into view and every NEWER_RUN_CHECK_MS while it is open (the answer is the server's
 * cached copy of the latest run).
 */
function useNewerRun(shown: number | null): number | null {
  const [newer, setNewer] = useState<number | null>(null);
  useEffect(() => {
    setNewer(null);
    if (shown === null) return;
    const check = () => {
      if (document.visibilityState !== 'visible') return;
      getJson<FleetResponse>('/api/fleet').then(
        (f) => {
          if (f.run !== null && f.run.id !== shown) setNewer(f.run.id);
        },
        () => undefined,
      );
    };
    const timer = setInterval(check, NEWER_RUN_CHECK_MS);
    document.addEventListener('visibilitychange', check);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', check);
    };
  }, [shown]);
  return newer;
}

/** The fleet: the latest triage's figures, then its devices with filters, search and paging. */
export function FleetView(props: {
  params: URLSearchParams;
  onTenant: (t: { name: string; lab: string | null }) => void;
}) {
  // Raised when a triage finished (here or in another tab): the view reads the newest run.
  const [reads, setReads] = useState(0);
  const fleet = useApi<FleetResponse>('/api/fleet', props.onTenant, reads);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const newer = useNewerRun(fleet.state === 'ok' ? (fleet.data.run?.id ?? null) : null);
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.fleet}
      </h1>
      <TriageRunner onFinished={() => setReads((n) => n + 1)} />
      {newer !== null && (
        <p role="status" class="newer-run">
          {t.newerRun(newer)}{' '}
          <button type="button" onClick={() => setReads((n) => n + 1)}>
            {t.showNewerRun}
          </button>
        </p>
      )}
      {fleet.state === 'loading' && <p aria-live="polite">{t.loadingTriage}</p>}
      {fleet.state === 'failed' && <p role="alert">{fleet.message}</p>}
      {fleet.state === 'ok' && (
        <FleetBody fleet={fleet.data} params={props.params} onTenant={props.onTenant} />
      )}
    </>
  );
}

function FleetBody(props: {
  fleet: FleetResponse;
  params: URLSearchParams;
  onTenant: (t: { name: string; lab: string | null }) => void;
}) {
  const { fleet, params } = props;
  if (fleet.run === null || fleet.figures === null) return <p role="status">{fleet.message}</p>;
  const f = fleet.figures;
  // The bars compare the classes that need action with each other: scaled to all devices, every
  // one of them is a sliver beside Healthy (whose count stands alone, as a number).
  const largestNeed = Math.max(
    1,
    ...fleet.classes.filter((c) => c.needsAction).map((c) => f.byClass[c.id] ?? 0),
  );
  return (
    <>
      <p class="run">
        {t.triageRunAt(fleet.run.id, utcTime(fleet.run.createdAt))}
        <bdi>{fleet.store}</bdi>
      </p>
      <section aria-labelledby="figures-title">
        <h2 id="figures-title">{t.figures}</h2>
        <ul class="cards">
          <li>
            <span class="figure">{f.devices.toLocaleString('en-US')}</span> {t.devicesFigure}
          </li>
          <li>
            <span class="figure">{f.needingAction.toLocaleString('en-US')}</span> {t.needAction}
          </li>
          <li>
            <span class="figure">{(f.byClearSafety.safe ?? 0).toLocaleString('en-US')}</span> {t.safeToClear}
          </li>
          <li>
            <span class="figure">{(f.byClearSafety.blocked ?? 0).toLocaleString('en-US')}</span>{' '}
            {t.clearBlocked}
          </li>
          <li>
            <span class="figure">{(f.byClearSafety.unknown ?? 0).toLocaleString('en-US')}</span>{' '}
            {titleOf(fleet.clearSafeties, 'unknown')}
          </li>
        </ul>
        {fleet.classes.some((c) => (f.byClass[c.id] ?? 0) > 0) && (
          <table class="bars">
            <caption>{t.byClass}</caption>
            <tbody>
              {fleet.classes
                .filter((c) => (f.byClass[c.id] ?? 0) > 0)
                .map((c) => (
                  <tr key={c.id}>
                    <th scope="row">
                      {c.needsAction ? (
                        <a href={fleetHref(withParam(new URLSearchParams(), 'class', c.id))}>{c.title}</a>
                      ) : (
                        c.title
                      )}
                    </th>
                    <td>
                      {c.needsAction && (
                        <meter min={0} max={largestNeed} value={f.byClass[c.id] ?? 0} aria-label={c.title} />
                      )}
                    </td>
                    <td class="num">{(f.byClass[c.id] ?? 0).toLocaleString('en-US')}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </section>
      <DeviceTable fleet={fleet} params={params} onTenant={props.onTenant} />
      <CampaignList onTenant={props.onTenant} />
    </>
  );
}

/** The campaigns the list shows before "Show all". */
const CAMPAIGNS_SHOWN = 20;

/** This tenant's campaigns, newest first, each linking to its live page; the newest 20 until "Show all". */
function CampaignList(props: { onTenant: (t: { name: string; lab: string | null }) => void }) {
  const list = useApi<CampaignsResponse>('/api/campaigns', props.onTenant);
  const [all, setAll] = useState(false);
  if (list.state !== 'ok' || list.data.campaigns.length === 0) return null;
  const total = list.data.campaigns.length;
  const shown = all ? list.data.campaigns : list.data.campaigns.slice(0, CAMPAIGNS_SHOWN);
  return (
    <section aria-labelledby="campaigns-title">
      <h2 id="campaigns-title">{t.campaigns}</h2>
      <table class="devices">
        <thead>
          <tr>
            <th scope="col">{t.campaign}</th>
            <th scope="col">{t.action}</th>
            <th scope="col">{t.status}</th>
            <th scope="col">{t.devices}</th>
            <th scope="col">{t.compliant}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((c) => (
            <tr key={c.id}>
              <td>
                <a href={campaignHref(c.id)}>
                  <code>{c.id}</code>
                </a>
              </td>
              <td>{c.actionTitle}</td>
              <td>{c.statusTitle}</td>
              <td class="num">{c.devices.toLocaleString('en-US')}</td>
              <td class="num">{(c.byPhase.compliant ?? 0).toLocaleString('en-US')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > CAMPAIGNS_SHOWN && (
        <p class="note campaigns-shown">
          {t.campaignsShown(shown.length, total)}{' '}
          <button type="button" onClick={() => setAll(!all)}>
            {all ? t.showNewestCampaigns(CAMPAIGNS_SHOWN) : t.showAllCampaigns(total)}
          </button>
        </p>
      )}
    </section>
  );
}

function DeviceTable(props: {
  fleet: FleetResponse;
  params: URLSearchParams;
  onTenant: (t: { name: string; lab: string | null }) => void;
}) {
  const { fleet, params } = props;
  const query = new URLSearchParams();
  for (const name of [...FILTERS, 'q', 'page'] as const) {
    const value = params.get(name);
    if (value) query.set(name, value);
  }
  query.set('pageSize', String(PAGE_SIZE));
  const devices: Loaded<DeviceListResponse> = useApi(`/api/fleet/devices?${query}`, props.onTenant);
  const onSearch = (event: Event) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).elements.namedItem('q') as HTMLInputElement;
    showFleet(withParam(params, 'q', input.value.trim()), 'push');
  };
  // The search box shows what is applied; text typed but not applied holds the campaign planner
  // (its selection would not be what the box says) until Search applies it or it is cleared.
  const applied = params.get('q') ?? '';
  const [typed, setTyped] = useState(applied);
  useEffect(() => setTyped(applied), [applied]);
  const searchPending = typed.trim() !== applied;
  // A page past the last (an old bookmark, a hand-made URL): the last page, said once.
  const [clamped, setClamped] = useState<number | null>(null);
  const listed = devices.state === 'ok' ? devices.data : null;
  useEffect(() => {
    if (listed !== null && listed.pages > 0 && listed.page > listed.pages) {
      setClamped(listed.page);
      showFleet(withParam(params, 'page', String(listed.pages)), 'replace');
    }
  }, [listed]);
  const select = (name: (typeof FILTERS)[number], label: string, options: Choice[]) => (
    <label>
      {label}
      <select
        name={name}
        value={params.get(name) ?? ''}
        onChange={(e) =>
          showFleet(withParam(params, name, (e.currentTarget as HTMLSelectElement).value), 'replace')
        }
      >
        <option value="">{t.any}</option>
        {options.map((o) => (
          <option key={o.id} value={o.id} class={o.fact ? 'fact' : undefined}>
            {o.title}
          </option>
        ))}
      </select>
    </label>
  );
  const page = devices.state === 'ok' ? devices.data : null;
  return (
    <section aria-labelledby="devices-title">
      <h2 id="devices-title">{t.devicesNeedingAction}</h2>
      <p class="note">{t.healthyNote}</p>
      <form class="filters" onSubmit={onSearch}>
        {select(
          'class',
          t.class,
          fleet.classes.filter((c) => c.needsAction),
        )}
        {select('safety', t.clearSafety, fleet.clearSafeties)}
        {select(
          'blocker',
          t.blocker,
          fleet.blockers.map((b) => ({ id: b.code, title: `${b.code} (${b.devices})` })),
        )}
        {select('model', t.model, factChoices(fleet.facts.models))}
        {select('tpmManufacturer', t.tpmManufacturer, factChoices(fleet.facts.tpmManufacturers))}
        {select('firmware', t.firmware, factChoices(fleet.facts.firmwares))}
        {select('errorCode', t.errorCode, factChoices(fleet.facts.errorCodes))}
        {select('notSyncedFor', t.notSyncedFor, [
          ...SYNC_AGES.map((age) => ({ id: age, title: t.syncOlderThan(age) })),
          { id: 'unknown', title: t.syncUnknown },
        ])}
        <label>
          {t.search}
          <input
            type="search"
            name="q"
            value={typed}
            onInput={(e) => setTyped((e.currentTarget as HTMLInputElement).value)}
            placeholder={t.searchPlaceholder}
          />
        </label>
        <button type="submit">{t.search}</button>
      </form>
      {searchPending && <p class="note">{t.searchNotApplied}</p>}
      {devices.state !== 'failed' && (
        <fieldset class="planner-box" disabled={searchPending}>
          <CampaignPlanner params={params} />
        </fieldset>
      )}
      {devices.state === 'failed' && (
        <div role="alert" class="bad-filter">
          <p>{devices.message}</p>
          <p>
            <a href="#/">{t.showAllDevices}</a>
          </p>
        </div>
      )}
      {devices.state !== 'failed' && (
        <p aria-live="polite" class="count">
          {page === null ? t.loadingDevices : t.matches(page.total, page.page, page.pages)}
          {clamped !== null && page !== null ? ` ${t.pageClamped(clamped, page.pages)}` : ''}
        </p>
      )}
      {page !== null && page.devices.length > 0 && (
        <table class="devices">
          <caption class="visually-hidden">{t.devicesOfRun(page.run)}</caption>
          <thead>
            <tr>
              <th scope="col">{t.device}</th>
              <th scope="col">{t.class}</th>
              <th scope="col">{t.clearSafety}</th>
              <th scope="col">{t.blockedBy}</th>
              <th scope="col">{t.lastSync}</th>
            </tr>
          </thead>
          <tbody>
            {page.devices.map((d) => (
              <tr key={d.deviceId}>
                <td>
                  <a href={deviceHref(d.deviceId)}>
                    <bdi>{d.deviceName ?? d.deviceId}</bdi>
                  </a>
                </td>
                <td>{titleOf(fleet.classes, d.triageClass)}</td>
                <td class={`safety-${d.clearSafety}`}>{titleOf(fleet.clearSafeties, d.clearSafety)}</td>
                <td>{d.blockers.join(', ')}</td>
                <td>{date(d.lastSync)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page !== null && page.pages > 1 && (
        <nav class="pager" aria-label={t.pages}>
          <button
            type="button"
            disabled={page.page <= 1}
            onClick={() => showFleet(withParam(params, 'page', String(page.page - 1)), 'push')}
          >
            {t.previousPage}
          </button>
          <button
            type="button"
            disabled={page.page >= page.pages}
            onClick={() => showFleet(withParam(params, 'page', String(page.page + 1)), 'push')}
          >
            {t.nextPage}
          </button>
        </nav>
      )}
    </section>
  );
}

/** "New triage": `fleet triage` in the console's process, its progress live (Server-Sent Events). */
function TriageRunner(props: { onFinished: () => void }) {
  const [line, setLine] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    try {
      const started = await postJson<StartedResponse>('/api/triage', {});
      setLine(t.triageStarted);
      const events = new SessionEvents(`/api/triage/${encodeURIComponent(started.id)}/events`);
      events.addEventListener('progress', (e) => {
        const p = JSON.parse((e as MessageEvent<string>).data) as TriageProgressEvent;
        setLine(p.text);
      });
      events.addEventListener('end', (e) => {
        events.close();
        const end = JSON.parse((e as MessageEvent<string>).data) as TriageEndEvent;
        if (end.error !== null) {
          setLine(end.error);
          setBusy(false);
        } else {
          // The line stays ("Triage run N finished: ..."); the view reads the new run.
          setLine(end.text);
          setBusy(false);
          props.onFinished();
        }
      });
    } catch (e) {
      setLine((e as Error).message);
      setBusy(false);
    }
  };
  return (
    <div class="triage-runner">
      <button type="button" disabled={busy} onClick={() => void start()}>
        {t.newTriage}
      </button>
      {line !== null && (
        <span role="status" class="triage-progress">
          {line}
        </span>
      )}
    </div>
  );
}
