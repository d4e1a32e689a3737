import { useEffect, useRef, useState } from 'preact/hooks';
import type { ThisDeviceResponse } from '../../src/console/api-types.js';
import { t } from './texts.js';
import { ThisDeviceClear } from './this-device-clear.js';
import { useApi } from './use-api.js';

function yesNo(value: boolean | null): string {
  return value === null ? 'unknown' : value ? 'yes' : 'no';
}

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

function ThisDeviceBody(props: { data: ThisDeviceResponse }) {
  const { source, status, diagnosis } = props.data;
  const { verdict } = diagnosis;
  return (
    <>
      <p class="run">
        TPM <bdi>{source.tpm}</bdi>
        {source.lab !== null ? ` · lab TPM (${source.lab.join(', ')})` : ''}
      </p>
      <section aria-labelledby="verdict-title">
        <h2 id="verdict-title">{t.verdict}</h2>
        <p role="status" class={`verdict verdict-${verdict.status}`}>
          <strong>{verdict.status}</strong>: next step <strong>{verdict.nextStep}</strong>. {verdict.action}
        </p>
        <p>Clear recommended: {verdict.clearRecommended ? 'yes' : 'no'}</p>
        {verdict.clearBlockedBy.length > 0 && (
          <ul class="blockers">
            {verdict.clearBlockedBy.map((b) => (
              <li key={b.finding}>
                <code>{b.finding}</code> blocks a clear: {b.reason}
              </li>
            ))}
          </ul>
        )}
      </section>
      {status !== null && (
        <section aria-labelledby="status-title">
          <h2 id="status-title">{t.status}</h2>
          <dl class="facts">
            <dt>Present</dt>
            <dd>{yesNo(status.present)}</dd>
            <dt>Manufacturer</dt>
            <dd>{status.manufacturer ?? 'unknown'}</dd>
            <dt>Firmware</dt>
            <dd>{status.firmware ?? 'unknown'}</dd>
            <dt>Specification</dt>
            <dd>{status.specification ?? 'unknown'}</dd>
            <dt>Dictionary-attack lockout</dt>
            <dd>
              {yesNo(status.inLockout)}
              {status.failedTries !== null
                ? ` (${status.failedTries} of ${status.maxTries} failed tries)`
                : ''}
            </dd>
            <dt>Persistent objects</dt>
            <dd>{status.persistentObjects ?? 'unknown'}</dd>
          </dl>
          {status.errors.length > 0 && (
            <ul>
              {status.errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          )}
        </section>
      )}
      <section aria-labelledby="findings-title">
        <h2 id="findings-title">{t.findings}</h2>
        {diagnosis.findings.length === 0 ? (
          <p>{t.noFinding}</p>
        ) : (
          <ul class="findings">
            {diagnosis.findings.map((f) => (
              <li key={f.id} class={`finding finding-${f.severity}`}>
                <h3>
                  {f.title} <code>{f.id}</code> ({f.severity})
                </h3>
                <p>{f.why}</p>
                <p>
                  Fix ({f.remedy.step}): {f.remedy.action}
                </p>
                {f.blocksClear !== undefined && <p>Blocks a clear: {f.blocksClear}</p>}
                <p class="note">docs/findings.md#{f.id}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
