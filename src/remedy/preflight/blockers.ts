import { formatDuration } from '../../text/duration.js';
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

function checkDisableClear({ snapshot, diagnosis, options }: PreflightInput): GateCheck {
  const flag = snapshot.tpm?.permanent?.flags.disableClear ?? null;
  const f = finding(diagnosis, 'tpm.clear-disabled');
  const ev: Evidence[] = [
    { source: 'tpm', field: 'TPMA_PERMANENT.disableClear', value: flag },
    { source: 'diagnosis', field: 'tpm.clear-disabled', value: f !== undefined },
  ];
  if (flag !== true && f === undefined) {
    return check('blocker.disable-clear', 'pass', 'disableClear is not set: the TPM accepts TPM2_Clear.', ev);
  }
  const why =
    'disableClear is set: TPM2_Clear fails with TPM_RC_DISABLED (0x120) with lockout or platform authorisation alike, and someone set it on purpose, so find out who and why first.';
  if (options.method === 'ppi') {
    return check(
      'blocker.disable-clear',
      'unknown',
      `${why} A physical-presence clear (PPI operation 5 or 14) clears regardless (the firmware runs TPM2_ClearControl(NO) with platform authorisation first); once that is agreed, acknowledge with ${FLAGS.acknowledge('blocker.disable-clear')}.`,
      ev,
    );
  }
  return check(
    'blocker.disable-clear',
    'fail',
    `${why} Only platform authorisation lifts it (TPM2_ClearControl(NO)): in the UEFI setup, with ${FLAGS.ppi} (PPI operation 5 or 14 clears regardless), or on a lab TPM with tpm2_clearcontrol -C p c.`,
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

function checkLockout({ snapshot, diagnosis }: PreflightInput): GateCheck {
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
  const never =
    'Never clear the TPM to escape a lockout: it heals, and a clear would destroy every key and hide whatever keeps failing.';
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
        ? `about ${formatDuration(remaining)} remain with the device powered on (${counts!.failed} failures, ${counts!.max} allowed, one forgiven every ${formatDuration(counts!.interval)})`
        : counts !== null
          ? 'this TPM never heals by waiting (LOCKOUT_INTERVAL or MAX_AUTH_FAIL is 0)'
          : getTpm?.lockoutHealTime
            ? `Windows reports a heal time of ${getTpm.lockoutHealTime}`
            : 'the remaining time is unknown';
    if (remaining !== null)
      ev.push({ source: 'preflight', field: 'lockoutRemainingSeconds', value: remaining });
    return check(
      'blocker.lockout',
      'fail',
      `The TPM is in dictionary-attack lockout: ${wait}. Wait, or reset it with the lockout authorisation (Windows: Unblock-Tpm or tpm.msc "Reset TPM Lockout"; Linux: tpm2_dictionarylockout --clear-lockout), never guessing that value. ${never}`,
      ev,
    );
  }
  if (lockoutRefused) {
    const recovery = da ? formatDuration(da.lockoutRecoverySeconds) : 'LOCKOUT_RECOVERY';
    ev.push({ source: 'tpm', field: `${lockoutRefused.section} error`, value: lockoutRefused.code });
    return check(
      'blocker.lockout',
      'fail',
      `The lockout authorisation is blocked (TPM_RC_LOCKOUT 0x921 after a wrong value): it is refused for up to ${recovery} of powered-on time after the last wrong try (or until a TPM reset if that is 0). Wait that long, then use the right value; never guess it. ${never}`,
      ev,
    );
  }
  if (da === null && tool === null && getTpm?.lockedOut == null) {
    return check(
      'blocker.lockout',
      'unknown',
      `The lockout state was not read (no TPM properties, tpmtool or Get-Tpm): give --tpm, or collect the evidence again elevated; or acknowledge with ${FLAGS.acknowledge('blocker.lockout')}.`,
      ev,
    );
  }
  return check('blocker.lockout', 'pass', 'The TPM is not in dictionary-attack lockout.', ev);
}

function checkFirmware({ snapshot, diagnosis }: PreflightInput): GateCheck {
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
    const action =
      f?.remedy.action ??
      "Update the TPM firmware with the PC maker's tool (BitLocker suspended), then collect and diagnose again.";
    return check(
      'blocker.firmware',
      'fail',
      `The TPM firmware is vulnerable and not yet updated; a clear now would only make new keys on the same firmware. Update the firmware first, then diagnose again: ${action}`,
      ev,
    );
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
      `The TPM firmware version was not read, so it cannot be checked against known vulnerabilities: give --tpm or fuller evidence, or acknowledge with ${FLAGS.acknowledge('blocker.firmware')}.`,
      ev,
    );
  }
  return check(
    'blocker.firmware',
    'pass',
    `No known vulnerability for this TPM firmware (${version ?? 'tpmtool: not vulnerable'}).`,
    ev,
  );
}
