import { redact } from '../../../snapshot/redact-secrets.js';
import type { Snapshot } from '../../../snapshot/snapshot.js';
import type { WindowsEvent } from '../../../snapshot/windows-evidence.js';
import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { eventsOf, evidenceTime, hoursBefore, PROVIDER } from '../windows/evidence.js';
import { TPM_COMMAND_FAILED_ID, tpmDriverErrors } from '../windows/signals.js';
import { SOURCE, tpmErrorsWithCode } from './support.js';

/** Not failures: tests still running (TPM_RC_TESTING) or not yet run (TPM_RC_NEEDS_TEST), Part 3 §10.4. */
const NOT_A_FAILURE = new Set(['TPM_RC_TESTING', 'TPM_RC_NEEDS_TEST']);

/** TPM driver events in the System log: 14/15 "non-recoverable hardware error". */
const HARDWARE_ERROR_EVENTS = new Set([14, 15]);

/**
 * Failure events of the last 30 days (or undated): the TPM driver's 14/15 (non-recoverable
 * hardware error) and 17 (the TPM failed to execute a command), and TPM-WMI errors that say the TPM
 * could not be provisioned, except the dictionary-attack time-out (tpm.lockout reads that one).
 * Event texts: https://learn.microsoft.com/troubleshoot/windows-client/windows-security/tpm-device-driver-error-log
 */
function recentTpmFailureEvents(snapshot: Snapshot): WindowsEvent[] {
  const provisioning = eventsOf(snapshot, PROVIDER.tpmWmi).filter(
    (e) =>
      (e.level === 'error' || e.level === 'critical') &&
      /provision/i.test(e.message) &&
      !/dictionary attack|0x80280803/i.test(e.message),
  );
  const now = evidenceTime(snapshot);
  const recentProvisioning = provisioning.filter((e) => {
    const age = hoursBefore(e.timeCreated, now);
    return age === null || age <= 30 * 24;
  });
  return [...tpmDriverErrors(snapshot, 30), ...recentProvisioning];
}

/**
 * tpm.selftest-failed: the TPM failed its self-test or is in failure mode. TPM2_GetTestResult
 * works even in failure mode (Part 3 §10.4) and returns a non-success testResult; in failure mode
 * every other command returns TPM_RC_FAILURE (Part 1, "Failure Mode"). From a Windows bundle,
 * the TPM driver's events 14/15 in the System log say the same (only the provider "TPM", never
 * TPM-WMI, whose 1801/1808 are Secure Boot certificate events).
 */
export const selftestFailed: Rule = {
  ids: ['tpm.selftest-failed'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.selftest-failed'];
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
    const recent = new Set(recentTpmFailureEvents(snapshot));
    for (const event of snapshot.windows?.events ?? []) {
      const hardware =
        /^(microsoft-windows-)?tpm$/i.test(event.provider.trim()) && HARDWARE_ERROR_EVENTS.has(event.id);
      if (!hardware && !recent.has(event)) continue;
      evidence.push({
        source: SOURCE.systemLog,
        field: `${event.provider} event ${event.id}${event.timeCreated ? ` at ${event.timeCreated}` : ''}`,
        value: redact(event.message).slice(0, 200),
      });
    }
    if (evidence.length === 0) return [];
    const failureMode = failures.length > 0 || selfTest?.name === 'TPM_RC_FAILURE';
    const driverEvent = (e: WindowsEvent) => /^(microsoft-windows-)?tpm$/i.test(e.provider.trim());
    const events = snapshot.windows?.events ?? [];
    const hardwareEvents = events.filter((e) => driverEvent(e) && HARDWARE_ERROR_EVENTS.has(e.id));
    const commandEvents = [...recent].filter((e) => driverEvent(e) && e.id === TPM_COMMAND_FAILED_ID);
    return [
      {
        id: 'tpm.selftest-failed',
        // Only events (history) and no direct evidence: it may have recovered since.
        severity: direct ? 'error' : 'warning',
        title: failureMode
          ? t.titleFailureMode
          : direct || hardwareEvents.length > 0
            ? t.titleSelfTest
            : commandEvents.length > 0
              ? t.titleCommands
              : t.titleProvisioning,
        why: t.why({ failureMode, direct }),
        impacts: ['sync', 'compliance', 'bitlocker', 'windows-hello', 'attestation'],
        evidence,
        remedy: direct
          ? {
              step: 'restart',
              action: t.actionRestart,
              destroysKeys: false,
            }
          : {
              step: 'update',
              action: t.actionUpdate,
              destroysKeys: false,
            },
        // What the TPM says now blocks a clear, and so do failure events of the last 30 days: a
        // clear does not repair failing hardware, and a TPM failing commands may not finish one.
        ...(direct
          ? { blocksClear: t.blocksClearNow }
          : recent.size > 0
            ? { blocksClear: t.blocksClearRecent }
            : {}),
        references: ['TCG TPM 2.0 Library Part 1 (Failure Mode); Part 3 §10.4 TPM2_GetTestResult'],
      } satisfies Finding,
    ];
  },
};
