/**
 * The signed-in user's part of the post-clear runbook (`tpm-doctor resume --user-steps`, run at
 * logon by the user's task, src/remedy/platform/user-task-definition.ts): each user step
 * (post-clear.ts userRunbookSteps) is checked once, read-only, and the user is told where they
 * stand and what to do. Nothing is journaled and nothing is written where SYSTEM reads: the user
 * cannot write the machine's runs (docs/security.md), and SYSTEM's runbook does not wait for these
 * facts (docs/clear.md, "The user's part of the runbook"). A check that throws is reported as
 * failed, never as done.
 */
import type { PowerShellRunner } from '../../system/powershell.js';
import { userRunbookSteps } from './post-clear.js';
import type { CheckState, RunbookStep, StepContext } from './step.js';

export interface UserStepResult {
  id: string;
  title: string;
  state: CheckState;
  message: string;
  /** What to do now (when not done). */
  instruction?: string;
}

export interface UserStepsResult {
  /** complete: every user step is done; otherwise the first that is not. */
  status: 'complete' | 'waiting' | 'failed';
  steps: UserStepResult[];
}

export async function checkUserSteps(
  runner: PowerShellRunner,
  options: { now?: () => Date; steps?: readonly RunbookStep[] } = {},
): Promise<UserStepsResult> {
  const now = options.now ?? (() => new Date());
  const at = now().toISOString();
  const ctx: StepContext = {
    runner,
    now,
    // The user steps read only the device; the run's facts are in SYSTEM's journal, out of reach.
    facts: { clearRequestedAt: at },
    attempt: { number: 1, firstStartedAt: at, lastActedAt: null, resumed: false },
  };
  const steps: UserStepResult[] = [];
  for (const step of options.steps ?? userRunbookSteps()) {
    try {
      const r = await step.check(ctx);
      steps.push({
        id: step.id,
        title: step.title,
        state: r.state,
        message: r.message,
        ...(r.state === 'done' ? {} : { instruction: r.instruction ?? step.instruction }),
      });
    } catch (e) {
      steps.push({
        id: step.id,
        title: step.title,
        state: 'failed',
        message: `The check failed: ${e instanceof Error ? e.message : String(e)}`,
        instruction: step.instruction,
      });
    }
  }
  const first = steps.find((s) => s.state !== 'done');
  return {
    status: first === undefined ? 'complete' : first.state === 'waiting' ? 'waiting' : 'failed',
    steps,
  };
}
