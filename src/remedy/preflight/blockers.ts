/**
 * Gate check 5, blockers (docs/clear.md, the preflight gate): a clear must never be recommended where a clear is wrong. Each applies to every purpose, decommission included.
 * - disableClear: TPMA_PERMANENT bit 8 (Part 2 §8.6); TPM2_Clear then returns TPM_RC_DISABLED
 *   (0x120) whichever hierarchy authorises it (Part 3 §24.6); only platform authorisation lifts it
 *   with TPM2_ClearControl(NO) (Part 3 §24.7), which is what a firmware PPI clear (operation 5 or
 *   14, https://learn.microsoft.com/windows/win32/secprov/setphysicalpresencerequest-win32-tpm) does before TPM2_Clear. docs/findings.md tpm.clear-disabled.
 * - Dictionary-attack lockout: Part 1 §19.8; the TPM forgives one failure every recoveryTime
 *   seconds of powered-on time, so it leaves lockout after (failedTries − maxTries + 1) ×
 *   recoveryTime (docs/findings.md tpm.lockout). A wrong lockout value blocks lockout-authorised
 *   commands for lockoutRecovery (TPM_RC_LOCKOUT 0x921).
 * - Vulnerable firmware: a clear on old firmware regenerates weak keys (docs/findings.md
 *   tpm.firmware-vulnerable; ADV170012 for ROCA): update first.
 */

import { check, type Evidence, FLAGS, finding, type PreflightInput } from './facts.js';
import type { GateCheck } from './gate.js';

export function checkBlockers(input: PreflightInput): GateCheck[] {
  return [checkDisableClear(input), checkLockout(input), checkFirmware(input)];
}

function checkDisableClear({ snapshot, diagnosis, options, ui }: PreflightInput): GateCheck {
  const flag = snapshot.tpm?.permanent?.flags.disableClear ?? null;
  const f = finding(diagnosis, 'tpm.clear-disabled');
  const ev: Evidence[] = [
    { source: 'tpm', field: 'TPMA_PERMANENT.disableClear', value: flag },
    { source: 'diagnosis', field: 'tpm.clear-disabled', value: f !== undefined },
  ];
  if (flag !== true && f === undefined) {
    return check('blocker.disable-clear', 'pass', ui['gate.check.disable-clear.pass'], ev);
  }
  const why = ui['gate.check.disable-clear.why'];
  if (options.method === 'ppi') {
    return check(
      'blocker.disable-clear',
      'unknown',
      ui['gate.check.disable-clear.ppi']({ why, acknowledge: FLAGS.acknowledge('blocker.disable-clear') }),
      ev,
    );
  }
  return check(
    'blocker.disable-clear',
    'fail',
    ui['gate.check.disable-clear.fail']({ why, ppiFlag: FLAGS.ppi }),
    ev,
  );
}

/** Seconds until the TPM leaves DA lockout by waiting, or null when it never does. */
export function lockoutRemainingSeconds(
  failedTries: number,
  maxTries: number,
  recoveryTime: number,
): number | null {
  if (maxTries === 0 || recoveryTime === 0) return null;
  return Math.max(0, failedTries - maxTries + 1) * recoveryTime;
}

function checkLockout({ snapshot, diagnosis, ui }: PreflightInput): GateCheck {
  const da = snapshot.tpm?.dictionaryAttack ?? null;
  const tool = snapshot.windows?.tpmtool?.lockout ?? null;
  const getTpm = snapshot.windows?.getTpm ?? null;
  const f = finding(diagnosis, 'tpm.lockout');
  const lockoutRefused = snapshot.tpm?.errors.find((e) => e.code === 'TPM_RC_LOCKOUT');
  const ev: Evidence[] = [];
  if (da) {
    ev.push(
      { source: 'tpm', field: 'TPMA_PERMANENT.inLockout', value: da.inLockout },
      { source: 'tpm', field: 'TPM_PT_LOCKOUT_COUNTER', value: da.failedTries },
      { source: 'tpm', field: 'TPM_PT_MAX_AUTH_FAIL', value: da.maxTries },
      { source: 'tpm', field: 'TPM_PT_LOCKOUT_INTERVAL', value: da.recoveryTimeSeconds },
    );
  }
  if (tool)
    ev.push({ source: 'tpmtool getdeviceinformation', field: 'Is Locked Out', value: tool.isLockedOut });
  if (getTpm) ev.push({ source: 'Get-Tpm', field: 'LockedOut', value: getTpm.lockedOut });
  ev.push({ source: 'diagnosis', field: 'tpm.lockout', value: f !== undefined });

  const inLockout =
    da?.inLockout === true || f !== undefined || tool?.isLockedOut === true || getTpm?.lockedOut === true;
  const never = ui['gate.check.lockout.never-clear'];
  if (inLockout) {
    // Counts from the source that reports the lockout (the TPM read now, else tpmtool's), so a
    // stale or partial source does not give a wrong time.
    const fromTpm = da
      ? { failed: da.failedTries, max: da.maxTries, interval: da.recoveryTimeSeconds }
      : null;
    const fromTool =
      tool?.counter != null && tool.maxAuthFail != null && tool.intervalSeconds != null
        ? { failed: tool.counter, max: tool.maxAuthFail, interval: tool.intervalSeconds }
        : null;
    const counts = da?.inLockout
      ? fromTpm
      : tool?.isLockedOut
        ? (fromTool ?? fromTpm)
        : (fromTpm ?? fromTool);
    const remaining = counts ? lockoutRemainingSeconds(counts.failed, counts.max, counts.interval) : null;
    const wait =
      remaining !== null
        ? ui['gate.check.lockout.remaining']({
            seconds: remaining,
            failed: counts!.failed,
            max: counts!.max,
            interval: counts!.interval,
          })
        : counts !== null
          ? ui['gate.check.lockout.never-heals']
          : getTpm?.lockoutHealTime
            ? ui['gate.check.lockout.heal-time']({ healTime: getTpm.lockoutHealTime })
            : ui['gate.check.lockout.remaining-unknown'];
    if (remaining !== null)
      ev.push({ source: 'preflight', field: 'lockoutRemainingSeconds', value: remaining });
    return check('blocker.lockout', 'fail', ui['gate.check.lockout.fail']({ wait, never }), ev);
  }
  if (lockoutRefused) {
    ev.push({ source: 'tpm', field: `${lockoutRefused.section} error`, value: lockoutRefused.code });
    return check(
      'blocker.lockout',
      'fail',
      ui['gate.check.lockout.auth-blocked']({
        recoverySeconds: da ? da.lockoutRecoverySeconds : null,
        never,
      }),
      ev,
    );
  }
  if (da === null && tool === null && getTpm?.lockedOut == null) {
    return check(
      'blocker.lockout',
      'unknown',
      ui['gate.check.lockout.unread']({ acknowledge: FLAGS.acknowledge('blocker.lockout') }),
      ev,
    );
  }
  return check('blocker.lockout', 'pass', ui['gate.check.lockout.pass'], ev);
}

function checkFirmware({ snapshot, diagnosis, ui }: PreflightInput): GateCheck {
  const f = finding(diagnosis, 'tpm.firmware-vulnerable');
  const tool = snapshot.windows?.tpmtool?.hasVulnerableFirmware ?? null;
  const identity = snapshot.tpm?.identity ?? null;
  const ev: Evidence[] = [
    { source: 'diagnosis', field: 'tpm.firmware-vulnerable', value: f !== undefined },
    { source: 'tpmtool getdeviceinformation', field: 'TPM Has Vulnerable Firmware', value: tool },
  ];
  if (identity) {
    ev.push({
      source: 'tpm',
      field: 'firmware',
      value: `${identity.manufacturer.id} ${identity.firmwareVersion}`,
    });
  }
  if (f !== undefined || tool === true) {
    const action = f?.remedy.action ?? ui['gate.check.firmware.default-action'];
    return check('blocker.firmware', 'fail', ui['gate.check.firmware.fail']({ action }), ev);
  }
  const version =
    identity?.firmwareVersion ??
    snapshot.windows?.getTpm?.manufacturerVersionFull20 ??
    snapshot.windows?.getTpm?.manufacturerVersion ??
    snapshot.windows?.win32Tpm?.manufacturerVersion ??
    snapshot.windows?.tpmtool?.manufacturerVersion ??
    null;
  if (version === null && tool === null) {
    return check(
      'blocker.firmware',
      'unknown',
      ui['gate.check.firmware.unread']({ acknowledge: FLAGS.acknowledge('blocker.firmware') }),
      ev,
    );
  }
  return check('blocker.firmware', 'pass', ui['gate.check.firmware.pass']({ version }), ev);
}
