import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE } from './support.js';

/**
 * tpm.lockout-counter-high: not locked out yet, but the failed-authorisation counter is at or
 * above half of MAX_AUTH_FAIL. A few more wrong PINs (or unclean shutdowns, which count as one
 * failure each: DAStartup, verified on swtpm) and Windows Hello, BitLocker TPM+PIN and the device
 * key stop working. Windows configures MAX_AUTH_FAIL 32 and forgives one failure every 10 minutes
 * (Windows 10 1703+; https://learn.microsoft.com/windows/security/hardware-security/tpm/tpm-fundamentals#anti-hammering).
 */
export const lockoutCounterHigh: Rule = {
  ids: ['tpm.lockout-counter-high'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.lockout-counter-high'];
    const da = snapshot.tpm?.dictionaryAttack;
    const tool = snapshot.windows?.tpmtool?.lockout;
    const getTpm = snapshot.windows?.getTpm;
    // Locked out is tpm.lockout.
    if (da?.inLockout || tool?.isLockedOut === true || getTpm?.lockedOut === true) return [];

    const high = (failed: number | null, max: number | null) =>
      failed !== null && max !== null && max > 0 && failed > 0 && failed * 2 >= max;
    const evidence: Evidence[] = [];
    let failed = 0;
    let interval: number | null = null;
    if (da && high(da.failedTries, da.maxTries)) {
      evidence.push(
        { source: SOURCE.tpm, field: 'TPM_PT_LOCKOUT_COUNTER', value: da.failedTries },
        { source: SOURCE.tpm, field: 'TPM_PT_MAX_AUTH_FAIL', value: da.maxTries },
        { source: SOURCE.tpm, field: 'TPM_PT_LOCKOUT_INTERVAL', value: da.recoveryTimeSeconds },
      );
      failed = da.failedTries;
      interval = da.recoveryTimeSeconds;
    } else if (tool && high(tool.counter, tool.maxAuthFail)) {
      evidence.push(
        { source: SOURCE.tpmtool, field: 'Lockout Counter', value: tool.counter },
        { source: SOURCE.tpmtool, field: 'Max Auth Fail', value: tool.maxAuthFail },
      );
      if (tool.intervalSeconds !== null) {
        evidence.push({
          source: SOURCE.tpmtool,
          field: 'Lockout Interval',
          value: `${tool.intervalSeconds}s`,
        });
      }
      failed = tool.counter ?? 0;
      interval = tool.intervalSeconds;
    } else if (getTpm && high(getTpm.lockoutCount, getTpm.lockoutMax)) {
      evidence.push(
        { source: SOURCE.getTpm, field: 'LockoutCount', value: getTpm.lockoutCount },
        { source: SOURCE.getTpm, field: 'LockoutMax', value: getTpm.lockoutMax },
      );
      if (getTpm.lockoutHealTime !== null) {
        evidence.push({ source: SOURCE.getTpm, field: 'LockoutHealTime', value: getTpm.lockoutHealTime });
      }
      failed = getTpm.lockoutCount ?? 0;
    }
    if (evidence.length === 0) return [];
    const heal =
      interval !== null && interval > 0 ? t.healCounted({ seconds: failed * interval }) : t.healUnknown;
    return [
      {
        id: 'tpm.lockout-counter-high',
        severity: 'warning',
        title: t.title,
        why: t.why,
        impacts: ['windows-hello', 'bitlocker', 'sync'],
        evidence,
        remedy: {
          step: 'wait',
          action: t.action({ heal }),
          destroysKeys: false,
        },
        references: ['https://learn.microsoft.com/windows/security/hardware-security/tpm/tpm-fundamentals'],
      } satisfies Finding,
    ];
  },
};
