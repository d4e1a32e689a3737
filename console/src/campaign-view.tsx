import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  AbandonResponse,
  CampaignDetailResponse,
  CampaignDeviceState,
  CampaignEndEvent,
  CampaignProgressEvent,
  CampaignRunningEvent,
  StartedResponse,
} from '../../src/console/api-types.js';
import { postJson } from './api.js';
import { deviceHref } from './route.js';
import { SessionEvents } from './session-events.js';
import { t } from './texts.js';

interface State {
  detail: CampaignDetailResponse | null;
  counts: Record<string, number>;
  devices: Map<string, CampaignDeviceState>;
  running: boolean;
  status: string;
  /** The status in the console's language (the server's word for `status`). */
  statusTitle: string;
  error: string | null;
  /** Devices still open (the snapshot's, then the progress events'). */
  open: number;
  /** `fleet status ID`'s created, deadline and devices lines (the devices line kept current). */
  fields: { label: string; value: string }[];
  /** The last progress line of a run here (`fleet sync`'s terminal line), null before one. */
  line: string | null;
}

/**
 * One campaign, live: its phase counts and devices from Server-Sent Events (a snapshot first,
 * then each change; SessionEvents reconnects with Last-Event-ID as EventSource does), and stop,
 * resume and abandon as `fleet sync`'s Ctrl-C, `fleet resume` and `fleet abandon` do them. The
 * stream is followed (`?follow=1`): it stays open after a run ends, so whatever this or any other
 * page does next (a resume, an abandon) shows here too; a stream that breaks is reconnected
 * (session-events.ts), which reads the state again.
 */
export function CampaignView(props: {
  id: string;
  onTenant: (t: { name: string; lab: string | null }) => void;
}) {
  const { id } = props;
  const [state, setState] = useState<State | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const [askAbandon, setAskAbandon] = useState(false);
  const [abandoned, setAbandoned] = useState<AbandonResponse | null>(null);
  // The question takes the focus, on its safe answer, so a keyboard user reads it first.
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (askAbandon) keep.current?.focus();
  }, [askAbandon]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    const events = new SessionEvents(`/api/campaigns/${encodeURIComponent(id)}/events?follow=1`);
    const read = <T,>(e: Event) => JSON.parse((e as MessageEvent<string>).data) as T;
    events.addEventListener('snapshot', (e) => {
      const detail = read<CampaignDetailResponse>(e);
      props.onTenant({ name: detail.tenant, lab: detail.labLabel });
      setState({
        detail,
        counts: detail.status.counts,
        devices: new Map(detail.devices.map((d) => [d.deviceId, d])),
        running: detail.running,
        status: detail.status.status,
        statusTitle: detail.status.statusTitle,
        error: null,
        open: detail.status.open,
        fields: detail.fields,
        line: null,
      });
    });
    events.addEventListener('running', (e) => {
      const running = read<CampaignRunningEvent>(e);
      setState((s) =>
        s === null
          ? s
          : { ...s, running: true, status: running.status, statusTitle: running.statusTitle, error: null },
      );
    });
    events.addEventListener('progress', (e) => {
      const progress = read<CampaignProgressEvent>(e);
      setState((s) =>
        s === null
          ? s
          : {
              ...s,
              counts: progress.counts,
              open: progress.total - progress.done,
              line: progress.line,
              fields: s.fields.map((f, i) =>
                i === s.fields.length - 1 ? { label: f.label, value: progress.devicesText } : f,
              ),
              running: true,
              status: 'running',
              statusTitle: progress.statusTitle,
            },
      );
    });
    events.addEventListener('device', (e) => {
      const device = read<CampaignDeviceState>(e);
      setState((s) => {
        if (s === null) return s;
        const devices = new Map(s.devices);
        devices.set(device.deviceId, device);
        return { ...s, devices };
      });
    });
    events.addEventListener('end', (e) => {
      const end = read<CampaignEndEvent>(e);
      setState((s) =>
        s === null
          ? s
          : { ...s, running: false, status: end.status, statusTitle: end.statusTitle, error: end.error },
      );
    });
    events.onerror = () => {
      if (events.readyState === SessionEvents.CLOSED) setProblem(t.streamClosed);
    };
    return () => events.close();
  }, [id, generation]);

  const act = async (verb: 'stop' | 'resume' | 'abandon') => {
    setProblem(null);
    setAskAbandon(false);
    try {
      if (verb === 'abandon')
        setAbandoned(await postJson<AbandonResponse>(`/api/campaigns/${encodeURIComponent(id)}/abandon`, {}));
      else await postJson<StartedResponse>(`/api/campaigns/${encodeURIComponent(id)}/${verb}`, {});
      // The followed stream brings the change (the end of a stopped run, a resumed run's events).
    } catch (e) {
      setProblem((e as Error).message);
      // Refused (another page acted first, say): read the campaign's state again, not keep ours.
      setGeneration((g) => g + 1);
    }
  };

  const devices = state === null ? [] : [...state.devices.values()];
  return (
    <>
      <p>
        <a href="#/">{t.fleet}</a>
      </p>
      <h1 tabIndex={-1} ref={heading}>
        {t.campaign} {id}
      </h1>
      {state === null && <p aria-live="polite">{t.loadingCampaign}</p>}
      {problem !== null && <p role="alert">{problem}</p>}
      {state !== null && state.detail !== null && (
        <>
          <p class="run">
            {state.detail.status.actionTitle} · <bdi class="record">{state.detail.status.selection}</bdi>
          </p>
          <dl class="campaign-fields">
            {state.fields.map((f) => (
              <div key={f.label}>
                <dt>{f.label}</dt> <dd>{f.value}</dd>
              </div>
            ))}
          </dl>
          <p role="status" class="campaign-status">
            {t.statusIs}
            <strong>{state.statusTitle}</strong>
            {state.running ? t.runningHere : ''}
          </p>
          {state.running && state.line !== null && <p class="run progress-line">{state.line}</p>}
          {state.error !== null && <p role="alert">{state.error}</p>}
          <div class="filters">
            {state.running && (
              <button type="button" onClick={() => void act('stop')}>
                {t.stop}
              </button>
            )}
            {!state.running && state.status !== 'finished' && state.status !== 'abandoned' && (
              <button type="button" onClick={() => void act('resume')}>
                {t.resume}
              </button>
            )}
            {state.status !== 'finished' && state.status !== 'abandoned' && !askAbandon && (
              <button type="button" onClick={() => setAskAbandon(true)}>
                {t.abandon}
              </button>
            )}
          </div>
          {askAbandon && state.status !== 'finished' && state.status !== 'abandoned' && (
            <section class="confirm-abandon" role="alertdialog" aria-labelledby="abandon-ask">
              <h2 id="abandon-ask">{t.abandonAsk}</h2>
              <p>{t.abandonMeans(state.open)}</p>
              <div class="filters">
                <button type="button" onClick={() => void act('abandon')}>
                  {t.abandonForGood}
                </button>
                <button type="button" ref={keep} onClick={() => setAskAbandon(false)}>
                  {t.keepCampaign}
                </button>
              </div>
            </section>
          )}
          {abandoned !== null && (
            <section class="not-done" aria-label={abandoned.abandonedText}>
              <p>{abandoned.abandonedText}</p>
              {abandoned.notDoneLines.length > 0 && (
                <>
                  <p>
                    <strong>{abandoned.notDoneLines[0]}</strong>
                  </p>
                  <ul class="plan-devices">
                    {abandoned.notDoneLines.slice(1).map((line) => (
                      <li key={line}>
                        <bdi>{line}</bdi>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </section>
          )}
          <table class="bars phases">
            <caption>{t.byPhase}</caption>
            <tbody>
              {state.detail.phases.map((phase) => (
                <tr key={phase.id}>
                  <th scope="row">{phase.title}</th>
                  <td class="num" data-phase={phase.id}>
                    {(state.counts[phase.id] ?? 0).toLocaleString('en-US')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="devices campaign-devices">
            <caption>{t.sampleDevices(devices.length, state.detail.status.total)}</caption>
            <thead>
              <tr>
                <th scope="col">{t.device}</th>
                <th scope="col">{t.phase}</th>
                <th scope="col">{t.note}</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.deviceId}>
                  <td>
                    <a href={deviceHref(d.deviceId)}>
                      <bdi>{d.deviceName ?? d.deviceId}</bdi>
                    </a>
                  </td>
                  <td class={`phase-${d.phase}`}>{d.phaseTitle}</td>
                  <td>{d.noteText ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
