import { useEffect, useRef } from 'preact/hooks';
import type { DeviceResponse } from '../../src/console/api-types.js';
import { campaignHref } from './route.js';
import { useApi } from './use-api.js';

/** One device: its facts in the latest triage, why, what blocks a clear, and its campaigns. */
export function DeviceView(props: {
  id: string;
  onTenant: (t: { name: string; lab: string | null }) => void;
}) {
  const loaded = useApi<DeviceResponse>(`/api/devices/${encodeURIComponent(props.id)}`, props.onTenant);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [loaded.state]);
  const back = (
    <p>
      <a href="#/">← Fleet</a>
    </p>
  );
  if (loaded.state !== 'ok') {
    return (
      <>
        {back}
        <h1 tabIndex={-1} ref={heading}>
          Device
        </h1>
        {loaded.state === 'loading' ? (
          <p aria-live="polite">Loading…</p>
        ) : (
          <p role="alert">{loaded.message}</p>
        )}
      </>
    );
  }
  const { device, campaigns } = loaded.data;
  return (
    <>
      {back}
      <h1 tabIndex={-1} ref={heading}>
        <bdi>{device.deviceName ?? device.deviceId}</bdi>
      </h1>
      <dl class="facts">
        <dt>Class</dt>
        <dd>{device.classTitle}</dd>
        <dt>Clear safety</dt>
        <dd class={`safety-${device.clearSafety}`}>{device.clearSafetyTitle}</dd>
        <dt>Last sync</dt>
        <dd>{device.lastSync ?? 'never'}</dd>
        <dt>Intune device id</dt>
        <dd>
          <code>{device.deviceId}</code>
        </dd>
        <dt>Entra ID device id</dt>
        <dd>{device.azureAdDeviceId === null ? 'none' : <code>{device.azureAdDeviceId}</code>}</dd>
        <dt>Triage run</dt>
        <dd>{loaded.data.run}</dd>
      </dl>
      {device.remedy !== null && (
        <section aria-labelledby="next-title">
          <h2 id="next-title">Next step for this class</h2>
          <p>{device.remedy}</p>
        </section>
      )}
      <section aria-labelledby="why-title">
        <h2 id="why-title">Why</h2>
        {device.reasons.length === 0 ? (
          <p>Nothing to report.</p>
        ) : (
          <ul>
            {device.reasons.map((r, i) => (
              <li key={i}>
                <bdi>{r}</bdi>
              </li>
            ))}
          </ul>
        )}
      </section>
      {device.blockers.length > 0 && (
        <section aria-labelledby="blockers-title">
          <h2 id="blockers-title">What blocks a clear</h2>
          <ul>
            {device.blockers.map((b) => (
              <li key={b.code}>
                <code>{b.code}</code>: <bdi>{b.reason}</bdi>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="campaigns-title">
        <h2 id="campaigns-title">Campaigns</h2>
        {campaigns.length === 0 ? (
          <p>No campaign has included this device.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Action</th>
                <th scope="col">Status</th>
                <th scope="col">Device phase</th>
                <th scope="col">Compliant at</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={campaignHref(c.id)}>
                      <code>{c.id}</code>
                    </a>
                  </td>
                  <td>{c.action}</td>
                  <td>{c.status}</td>
                  <td>
                    {c.phase}
                    {c.error === null ? '' : ` (${c.error})`}
                  </td>
                  <td>{c.compliantAt ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
