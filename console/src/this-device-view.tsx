import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ThisDeviceResponse } from '../../src/console/api-types.js';
import { t } from './texts.js';
import { ThisDeviceClear } from './this-device-clear.js';
import { useApi } from './use-api.js';

/**
 * This device: the console's TPM (`--tpm`, or this machine's) as `tpm-doctor status` and
 * `tpm-doctor diagnose` see it: the verdict and its next step, each finding with why and the
 * fix, and what blocks a clear. It reads; it changes nothing.
 */
export function ThisDeviceView(props: { onTenant: (t: { name: string; lab: string | null }) => void }) {
  // Raised after a clear, so the status and diagnosis above it are read again.
  const [reads, setReads] = useState(0);
  const loaded = useApi<ThisDeviceResponse>('/api/this-device', props.onTenant, reads);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.thisDevice}
      </h1>
      {loaded.state === 'loading' && <p aria-live="polite">{t.readingTpm}</p>}
      {loaded.state === 'failed' && <p role="alert">{loaded.message}</p>}
      {loaded.state === 'ok' && <ThisDeviceBody data={loaded.data} />}
      {loaded.state === 'ok' && <ThisDeviceClear onCleared={() => setReads((n) => n + 1)} />}
    </>
  );
}

const SEVERITIES = ['error', 'warning', 'info'] as const;

/** The verdict, status and findings in the words `tpm-doctor diagnose` and `status` print (the server sends them). */
function ThisDeviceBody(props: { data: ThisDeviceResponse }) {
  const { diagnosis, words } = props.data;
  const { verdict } = diagnosis;
  return (
    <>
      <p class="run">
        <bdi>{words.source}</bdi>
      </p>
      <section aria-labelledby="verdict-title">
        <h2 id="verdict-title">{t.verdict}</h2>
        <div role="status">
          <dl class={`verdict verdict-${verdict.status}`}>
            <dt>{words.verdictLabel}</dt>
            <dd>
              <strong>{words.verdict}</strong>
            </dd>
            <dt>{words.nextStepLabel}</dt>
            <dd>
              <strong>{words.nextStep}</strong>
              <p class="action">{verdict.action}</p>
            </dd>
            <dt>{words.clearLabel}</dt>
            <dd class="clear-line">
              <strong>{words.clear}</strong>
              {words.clearDetail}
              {verdict.clearBlockedBy.length > 0 && (
                <ul class="blockers">
                  {verdict.clearBlockedBy.map((b) => (
                    <li key={b.finding}>
                      <code>{b.finding}</code>: {b.reason}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </dl>
        </div>
      </section>
      {words.status.length > 0 && props.data.status !== null && (
        <section aria-labelledby="status-title">
          <h2 id="status-title">{t.status}</h2>
          <dl class="facts">
            {words.status.map((line) => (
              <Fragment key={line.label}>
                <dt>{line.label}</dt>
                <dd>
                  <bdi>{line.value}</bdi>
                </dd>
              </Fragment>
            ))}
          </dl>
          {props.data.status.errors.length > 0 && (
            <>
              <p>{words.couldNotRead}</p>
              <ul>
                {props.data.status.errors.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
      <section aria-labelledby="findings-title">
        <h2 id="findings-title">{t.findings}</h2>
        {diagnosis.findings.length === 0 && <p>{t.noFinding}</p>}
        {SEVERITIES.map((severity) => {
          const group = diagnosis.findings.filter((f) => f.severity === severity);
          if (group.length === 0) return null;
          return (
            <section key={severity} aria-labelledby={`findings-${severity}`}>
              <h3 id={`findings-${severity}`}>{words.severityHeadings[severity]}</h3>
              <ul class="findings">
                {group.map((f) => (
                  <li key={f.id} class={`finding finding-${f.severity}`}>
                    <h4>
                      {f.title} <code>{f.id}</code>
                    </h4>
                    <p>
                      {words.why} {f.why}
                    </p>
                    <p class="fix">
                      {words.fix} {f.remedy.action === verdict.action ? words.seeNextStep : f.remedy.action}
                      {f.remedy.destroysKeys === true ? words.destroysKeys : ''}
                    </p>
                    <p class="note">docs/findings.md#{f.id}</p>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </section>
    </>
  );
}
