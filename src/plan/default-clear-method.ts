import type { ClearMethod } from '../remedy/preflight/gate.js';
import { type ClearTarget, isSimulatorTarget } from './tpm-simulator.js';

/**
 * The clear method when `--method` is not given.
 * - A simulator: platform. On a real PC the firmware keeps platform authorisation to itself
 *   (TCG PC Client Platform Firmware Profile: the firmware sets platformAuth before the OS runs).
 * - Windows: ppi, a firmware prompt at the next reboot (docs/clear.md, "The run").
 * - Elsewhere: lockout, with the value from `--lockout-auth-file` or TPM_DOCTOR_LOCKOUT_AUTH.
 */
export function defaultClearMethod(target: ClearTarget, platform: NodeJS.Platform): ClearMethod {
  if (isSimulatorTarget(target)) return 'platform';
  return platform === 'win32' ? 'ppi' : 'lockout';
}
