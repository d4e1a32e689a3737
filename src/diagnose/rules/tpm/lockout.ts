import type { Evidence, Finding, RemedyStep } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { formatDuration, SOURCE, tpmErrorsWithCode } from './support.js';

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
  evaluate(snapshot) {
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
    const wait = waitText(counters, healText);
    const reset =
      'reset the lockout with the lockout authorisation: on Windows, as administrator, Unblock-Tpm or tpm.msc > "Reset TPM Lockout" (Windows uses the lockout value it kept at provisioning); on Linux, tpm2_dictionarylockout --clear-lockout with the lockout password';
    const recovery =
      counters?.recoverySeconds != null && counters.recoverySeconds > 0
        ? formatDuration(counters.recoverySeconds)
        : 'LOCKOUT_RECOVERY';
    const noGuess = `Never guess the lockout authorisation: one wrong value blocks the reset and TPM2_Clear for ${recovery} (TPM_RC_LOCKOUT 0x921) while the TPM does not even report a lockout.`;
    const cause =
      'Then find what keeps failing: a forgotten Windows Hello or BitLocker PIN, an app or script with a wrong TPM key password, or repeated power loss (each unclean shutdown counts as a failure).';
    let action: string;
    if (counters !== null && counters.max === 0) {
      action = `MAX_AUTH_FAIL is 0, so the TPM refuses every DA-protected authorisation until it is given a non-zero maximum: with the lockout authorisation, set DA parameters again (Windows configures 32; Linux: tpm2_dictionarylockout --setup-parameters --max-tries 32) and ${reset}. ${noGuess}`;
    } else if (neverHeals) {
      action = `This TPM does not forgive failures over time (LOCKOUT_INTERVAL is 0): ${reset}. ${noGuess} ${cause}`;
    } else {
      action = `${wait} Or ${reset}. ${noGuess} ${cause}`;
    }

    return [
      {
        id: 'tpm.lockout',
        severity: 'error',
        title: 'The TPM is locked out after too many failed authorisations (dictionary-attack lockout)',
        why: 'While locked out the TPM refuses every password- or PIN-protected key, even with the right value: Windows Hello sign-in with a PIN, BitLocker TPM+PIN unlock, and the device key Entra ID and Intune sync use all fail (NTE_AUTHENTICATION_IGNORED 0x80090031, TPM-WMI event 1026).',
        impacts: ['sync', 'windows-hello', 'bitlocker', 'compliance'],
        evidence,
        remedy: { step, action, destroysKeys: false },
        blocksClear:
          'The TPM is in dictionary-attack lockout: it heals by waiting or with a lockout reset, so a clear would destroy every key to escape a temporary state, and would hide whatever is failing the authorisations.',
        references: [
          'TCG TPM 2.0 Library Part 1 (Dictionary Attack Protection); Part 3 §25.2 TPM2_DictionaryAttackLockReset',
          'https://learn.microsoft.com/windows/security/hardware-security/tpm/tpm-fundamentals',
          'https://github.com/tpm2-software/tpm2-tools/issues/2257',
        ],
      } satisfies Finding,
    ];
  },
};

function waitText(c: Counters | null, heal: string | null): string {
  if (c && c.intervalSeconds > 0 && c.max > 0) {
    const toForgive = Math.max(1, c.failed - c.max + 1);
    return `Wait about ${formatDuration(toForgive * c.intervalSeconds)} with the device switched on (the TPM forgives one failure every ${formatDuration(c.intervalSeconds)} of powered-on time; ${toForgive} of ${c.failed} recorded failures must be forgiven before it accepts authorisations again).`;
  }
  if (heal) {
    return `Wait with the device switched on: the TPM forgives one failure every ${heal} of powered-on time until the count drops below the maximum.`;
  }
  return 'Wait with the device switched on: the TPM forgives failures over time.';
}
