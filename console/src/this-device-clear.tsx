import { useState } from 'preact/hooks';
import type {
  ThisDeviceClearPlanResponse,
  ThisDeviceClearResponse,
  ThisDeviceRunResponse,
} from '../../src/console/api-types.js';
import { postJson } from './api.js';
import { ClearApprovalFields } from './clear-approval-fields.js';
import { t } from './texts.js';

/**
 * The clear of this device's TPM, as `tpm-doctor clear` does it: the dry run (the diagnosis and
 * the gate, each check with its evidence), then, when the gate allows, the approval when it asks
 * for one and the typed CLEAR; the server checks each again and runs the gate once more before
 * acting. The result is the run read back: its steps, the proof, the receipt and its check.
 */
export function ThisDeviceClear(props: { onCleared: () => void }) {
  const [plan, setPlan] = useState<ThisDeviceClearPlanResponse | null>(null);
  const [result, setResult] = useState<ThisDeviceClearResponse | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [purpose, setPurpose] = useState<'repair' | 'decommission'>('repair');

  const dryRun = async () => {
    setBusy(true);
    setProblem(null);
    setPlan(null);
    setResult(null);
    try {
      setPlan(await postJson<ThisDeviceClearPlanResponse>('/api/this-device/clear/plan', { purpose }));
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const clear = async (event: Event) => {
    event.preventDefault();
    if (plan?.planId == null) return;
    const form = (event.currentTarget as HTMLFormElement).elements;
    const field = (name: string) => (form.namedItem(name) as HTMLInputElement | null)?.value ?? '';
    setBusy(true);
    setProblem(null);
    try {
      const answer = await postJson<ThisDeviceClearResponse>('/api/this-device/clear', {
        planId: plan.planId,
        ...(plan.needsApproval ? { approvedBy: field('approvedBy'), ticket: field('ticket') } : {}),
        confirm: field('confirm'),
      });
      setPlan(null);
      setResult(answer);
      props.onCleared();
    } catch (e) {
      setProblem((e as Error).message);
      // A refused plan is spent (or was never valid): the admin dry runs again.
      if (!/type CLEAR|needs who approved|go together/.test((e as Error).message)) setPlan(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="planner" aria-labelledby="clear-title">
      <h2 id="clear-title">{t.clearTitle}</h2>
      <p class="note">{t.clearNote}</p>
      <div class="filters">
        <label for="clear-purpose">{t.clearPurpose}</label>
        <select
          id="clear-purpose"
          value={purpose}
          onChange={(e) => {
            setPurpose((e.currentTarget as HTMLSelectElement).value as 'repair' | 'decommission');
            setPlan(null);
          }}
        >
          <option value="repair">{t.clearRepair}</option>
          <option value="decommission">{t.clearDecommission}</option>
        </select>
        <button type="button" disabled={busy} onClick={() => void dryRun()}>
          {t.clearDryRun}
        </button>
      </div>
      {busy && <p aria-live="polite">{t.readingTpm}</p>}
      {problem !== null && <p role="alert">{problem}</p>}
      {plan !== null && <ClearGate plan={plan} busy={busy} onSubmit={(e) => void clear(e)} />}
      {result !== null && (
        <RunReadBack run={result} failure={result.failure} instruction={result.instruction} />
      )}
    </section>
  );
}

function ClearGate(props: {
  plan: ThisDeviceClearPlanResponse;
  busy: boolean;
  onSubmit: (e: Event) => void;
}) {
  const { plan } = props;
  return (
    <form class="plan" onSubmit={props.onSubmit} aria-label={t.clearDryRun}>
      <h3>{t.clearGateTitle}</h3>
      <p role="status" class={plan.gate.passed ? 'gate-passed' : 'gate-refused'}>
        {plan.gate.passed ? t.gatePassed : t.gateRefused} ({plan.method}, {plan.purpose}; TPM{' '}
        <bdi>{plan.tpm}</bdi>)
      </p>
      <table class="gate">
        <caption>{t.gateChecks}</caption>
        <thead>
          <tr>
            <th scope="col">{t.gateCheck}</th>
            <th scope="col">{t.status}</th>
            <th scope="col">{t.gateWhy}</th>
            <th scope="col">{t.gateEvidence}</th>
          </tr>
        </thead>
        <tbody>
          {plan.gate.checks.map((c) => (
            <tr key={c.id} class={`check-${c.status}`}>
              <th scope="row">
                <code>{c.id}</code>
              </th>
              <td>{c.status.toUpperCase()}</td>
              <td>{c.message}</td>
              <td>
                {c.evidence.map((e) => (
                  <div key={`${e.source}.${e.field}`}>
                    <code>
                      {e.source}.{e.field}
                    </code>{' '}
                    = {e.value === null ? 'unknown' : String(e.value)}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {plan.gate.inventory.persistentObjects.length + plan.gate.inventory.nonPlatformNvIndices.length > 0 && (
        <p>
          {t.clearLoses}:{' '}
          {[...plan.gate.inventory.persistentObjects, ...plan.gate.inventory.nonPlatformNvIndices].join(', ')}
        </p>
      )}
      {plan.planId === null ? (
        <p>{t.clearNotPossible}</p>
      ) : (
        <>
          <ClearApprovalFields
            needsApproval={plan.needsApproval}
            confirmWord={plan.confirmWord}
            confirmRequired={false}
          />
          <button type="submit" disabled={props.busy}>
            {t.clearNow}
          </button>
        </>
      )}
    </form>
  );
}

/** A run read back from its journal and receipt (also for a run listed later). */
function RunReadBack(props: {
  run: ThisDeviceRunResponse;
  failure?: { step: string; reason: string; message: string } | null;
  instruction?: string | null;
}) {
  const { run } = props;
  return (
    <section aria-labelledby="run-title" class="run-result">
      <h3 id="run-title">
        {t.clearRun} <code>{run.runId}</code>: {run.status}
      </h3>
      {run.proof !== null && (
        <p role="status" class={run.proof.proven ? 'proven' : 'not-proven'}>
          <strong>{run.proof.proven ? t.clearProven : t.clearNotProven}</strong>
        </p>
      )}
      {props.failure != null && <p role="alert">{props.failure.message}</p>}
      {props.instruction != null && <p>{props.instruction}</p>}
      <dl class="facts">
        <dt>{t.srkBefore}</dt>
        <dd>
          <code class="id">{run.srkNameBefore ?? 'unknown'}</code>
        </dd>
        <dt>{t.srkAfter}</dt>
        <dd>
          <code class="id">{run.srkNameAfter ?? 'unknown'}</code>
        </dd>
        <dt>{t.receipt}</dt>
        <dd class="receipt-check">
          {run.receipt === null
            ? (run.receiptProblem ?? t.noReceipt)
            : run.receiptVerified
              ? t.receiptVerified(run.receipt.journalSeq)
              : `${t.receiptNotVerified}: ${run.receiptProblem ?? ''}`}
        </dd>
      </dl>
      {run.proof !== null && (
        <ul>
          {run.proof.checks.map((c) => (
            <li key={c.id}>
              {c.passed ? '✓' : '✗'} <code>{c.id}</code>: {c.detail}
            </li>
          ))}
        </ul>
      )}
      <table class="journal">
        <caption>{t.journal}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t.journalTime}</th>
            <th scope="col">{t.journalKind}</th>
            <th scope="col">{t.journalStep}</th>
          </tr>
        </thead>
        <tbody>
          {run.records.map((r) => (
            <tr key={r.seq}>
              <td>{r.seq}</td>
              <td>{new Date(r.at).toLocaleString(document.documentElement.lang || 'en')}</td>
              <td>{r.kind}</td>
              <td>{r.step ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {run.journalError !== null && <p role="alert">{run.journalError}</p>}
    </section>
  );
}
