import { useEffect, useRef } from 'preact/hooks';
import type { DeviceResponse } from '../../src/console/api-types.js';
import { campaignHref } from './route.js';
import { t } from './texts.js';
import { useApi } from './use-api.js';

/** A fact triage could not read is `unknown` in the API (a code); the page says it in its language. */
function fact(value: string): string {
  return value === 'unknown' ? t.unknown : value;
}

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
      <a href="#/">← {t.fleet}</a>
    </p>
  );
  if (loaded.state !== 'ok') {
    return (
      <>
        {back}
        <h1 tabIndex={-1} ref={heading}>
          {t.device}
        </h1>
        {loaded.state === 'loading' ? (
          <p aria-live="polite">{t.loading}</p>
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
        <dt>{t.class}</dt>
        <dd>{device.classTitle}</dd>
        <dt>{t.clearSafety}</dt>
        <dd class={`safety-${device.clearSafety}`}>{device.clearSafetyTitle}</dd>
        <dt>{t.lastSync}</dt>
        <dd>{device.lastSync ?? t.never}</dd>
        <dt>{t.intuneDeviceId}</dt>
        <dd>
          <code>{device.deviceId}</code>
        </dd>
        <dt>{t.entraDeviceId}</dt>
        <dd>{device.azureAdDeviceId === null ? t.none : <code>{device.azureAdDeviceId}</code>}</dd>
        <dt>{t.triageRunLabel}</dt>
        <dd>{loaded.data.run}</dd>
      </dl>
      <section aria-labelledby="facts-title">
        <h2 id="facts-title">{t.intuneFacts}</h2>
        <dl class="intune-facts">
          <dt>{t.manufacturer}</dt>
          <dd>
            <bdi>{fact(device.facts.manufacturer)}</bdi>
          </dd>
          <dt>{t.model}</dt>
          <dd>
            <bdi>{fact(device.facts.model)}</bdi>
          </dd>
          <dt>{t.tpmManufacturer}</dt>
          <dd>
            <bdi>{fact(device.facts.tpmManufacturer)}</bdi>
          </dd>
          <dt>{t.tpmVersion}</dt>
          <dd>
            <bdi>{fact(device.facts.tpmVersion)}</bdi>
          </dd>
          <dt>{t.firmware}</dt>
          <dd>
            <bdi>{fact(device.facts.firmware)}</bdi>
          </dd>
        </dl>
        {device.facts.settingErrors.length > 0 && (
          <table class="setting-errors">
            <caption>{t.failingSettings}</caption>
            <thead>
              <tr>
                <th scope="col">{t.setting}</th>
                <th scope="col">{t.settingState}</th>
                <th scope="col">{t.errorCode}</th>
              </tr>
            </thead>
            <tbody>
              {device.facts.settingErrors.map((e, i) => (
                <tr key={i}>
                  <td>
                    <bdi>{e.setting}</bdi>
                  </td>
                  <td>
                    <bdi>{e.status}</bdi>
                  </td>
                  <td>
                    <code>{fact(e.errorCode)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {device.remedy !== null && (
        <section aria-labelledby="next-title">
          <h2 id="next-title">{t.classNextStep}</h2>
          <p>{device.remedy}</p>
        </section>
      )}
      <section aria-labelledby="why-title">
        <h2 id="why-title">{t.why}</h2>
        {device.reasons.length === 0 ? (
          <p>{t.nothingToReport}</p>
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
          <h2 id="blockers-title">{t.whatBlocksClear}</h2>
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
        <h2 id="campaigns-title">{t.campaigns}</h2>
        {campaigns.length === 0 ? (
          <p>{t.noDeviceCampaign}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.campaign}</th>
                <th scope="col">{t.action}</th>
                <th scope="col">{t.status}</th>
                <th scope="col">{t.devicePhase}</th>
                <th scope="col">{t.compliantAt}</th>
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
                  <td>{c.actionTitle}</td>
                  <td>{c.statusTitle}</td>
                  <td>
                    {c.phaseTitle}
                    {c.errorText === null ? '' : ` (${c.errorText})`}
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
