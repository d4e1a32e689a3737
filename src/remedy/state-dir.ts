import path from 'node:path';

/**
 * Where run journals and receipts live. They must survive reboots (the runbook resumes after
 * one) and belong to the machine, not a user: /var/lib/tpm-doctor on Linux (FHS: state data),
 * %ProgramData%\tpm-doctor on Windows. `--state-dir` or TPM_DOCTOR_STATE_DIR overrides it (tests,
 * and lab runs as a non-root user).
 */
export function stateDir(flag?: string): string {
  if (flag) return path.resolve(flag);
  if (process.env.TPM_DOCTOR_STATE_DIR) return path.resolve(process.env.TPM_DOCTOR_STATE_DIR);
  if (process.platform === 'win32') {
    return path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'tpm-doctor');
  }
  return '/var/lib/tpm-doctor';
}

/** The folder of run journals inside the state directory. */
export function runsDir(state: string): string {
  return path.join(state, 'runs');
}
