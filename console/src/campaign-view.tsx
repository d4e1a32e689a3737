import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  AbandonResponse,
  CampaignDetailResponse,
  CampaignDeviceState,
  CampaignEndEvent,
  CampaignProgressEvent,
  StartedResponse,
} from '../../src/console/api-types.js';
import { postJson } from './api.js';
import { deviceHref } from './route.js';
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
}

/**
 * One campaign, live: its phase counts and devices from Server-Sent Events (a snapshot first,
 * then each change; EventSource reconnects with Last-Event-ID by itself), and stop, resume and
 * abandon as `fleet sync`'s Ctrl-C, `fleet resume` and `fleet abandon` do them.
 */
export function CampaignView(props: {
  id: string;
  onTenant: (t: { name: string; lab: string | null }) => void;
}) {
  const { id } = props;
  const [state, setState] = useState<State | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    const events = new EventSource(`/api/campaigns/${encodeURIComponent(id)}/events`);
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
      });
    });
    events.addEventListener('progress', (e) => {
      const progress = read<CampaignProgressEvent>(e);
      setState((s) =>
        s === null
          ? s
          : {
              ...s,
              counts: progress.counts,
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
      events.close();
      setState((s) =>
        s === null
          ? s
          : { ...s, running: false, status: end.status, statusTitle: end.statusTitle, error: end.error },
      );
    });
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED) setProblem(t.streamClosed);
    };
    return () => events.close();
  }, [id, generation]);

  const act = async (verb: 'stop' | 'resume' | 'abandon') => {
    setProblem(null);
    try {
      if (verb === 'abandon')
        await postJson<AbandonResponse>(`/api/campaigns/${encodeURIComponent(id)}/abandon`, {});
      else await postJson<StartedResponse>(`/api/campaigns/${encodeURIComponent(id)}/${verb}`, {});
      // A fresh snapshot after the change (and the events of a resumed run).
      setGeneration((g) => g + 1);
    } catch (e) {
      setProblem((e as Error).message);
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
            {state.detail.status.actionTitle} · <bdi class="record">{state.detail.status.selection}</bdi> ·{' '}
            {t.deadline} {state.detail.status.deadline.slice(0, 16).replace('T', ' ')}
          </p>
          <p role="status" class="campaign-status">
            {t.statusIs}
            <strong>{state.statusTitle}</strong>
            {state.running ? t.runningHere : ''}
          </p>
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
            {state.status !== 'finished' && state.status !== 'abandoned' && (
              <button type="button" onClick={() => void act('abandon')}>
                {t.abandon}
              </button>
            )}
          </div>
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
