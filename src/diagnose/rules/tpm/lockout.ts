import { EN_FINDINGS, type FindingTexts } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding, RemedyStep } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { SOURCE, tpmErrorsWithCode } from './support.js';

interface Counters {
  failed: number;
  max: number;
  intervalSeconds: number;
  recoverySeconds: number | null;
}

/**
 * tpm.lockout: the TPM is in dictionary-attack lockout (TPMA_PERMANENT.inLockout, Part 2 §8.6;
 * Get-Tpm LockedOut; tpmtool "Is Locked Out"). Every DA-protected authorisation is refused with
 * TPM_RC_LOCKOUT (0x921), even the right one: Windows Hello PINs, BitLocker TPM+PIN, and the keys
 * behind the Entra ID device registration (NTE_AUTHENTICATION_IGNORED 0x80090031).
 *
 * How it heals (Part 1 §19.8, "Dictionary Attack Protection"; checked on swtpm by test/diagnose/tpm/scenarios-lockout.test.ts): failedTries drops by one every
 * LOCKOUT_INTERVAL seconds of TPM time, and the lockout lifts when failedTries < MAX_AUTH_FAIL; or
 * DictionaryAttackLockReset with lockout authorisation resets it at once. The subtlety: one WRONG
 * lockout authorisation blocks every lockout-authorised command (the reset and TPM2_Clear too) for
 * LOCKOUT_RECOVERY seconds with 0x921 while inLockout stays false; properties alone cannot show
 * that, so the action warns against guessing. LOCKOUT_INTERVAL 0 turns failure counting off (and
 * forgiving with it); MAX_AUTH_FAIL 0 keeps the TPM locked out (tpm2-tools refuses to set it, so
 * only the pure tests cover it).
 */
export const lockout: Rule = {
  ids: ['tpm.lockout'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.lockout'];
    const evidence: Evidence[] = [];
    let counters: Counters | null = null;
    let healText: string | null = null;

    const da = snapshot.tpm?.dictionaryAttack;
    if (da?.inLockout) {
      evidence.push(
        { source: SOURCE.tpm, field: 'TPMA_PERMANENT.inLockout', value: true },
        { source: SOURCE.tpm, field: 'TPM_PT_LOCKOUT_COUNTER', value: da.failedTries },
        { source: SOURCE.tpm, field: 'TPM_PT_MAX_AUTH_FAIL', value: da.maxTries },
        { source: SOURCE.tpm, field: 'TPM_PT_LOCKOUT_INTERVAL', value: da.recoveryTimeSeconds },
        { source: SOURCE.tpm, field: 'TPM_PT_LOCKOUT_RECOVERY', value: da.lockoutRecoverySeconds },
      );
      counters = {
        failed: da.failedTries,
        max: da.maxTries,
        intervalSeconds: da.recoveryTimeSeconds,
        recoverySeconds: da.lockoutRecoverySeconds,
      };
    }
    for (const e of tpmErrorsWithCode(snapshot, 'TPM_RC_LOCKOUT')) {
      evidence.push({ source: SOURCE.tpm, field: `${e.section} error`, value: `${e.code}: ${e.message}` });
    }
    const tool = snapshot.windows?.tpmtool?.lockout;
    if (tool?.isLockedOut === true) {
      evidence.push({ source: SOURCE.tpmtool, field: 'Is Locked Out', value: true });
      if (tool.counter !== null)
        evidence.push({ source: SOURCE.tpmtool, field: 'Lockout Counter', value: tool.counter });
      if (tool.maxAuthFail !== null)
        evidence.push({ source: SOURCE.tpmtool, field: 'Max Auth Fail', value: tool.maxAuthFail });
      if (tool.intervalSeconds !== null) {
        evidence.push({
          source: SOURCE.tpmtool,
          field: 'Lockout Interval',
          value: `${tool.intervalSeconds}s`,
        });
      }
      if (tool.recoverySeconds !== null) {
        evidence.push({
          source: SOURCE.tpmtool,
          field: 'Lockout Recovery',
          value: `${tool.recoverySeconds}s`,
        });
      }
      if (!counters && tool.counter !== null && tool.maxAuthFail !== null && tool.intervalSeconds !== null) {
        counters = {
          failed: tool.counter,
          max: tool.maxAuthFail,
          intervalSeconds: tool.intervalSeconds,
          recoverySeconds: tool.recoverySeconds,
        };
      }
    }
    const getTpm = snapshot.windows?.getTpm;
    if (getTpm?.lockedOut === true) {
      evidence.push({ source: SOURCE.getTpm, field: 'LockedOut', value: true });
      if (getTpm.lockoutCount !== null)
        evidence.push({ source: SOURCE.getTpm, field: 'LockoutCount', value: getTpm.lockoutCount });
      if (getTpm.lockoutMax !== null)
        evidence.push({ source: SOURCE.getTpm, field: 'LockoutMax', value: getTpm.lockoutMax });
      if (getTpm.lockoutHealTime !== null) {
        evidence.push({ source: SOURCE.getTpm, field: 'LockoutHealTime', value: getTpm.lockoutHealTime });
        healText = getTpm.lockoutHealTime;
      }
    }
    if (evidence.length === 0) return [];

    const neverHeals = counters !== null && (counters.intervalSeconds === 0 || counters.max === 0);
    const step: RemedyStep = neverHeals ? 'reset-lockout' : 'wait';
    const wait = waitText(t, counters, healText);
    const reset = t.reset;
    const noGuess = t.noGuess({
      recoverySeconds:
        counters?.recoverySeconds != null && counters.recoverySeconds > 0 ? counters.recoverySeconds : null,
    });
    const cause = t.cause;
    let action: string;
    if (counters !== null && counters.max === 0) {
      action = t.actionMaxZero({ reset, noGuess });
    } else if (neverHeals) {
      action = t.actionNeverHeals({ reset, noGuess, cause });
    } else {
      action = t.actionWait({ wait, reset, noGuess, cause });
    }

    return [
      {
        id: 'tpm.lockout',
        severity: 'error',
        title: t.title,
        why: t.why,
        impacts: ['sync', 'windows-hello', 'bitlocker', 'compliance'],
        evidence,
        remedy: { step, action, destroysKeys: false },
        blocksClear: t.blocksClear,
        references: [
          'TCG TPM 2.0 Library Part 1 (Dictionary Attack Protection); Part 3 §25.2 TPM2_DictionaryAttackLockReset',
          'https://learn.microsoft.com/windows/security/hardware-security/tpm/tpm-fundamentals',
          'https://github.com/tpm2-software/tpm2-tools/issues/2257',
        ],
      } satisfies Finding,
    ];
  },
};

function waitText(t: FindingTexts['tpm.lockout'], c: Counters | null, heal: string | null): string {
  if (c && c.intervalSeconds > 0 && c.max > 0) {
    const toForgive = Math.max(1, c.failed - c.max + 1);
    return t.waitCounted({
      waitSeconds: toForgive * c.intervalSeconds,
      intervalSeconds: c.intervalSeconds,
      toForgive,
      failed: c.failed,
    });
  }
  if (heal) return t.waitHealTime({ healTime: heal });
  return t.waitUnknown;
}
