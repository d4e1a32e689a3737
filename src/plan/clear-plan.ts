import type { ClearMethod } from '../remedy/preflight/gate.js';
import { defaultClearMethod } from './default-clear-method.js';
import { keepRunOpen } from './keep-run-open.js';
import { type ClearTarget, isSimulatorTarget } from './tpm-simulator.js';

/** How a clear of one TPM will be run, decided before the snapshot is taken. */
export interface ClearPlan {
  method: ClearMethod;
  /** A software TPM: the gate treats it as a lab TPM (no firmware holds its platform auth). */
  simulator: boolean;
  /** The run stays open after the proof for the post-clear runbook. */
  keepOpen: boolean;
}

export function planClear(input: {
  target: ClearTarget;
  /** `--method`, when given. */
  method: ClearMethod | undefined;
  platform: NodeJS.Platform;
}): ClearPlan {
  const simulator = isSimulatorTarget(input.target);
  return {
    method: input.method ?? defaultClearMethod(input.target, input.platform),
    simulator,
    keepOpen: keepRunOpen({ platform: input.platform, simulator }),
  };
}
