import { formatDuration } from '../duration.js';

/**
 * The texts of findings, in English, keyed by finding ID (docs/findings.md): the rule decides and
 * passes the values; the words are here, beside every other language's
 * (src/text/messages/ja-findings.ts). JSON output always carries these English texts.
 */
export const EN_FINDINGS = {
  'tpm.lockout': {
    title: 'The TPM is locked out after too many failed authorisations (dictionary-attack lockout)',
    why: 'While locked out the TPM refuses every password- or PIN-protected key, even with the right value: Windows Hello sign-in with a PIN, BitLocker TPM+PIN unlock, and the device key Entra ID and Intune sync use all fail (NTE_AUTHENTICATION_IGNORED 0x80090031, TPM-WMI event 1026).',
    waitCounted: (p: { waitSeconds: number; intervalSeconds: number; toForgive: number; failed: number }) =>
      `Wait about ${formatDuration(p.waitSeconds)} with the device switched on (the TPM forgives one failure every ${formatDuration(p.intervalSeconds)} of powered-on time; ${p.toForgive} of ${p.failed} recorded failures must be forgiven before it accepts authorisations again).`,
    waitHealTime: (p: { healTime: string }) =>
      `Wait with the device switched on: the TPM forgives one failure every ${p.healTime} of powered-on time until the count drops below the maximum.`,
    waitUnknown: 'Wait with the device switched on: the TPM forgives failures over time.',
    reset:
      'reset the lockout with the lockout authorisation: on Windows, as administrator, Unblock-Tpm or tpm.msc > "Reset TPM Lockout" (Windows uses the lockout value it kept at provisioning); on Linux, tpm2_dictionarylockout --clear-lockout with the lockout password',
    noGuess: (p: { recoverySeconds: number | null }) =>
      `Never guess the lockout authorisation: one wrong value blocks the reset and TPM2_Clear for ${p.recoverySeconds === null ? 'LOCKOUT_RECOVERY' : formatDuration(p.recoverySeconds)} (TPM_RC_LOCKOUT 0x921) while the TPM does not even report a lockout.`,
    cause:
      'Then find what keeps failing: a forgotten Windows Hello or BitLocker PIN, an app or script with a wrong TPM key password, or repeated power loss (each unclean shutdown counts as a failure).',
    actionMaxZero: (p: { reset: string; noGuess: string }) =>
      `MAX_AUTH_FAIL is 0, so the TPM refuses every DA-protected authorisation until it is given a non-zero maximum: with the lockout authorisation, set DA parameters again (Windows configures 32; Linux: tpm2_dictionarylockout --setup-parameters --max-tries 32) and ${p.reset}. ${p.noGuess}`,
    actionNeverHeals: (p: { reset: string; noGuess: string; cause: string }) =>
      `This TPM does not forgive failures over time (LOCKOUT_INTERVAL is 0): ${p.reset}. ${p.noGuess} ${p.cause}`,
    actionWait: (p: { wait: string; reset: string; noGuess: string; cause: string }) =>
      `${p.wait} Or ${p.reset}. ${p.noGuess} ${p.cause}`,
    blocksClear:
      'The TPM is in dictionary-attack lockout: it heals by waiting or with a lockout reset, so a clear would destroy every key to escape a temporary state, and would hide whatever is failing the authorisations.',
  },
  'tpm.lockout-counter-high': {
    title: 'The TPM has recorded many failed authorisations and is close to a lockout',
    why: 'A few more failures and the TPM locks out: Windows Hello PIN sign-in, BitLocker TPM+PIN and the device key used by Entra ID and Intune sync would stop working until it heals.',
    healCounted: (p: { seconds: number }) =>
      `The counter returns to 0 after about ${formatDuration(p.seconds)} of powered-on time.`,
    healUnknown: 'The TPM forgives failures over time while it is powered on.',
    action: (p: { heal: string }) =>
      `Nothing needs resetting yet. ${p.heal} Meanwhile find what is failing: a user mistyping the Windows Hello or BitLocker PIN, an app with a wrong TPM key password, or repeated unclean shutdowns (each counts as one failure).`,
  },
  'tpm.reduced-functionality': {
    title: 'The TPM works with reduced functionality: Windows needs it cleared to provision it again',
    why: "Windows' stored Storage Root Key / owner authorisation no longer match the TPM, so Windows cannot create new TPM keys: device registration with Entra ID and the Intune sync that relies on it fail, Windows Hello cannot be set up, and compliance reports the TPM as not ready. Restarts and updates do not change this; only a clear lets Windows provision the TPM afresh.",
    action:
      'Clear the TPM through the gated procedure (tpm-doctor clear): the BitLocker recovery key must be escrowed in Entra ID/AD and match, BitLocker suspended for two reboots, an administrator present for the firmware prompt. Then let Windows re-provision the TPM, sign in, set up the Windows Hello PIN again and sync with Intune.',
  },
  'bitlocker.no-recovery-password': {
    title: (p: { volume: string }) => `BitLocker volume ${p.volume} has no recovery password`,
    why: (p: { volume: string }) =>
      `${p.volume} is unlocked by the TPM alone. A TPM clear, a firmware or Secure Boot change, or a motherboard swap makes BitLocker ask for a recovery password at boot, and this volume has none: its data would be lost. Intune cannot escrow a key that does not exist either.`,
    action: (p: { volume: string }) =>
      `Add a recovery password and escrow it: \`manage-bde -protectors -add ${p.volume} -RecoveryPassword\`, then \`BackupToAAD-BitLockerKeyProtector -MountPoint ${p.volume} -KeyProtectorId <the new ID>\` (or Backup-BitLockerKeyProtector for AD DS), and check the key appears on the device in Intune.`,
    blocksClear: (p: { volume: string }) =>
      `no recovery password to unlock the volume ${p.volume} after the clear`,
  },
  'mdm.sync-failing': {
    titleStale: (p: { hours: number }) => `Intune has not synced for ${p.hours} hours`,
    titleFailing: 'Intune sync sessions are failing',
    why: 'Intune checks in about every 8 hours; a PC that cannot complete a session receives no new policy and reports no compliance state. After the compliance validity period (30 days by default) Intune marks it non-compliant, and Conditional Access blocks its users.',
    actionDeviceDisabled:
      'The device object is disabled or deleted in Entra ID, so the PC cannot authenticate to sync: re-enable it in Entra ID, or if it was deleted, join the PC again and re-enroll it.',
    actionUpstream:
      'Follow the Entra or TPM finding first (entra.device-key-unusable, entra.no-prt, the TPM lockout, tpm.reduced-functionality): the sync fails because the device cannot authenticate with its TPM, and it resumes once that is fixed.',
    actionSync:
      'Start a sync (Settings > Accounts > Access work or school > the organisation > Info > Sync) and keep the PC awake until it finishes; it can take minutes to hours. If it fails again, restart the PC and sync once more, then look up the error code in the DeviceManagement-Enterprise-Diagnostics-Provider Admin log.',
  },
  'tpm.stale-objects': {
    title: (p: { count: number }) =>
      `The TPM holds ${p.count} object${p.count === 1 ? '' : 's'} a Windows or Linux owner would not normally keep`,
    why: 'Persistent keys and NV indices left by a previous owner, OS or tool ("old information in the vault") may hold keys or data that should not outlive the previous owner, and they use the TPM\'s limited NV space. They do not break sync, compliance, BitLocker or Windows Hello by being there.',
    action:
      'Do not clear a working device for this: a clear would also destroy the keys it uses now. Find out which software created these objects; if one is known to be unused, remove only it (tpm2_evictcontrol -C o -c HANDLE, tpm2_nvundefine INDEX) with owner authorisation. When the device is handed over, sold or reinstalled, clear the TPM as part of that (tpm-doctor clear, gated).',
  },
  'tpm.clear-disabled': {
    titleInTpm: 'Clearing the TPM is disabled (disableClear)',
    titleWindows: 'Windows cannot clear the TPM (OwnerClearDisabled)',
    whyClearNeeded:
      'The TPM needs a clear to recover (see tpm.reduced-functionality) but clearing is disabled: Clear-Tpm, tpm.msc and TPM2_Clear fail with TPM_RC_DISABLED until the setting is lifted in firmware.',
    whyHarmless:
      'Nothing is broken by this alone, but the TPM cannot be cleared from the OS when a device is handed over or has to be re-provisioned; someone set it deliberately, or software did to stop remediation.',
    action:
      'Find out who set it and why before changing it. To lift it, allow TPM clearing in the UEFI setup (the firmware sends TPM2_ClearControl(NO) with platform authorisation; the OS cannot), or, when a clear is due, request it through the firmware physical-presence interface (Clear-Tpm -UsePPI, PPI operation 5 or 14), which confirms at the keyboard and lifts the flag before clearing on EDK2-based firmware. On Linux with platform authorisation: tpm2_clearcontrol -C p c.',
    blocksClear:
      'Clearing is disabled in the TPM (disableClear / OwnerClearDisabled): an OS clear fails with TPM_RC_DISABLED; lift it in firmware first (or clear through the firmware PPI).',
  },
  'tpm.transient-leak': {
    title: (p: { count: number }) =>
      `${p.count} transient object${p.count === 1 ? ' was' : 's were'} left loaded in the TPM`,
    why: (p: { full: boolean }) =>
      `A client without a resource manager left objects loaded. ${p.full ? 'No object slot is left: ' : 'When the few object slots run out, '}every key load fails with TPM_RC_OBJECT_MEMORY (0x902), so BitLocker unsealing, Windows Hello and device-key signing on this TPM fail until they are flushed.`,
    action:
      'Restart the device (a TPM reset flushes all transient objects), or flush them now with tpm2_flushcontext -t. Then find the client that leaks them: software should use the resource manager (/dev/tpmrm0 on Linux) rather than /dev/tpm0.',
  },
};

export type FindingTexts = typeof EN_FINDINGS;
