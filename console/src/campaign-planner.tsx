import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  CampaignPlanResponse,
  ConsoleCampaignAction,
  PlanDevice,
  StartedResponse,
} from '../../src/console/api-types.js';
import { postJson } from './api.js';
import { ClearApprovalFields } from './clear-approval-fields.js';
import { campaignHref } from './route.js';
import { t } from './texts.js';

const ACTIONS: { id: ConsoleCampaignAction; title: string }[] = [
  { id: 'sync', title: t.actionSync },
  { id: 'reboot', title: t.actionReboot },
  { id: 'remediate', title: t.actionRemediate },
  { id: 'clear', title: t.actionClear },
];

/** The fleet view's query parameters and the dry run's fields for them (src/console/console-actions.ts). */
const SELECTION_FIELDS = [
  ['class', 'classes'],
  ['safety', 'clearSafety'],
  ['blocker', 'blockers'],
  ['model', 'models'],
  ['tpmManufacturer', 'tpmManufacturers'],
  ['firmware', 'firmwares'],
  ['errorCode', 'errorCodes'],
] as const;

/** The dry run's selection from the fleet view's current filters; null when none is set. */
function selectionOf(params: URLSearchParams): Record<string, string | string[]> | null {
  const selection: Record<string, string | string[]> = {};
  for (const [param, field] of SELECTION_FIELDS) {
    const value = params.get(param);
    if (value !== null) selection[field] = [value];
  }
  const age = params.get('notSyncedFor');
  if (age !== null) selection.notSyncedFor = age;
  return Object.keys(selection).length > 0 ? selection : null;
}

/** Refused devices grouped by their reason, in the order the reasons first appear. */
function byReason(refused: readonly PlanDevice[]): [string, PlanDevice[]][] {
  const groups = new Map<string, PlanDevice[]>();
  for (const device of refused) {
    const reason = device.reason ?? '';
    groups.set(reason, [...(groups.get(reason) ?? []), device]);
  }
  return [...groups];
}

/**
 * A campaign for the devices the fleet view's filters select, by the same rule as the table and
 * `fleet sync --class ... --model ...` (src/fleet/triage/triage-filter.ts): always the dry run
 * first, then, for a clear, the approval and the typed word; the server checks each of them again.
 */
export function CampaignPlanner(props: { params: URLSearchParams }) {
  const { params } = props;
  const [action, setAction] = useState<ConsoleCampaignAction>('sync');
  const [plan, setPlan] = useState<CampaignPlanResponse | null>(null);
  // Keyboard and screen-reader users land on the dry run's result, not back at the page's top.
  const planHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (plan !== null) planHeading.current?.focus();
  }, [plan]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deadline, setDeadline] = useState('');
  const selection = selectionOf(params);
  // The search narrows the table only: a campaign selects by filters, as the CLI does.
  const selectable = selection !== null && params.get('q') === null;

  const dryRun = async () => {
    setBusy(true);
    setProblem(null);
    setPlan(null);
    try {
      setPlan(
        await postJson<CampaignPlanResponse>('/api/campaigns/plan', {
          action,
          ...selection,
          ...(deadline.trim() === '' ? {} : { deadline: deadline.trim() }),
        }),
      );
    } catch (e) {
      setProblem((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const start = async (event: Event) => {
    event.preventDefault();
    if (plan === null) return;
    const form = (event.currentTarget as HTMLFormElement).elements;
    const field = (name: string) => (form.namedItem(name) as HTMLInputElement | null)?.value;
    setBusy(true);
    setProblem(null);
    try {
      const started = await postJson<StartedResponse>('/api/campaigns', {
        planId: plan.planId,
        ...(plan.needsApproval ? { approvedBy: field('approvedBy'), ticket: field('ticket') } : {}),
        ...(plan.confirmWord !== null ? { confirm: field('confirm') } : {}),
      });
      location.hash = campaignHref(started.id);
    } catch (e) {
      setProblem((e as Error).message);
      setBusy(false);
    }
  };

  return (
    <section class="planner" aria-labelledby="planner-title">
      <h2 id="planner-title">{t.plannerTitle}</h2>
      {!selectable && <p class="note">{t.plannerFilterNote}</p>}
      <div class="filters">
        <label for="campaign-action">{t.action}</label>
        <select
          id="campaign-action"
          name="action"
          value={action}
          onChange={(e) => {
            setAction((e.currentTarget as HTMLSelectElement).value as ConsoleCampaignAction);
            setPlan(null);
          }}
        >
          {ACTIONS.map((a) => (
            <option key={a.id} value={a.id}>
              {a.title}
            </option>
          ))}
        </select>
        <label for="campaign-deadline">{t.deadlineField}</label>
        <input
          id="campaign-deadline"
          name="deadline"
          size={6}
          autoComplete="off"
          spellcheck={false}
          aria-describedby="campaign-deadline-hint"
          value={deadline}
          onInput={(e) => {
            setDeadline((e.currentTarget as HTMLInputElement).value);
            setPlan(null);
          }}
        />
        <button type="button" disabled={!selectable || busy} onClick={() => void dryRun()}>
          {t.dryRun}
        </button>
      </div>
      <p class="note" id="campaign-deadline-hint">
        {t.deadlineHint}
      </p>
      {problem !== null && <p role="alert">{problem}</p>}
      {plan !== null && (
        <form class="plan" onSubmit={(e) => void start(e)} aria-label={t.dryRun}>
          <h3 ref={planHeading} tabIndex={-1}>
            {t.dryRunTitle}
          </h3>
          <p class="run">
            {t.selection}: {plan.selection}
          </p>
          {/* The dry run's sentences as the CLI's --dry-run prints them, in the server's language. */}
          <div role="status" class="plan-summary">
            {plan.summary.map((line) => (
              <p key={line}>{line}</p>
            ))}
          </div>
          {plan.remedyWarnings.length > 0 && (
            <div class="plan-warnings">
              {plan.remedyWarnings.map((line) => (
                <p key={line}>
                  <strong>{line}</strong>
                </p>
              ))}
            </div>
          )}
          <p class="plan-deadline">{t.deadlineIs(plan.deadlineText)}</p>
          {plan.sample.length > 0 && (
            <details>
              <summary>{t.sampleDevices(plan.sample.length, plan.devices)}</summary>
              <ul class="plan-devices">
                {plan.sample.map((d) => (
                  <li key={d.deviceId}>
                    <bdi>{d.deviceName ?? d.deviceId}</bdi> <span class="id">{d.deviceId}</span>
                  </li>
                ))}
              </ul>
            </details>
          )}
          {plan.refusedCount > 0 && (
            <details open>
              <summary>{t.refusedDevices(plan.refusedCount)}</summary>
              {/* By reason, each reason once with its devices one per line. */}
              {byReason(plan.refused).map(([reason, devices]) => (
                <div key={reason} class="refused-reason">
                  <p>
                    <strong>{reason}</strong> ({devices.length.toLocaleString('en-US')})
                  </p>
                  <ul class="plan-devices">
                    {devices.map((d) => (
                      <li key={d.deviceId}>
                        <bdi>{d.deviceName ?? d.deviceId}</bdi> <span class="id">{d.deviceId}</span>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </details>
          )}
          <ClearApprovalFields
            needsApproval={plan.needsApproval}
            confirmWord={plan.confirmWord}
            confirmRequired={true}
          />
          <button type="submit" disabled={busy || plan.devices === 0}>
            {t.start}
          </button>
        </form>
      )}
    </section>
  );
}
