import { redact } from '../../../snapshot/redact-secrets.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE, tpmErrorsWithCode } from './support.js';

/** Not failures: tests still running (TPM_RC_TESTING) or not yet run (TPM_RC_NEEDS_TEST), Part 3 §10.4. */
const NOT_A_FAILURE = new Set(['TPM_RC_TESTING', 'TPM_RC_NEEDS_TEST']);

/** TPM driver events in the System log: 14/15 "non-recoverable hardware error" ([C] research §4). */
const HARDWARE_ERROR_EVENTS = new Set([14, 15]);

/**
 * tpm.selftest-failed: the TPM failed its self-test or is in failure mode. TPM2_GetTestResult
 * works even in failure mode (Part 3 §10.4) and returns a non-success testResult; in failure mode
 * every other command returns TPM_RC_FAILURE (Part 1, "Failure Mode"). From a Windows bundle,
 * the TPM driver's events 14/15 in the System log say the same (only the provider "TPM", never
 * TPM-WMI, whose 1801/1808 are Secure Boot certificate events).
 */
export const selftestFailed: Rule = {
  ids: ['tpm.selftest-failed'],
  evaluate(snapshot) {
    const evidence: Evidence[] = [];
    const selfTest = snapshot.tpm?.selfTest;
    if (selfTest && !selfTest.ok && !NOT_A_FAILURE.has(selfTest.name)) {
      evidence.push({
        source: SOURCE.tpm,
        field: 'TPM2_GetTestResult testResult',
        value: `${selfTest.code} ${selfTest.name}`,
      });
    }
    const failures = tpmErrorsWithCode(snapshot, 'TPM_RC_FAILURE');
    for (const e of failures) {
      evidence.push({ source: SOURCE.tpm, field: `${e.section} error`, value: `${e.code}: ${e.message}` });
    }
    const direct = evidence.length > 0;
    for (const event of snapshot.windows?.events ?? []) {
      if (/^(microsoft-windows-)?tpm$/i.test(event.provider.trim()) && HARDWARE_ERROR_EVENTS.has(event.id)) {
        evidence.push({
          source: SOURCE.systemLog,
          field: `${event.provider} event ${event.id}${event.timeCreated ? ` at ${event.timeCreated}` : ''}`,
          value: redact(event.message).slice(0, 200),
        });
      }
    }
    if (evidence.length === 0) return [];
    const failureMode = failures.length > 0 || selfTest?.name === 'TPM_RC_FAILURE';
    return [
      {
        id: 'tpm.selftest-failed',
        // Only events (history) and no direct evidence: it may have recovered since.
        severity: direct ? 'error' : 'warning',
        title: failureMode ? 'The TPM is in failure mode' : 'The TPM failed its self-test',
        why: `A TPM that failed its self-test${failureMode ? ' refuses every command except reading its test result and capabilities' : ' cannot be trusted with keys'}: BitLocker unlock, Windows Hello, the Entra ID device key used for sync, and health attestation all fail until it recovers.${direct ? '' : ' Only logged events show it here; if the TPM answers normally now, it has recovered.'}`,
        impacts: ['sync', 'compliance', 'bitlocker', 'windows-hello', 'attestation'],
        evidence,
        remedy: {
          step: 'restart',
          action:
            'Shut the PC down completely and power it on again (failure mode ends only at a TPM reset). If the failure comes back, update the TPM firmware / BIOS from the PC maker; if it persists after that, the TPM hardware needs replacing.',
          destroysKeys: false,
        },
        // Only what the TPM says now blocks a clear; a logged event may be history.
        ...(direct
          ? {
              blocksClear:
                'A TPM in failure mode cannot execute TPM2_Clear, and a clear does not repair a failed self-test: restart, then update the firmware.',
            }
          : {}),
        references: ['TCG TPM 2.0 Library Part 1 (Failure Mode); Part 3 §10.4 TPM2_GetTestResult'],
      } satisfies Finding,
    ];
  },
};
