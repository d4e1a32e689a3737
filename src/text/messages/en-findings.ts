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
  'tpm.absent': {
    title: 'No TPM was found',
    why: 'Without a TPM the device fails the Intune "Require TPM" compliance setting, BitLocker cannot use a TPM protector, Windows Hello for Business and the Entra ID device key cannot be TPM-bound, and device health attestation and Autopilot pre-provisioning fail.',
    action:
      'Enable the TPM in the UEFI firmware setup (it may be called Security Device Support, Intel PTT or AMD fTPM), then start Windows and check Get-Tpm again. If the board has no TPM, the device needs a TPM 2.0 or replacing. If the TPM was read directly, also check the --tpm address.',
    blocksClear: 'No TPM answered: there is nothing to clear until the TPM is enabled.',
  },
  'tpm.version-unsupported': {
    title: 'The TPM is version 1.2; TPM 2.0 is required',
    why: 'Windows 11, Intune device health attestation, Windows enrollment attestation and Autopilot self-deploying and pre-provisioning modes need a TPM 2.0; a TPM 1.2 leaves the device non-compliant wherever TPM 2.0 features are required.',
    action:
      "Many discrete TPMs (Infineon, Nuvoton) can be switched to TPM 2.0 with the PC maker's TPM firmware tool: suspend BitLocker and follow the maker's procedure (the tool itself resets the TPM, so treat it like a clear: escrowed recovery key first). Otherwise the device must be replaced.",
  },
  'tpm.selftest-failed': {
    titleFailureMode: 'The TPM is in failure mode',
    titleSelfTest: 'The TPM failed its self-test',
    titleCommands: 'The TPM failed to execute commands (TPM driver event 17)',
    titleProvisioning: 'Windows could not provision the TPM (TPM-WMI errors)',
    why: (p: { failureMode: boolean; direct: boolean }) =>
      `A TPM that failed its self-test${p.failureMode ? ' refuses every command except reading its test result and capabilities' : ' cannot be trusted with keys'}: BitLocker unlock, Windows Hello, the Entra ID device key used for sync, and health attestation all fail until it recovers.${p.direct ? '' : ' Only logged events show it here; if the TPM answers normally now, it has recovered.'}`,
    actionRestart:
      'Shut the PC down completely and power it on again (failure mode ends only at a TPM reset). If the failure comes back, update the TPM firmware / BIOS from the PC maker; if it persists after that, the TPM hardware needs replacing.',
    actionUpdate:
      "Shut the PC down completely and power it on again, then update the TPM firmware and the BIOS/UEFI from the PC maker's support page for this model. If the TPM driver keeps logging these events after that, contact the PC maker: the TPM hardware may need replacing.",
    blocksClearNow:
      'A TPM in failure mode cannot execute TPM2_Clear, and a clear does not repair a failed self-test: restart, then update the firmware.',
    blocksClearRecent:
      'The TPM driver or TPM-WMI logged TPM hardware, command or provisioning failures in the last 30 days: a clear does not repair them; update the TPM firmware and BIOS from the PC maker first.',
  },
  'tpm.not-ready': {
    titleNotStarted: 'The TPM has not been started',
    titleNotReady: 'Windows reports the TPM is not ready for use',
    why: 'A TPM that is not ready cannot create or use keys: Windows cannot register the device key that Entra ID and Intune sync rely on, Windows Hello cannot be set up, BitLocker cannot seal to the TPM, and the compliance check "TPM ready" fails.',
    actionOnlyClear:
      'Nothing to do for this finding itself: the bits set need a clear, which tpm.reduced-functionality covers (with its safety checks).',
    actionNotStarted:
      'Restart the device: the TPM was reset without TPM2_Startup, which the firmware sends at every boot.',
    actionRestart:
      'Restart Windows (a full restart, not Shut down with Fast Startup) so it can finish provisioning the TPM at boot; if it stays not ready, run the \\Microsoft\\Windows\\TPM\\Tpm-Maintenance task and check that AutoProvisioning is Enabled (Get-Tpm).',
    reconfigureTpmDisabled: 'Enable and activate the TPM in the UEFI firmware setup, then restart.',
    reconfigureOwnerAuthPolicy:
      'Group Policy tells Windows to keep no TPM owner authorisation (Computer Configuration > Administrative Templates > System > Trusted Platform Module Services > "Configure the level of TPM owner authorization information available to the operating system"): return it to Not configured, then restart.',
    reconfigureOther: (p: { bit: string }) => `Fix the configuration behind ${p.bit}.`,
  },
  'tpm.hierarchy-disabled': {
    title: (p: { storage: boolean; endorsement: boolean }) =>
      `The TPM ${[p.storage ? 'storage' : null, p.endorsement ? 'endorsement' : null].filter(Boolean).join(' and ')} hierarchy is disabled`,
    why: (p: { storage: boolean; endorsement: boolean }) =>
      [
        p.storage
          ? 'With the storage hierarchy disabled no key under the SRK can be loaded: BitLocker cannot unseal with the TPM, Windows Hello and the Entra ID device key (needed for sync) fail.'
          : null,
        p.endorsement
          ? 'With the endorsement hierarchy disabled the EK cannot be used: device health attestation, Windows enrollment attestation and Autopilot TPM attestation fail, and compliance that relies on them too.'
          : null,
      ]
        .filter(Boolean)
        .join(' '),
    action:
      'Restart the device (a full restart, not resume from hibernation or Fast Startup): TPM2_Startup(CLEAR) at boot enables the storage and endorsement hierarchies again. If it is disabled again after the restart, a firmware setting or boot component disables it: check the UEFI TPM settings and update the firmware.',
  },
  'tpm.ek-cert-missing': {
    titleUnusable: 'No usable EK certificate was found',
    titleNone: 'No EK certificate was found',
    whyOnline: (p: { vendor: string; service: string }) =>
      `This is a firmware TPM (${p.vendor}) whose EK certificate normally lives with the vendor, not in the TPM: Windows fetches it from ${p.service} when it needs it. Nothing is wrong unless attestation fails.`,
    actionOnline: (p: { service: string }) =>
      `Nothing to do. If attestation fails, check that the device can reach ${p.service} (proxy, TLS inspection) and collect Get-TpmEndorsementKeyInfo.`,
    whyOnlineFailed: (p: { vendor: string; service: string }) =>
      `Windows has no EK certificate for this firmware TPM (${p.vendor}): it could not fetch it from ${p.service}. Device health attestation, Windows enrollment attestation and Autopilot TPM attestation fail without it, which leaves the device non-compliant.`,
    actionOnlineFailed: (p: { service: string }) =>
      `Let the device reach ${p.service} (proxy, firewall, TLS inspection exceptions), then restart so the TPM maintenance task retries. A clear does not help: the certificate is issued for the EK, which a clear keeps.`,
    whyNone:
      'The TPM carries no EK certificate, so it cannot prove it is a genuine TPM: device health attestation, Windows enrollment attestation and Autopilot self-deploying / pre-provisioning fail, which leaves the device non-compliant where attestation is required.',
    actionNone:
      'Ask the PC or TPM maker for the EK certificate (some provide a provisioning tool or a firmware update that installs it). A clear does not create one: the EK and its certificate are kept across clears.',
  },
  'tpm.ek-cert-mismatch': {
    title: "An EK certificate does not belong to this TPM's Endorsement Key",
    why: "Attestation sends the EK certificate with the EK; when the certificate's key is another key, Intune device health attestation, Windows enrollment attestation and Autopilot TPM attestation reject the device, which leaves it non-compliant and can block Autopilot provisioning.",
    action:
      'Report it to the PC or TPM maker with the evidence: the certificate has to be re-provisioned by them (tool or firmware update), or the board replaced. A clear does not fix it: the endorsement seed, the EK and platform certificates survive a clear.',
  },
  'tpm.firmware-vulnerable': {
    titleKnown: (p: { titles: string }) => `Vulnerable TPM firmware: ${p.titles}`,
    titleWindows: 'Windows reports vulnerable TPM firmware',
    why: 'Keys protected by a TPM with known-vulnerable firmware can be extracted or forged (weak RSA keys, timing leaks, memory corruption), so BitLocker, Windows Hello and the device identity are weaker than they appear; Windows Autopilot refuses attestation on vulnerable TPMs (0x81039024) and compliance that relies on attestation fails.',
    actionUpdate: (p: { fixedIn: string | null }) =>
      `Update the TPM firmware with the PC maker's TPM or BIOS update${p.fixedIn !== null ? ` (fixed in ${p.fixedIn})` : ''}: suspend BitLocker first and follow the maker's instructions.`,
    actionRegenerate: (p: { update: string }) =>
      `${p.update} Keys the vulnerable firmware generated stay weak after the update, so afterwards clear the TPM through the gated procedure to regenerate them (BitLocker, Windows Hello, device keys), as the advisory requires. Not before: the old firmware would generate weak keys again.`,
    actionNoClear: (p: { update: string }) =>
      `${p.update} Do not clear the TPM for this: the update is the fix.`,
    blocksClear:
      'The TPM firmware is vulnerable and not yet updated: keys generated after a clear would come from the same vulnerable firmware. Update first.',
  },
  'tpm.persistent-space-low': {
    titleRefused: 'The TPM refused to store more in NV memory (TPM_RC_NV_SPACE)',
    titleNoIndexRoom: 'The TPM has no NV room left for a new NV index',
    titleFull: 'The TPM has no room left for persistent objects',
    titleLow: 'The TPM is almost out of room for persistent objects',
    why: "Persistent keys and NV indices share the TPM's small NV memory, and the TPM keeps part of it for its minimum number of persistent objects: an NV index that would use that part is refused. When it is full, persisting a key or defining an NV index fails with TPM_RC_NV_SPACE: Windows cannot persist a new SRK or EK when it re-provisions the TPM, and attestation and Windows Hello setup that need them fail.",
    action:
      'Remove persistent objects and NV indices nobody uses (see tpm.stale-objects for the list): tpm2_evictcontrol -C o -c HANDLE and tpm2_nvundefine INDEX with owner authorisation. Windows discards the owner authorisation since 1607, so on Windows the practical way to free the space is a clear, and only when the device can afford one (gated).',
  },
  'tpm.sha256-bank-missing': {
    titleNone: 'No PCR bank is allocated',
    titleNoSha256: 'No SHA-256 PCR bank is allocated',
    whyNone:
      'Without any PCR bank nothing is measured at boot: device health attestation, BitLocker sealing to PCRs and measured boot all fail.',
    whyNoSha256:
      'Boot measurements go only into the SHA-1 bank: attestation that expects SHA-256 measurements fails, and BitLocker seals to SHA-1 PCR values, which are deprecated for trust decisions.',
    action:
      'Suspend BitLocker first (Suspend-BitLocker -RebootCount 2): changing the PCR bank changes every PCR value, and BitLocker would ask for the recovery key. Then enable the SHA-256 PCR bank in the UEFI TPM settings (often "TPM 2.0 PCR bank" / "SHA-256"), restart twice, and check that BitLocker resumed with a TPM protector.',
  },
  'tpm.restart-pending': {
    title: 'Windows is waiting for a restart to finish a TPM operation',
    why: 'Until the restart, the TPM stays in its old state: provisioning does not finish, a requested PPI operation does not run, and Intune compliance keeps the values measured at the last boot (device health attestation is measured at boot).',
    actionPresence:
      'Restart with someone at the keyboard: the firmware asks to confirm the TPM operation (for example F12). Then diagnose again.',
    actionRestart: 'Restart the device (Restart, not Shut down with Fast Startup), then diagnose again.',
    blocksClear:
      'A restart is pending to finish a TPM operation (possibly a clear that is already requested): restart and diagnose again before clearing.',
  },
  'entra.device-key-unusable': {
    title: 'The device key Entra ID knows this PC by cannot be used',
    why:
      'The device proves its identity to Entra ID with a key pair created at registration (in the TPM ' +
      'when there is one). When that key is missing or cannot sign (NTE_BAD_KEYSET: "Keyset does not ' +
      'exist"), Windows gets no Primary Refresh Token: single sign-on, Conditional Access and Windows ' +
      'Hello for Business fail, and Intune sync and compliance reporting stall.',
    actionRecovery:
      'Sign out and sign in again (or restart and sign in) with the work account while online: ' +
      'AadRecoveryEnabled is YES, so Windows re-registers the device keys at the next sign-in ' +
      '(silently on a hybrid-joined device, with a prompt on an Entra-joined one). Then run ' +
      '`dsregcmd /status` elevated and check KeySignTest : PASSED.',
    actionHardware:
      'The TPM driver reports a non-recoverable TPM hardware error: install the latest Windows ' +
      'servicing stack and cumulative update and the BIOS/TPM firmware update from the manufacturer, ' +
      'then re-check; if the error stays, have the manufacturer diagnose the TPM. A clear does not ' +
      'fix failing hardware.',
    actionClear:
      'Windows reports the TPM itself needs a clear to recover, so new device keys cannot be ' +
      'created in it: run the gated clear (`tpm-doctor clear`: recovery key escrowed, BitLocker ' +
      'suspended, approval recorded), then sign in so the device registers again, and set up ' +
      'Windows Hello again.',
    actionReregister:
      'Register the device with Entra ID again; the TPM looks healthy, so do not clear it for this. ' +
      'Hybrid-joined: run `dsregcmd /leave` elevated, restart, and let the next sign-in (or the ' +
      'Automatic-Device-Join task) join it again. Entra-joined or registered: remove and re-add the ' +
      'work account (Settings > Accounts > Access work or school), as Microsoft advises for ' +
      'NTE_BAD_KEYSET. If the image was sysprepped, build it from a machine that was never joined.',
  },
  'entra.device-key-not-in-tpm': {
    title: 'The Entra device key is stored in software, not in the TPM',
    why: (p: { tpmUnknown: boolean }) =>
      'The device identity key fell back to the Software Key Storage Provider, usually after a TPM ' +
      'error at join time. A software key can be copied off the disk, so the device identity is no ' +
      'longer hardware-bound: Windows Hello for Business, device-bound tokens and attestation lose ' +
      'their TPM guarantee, and policies that expect a TPM-protected identity may treat the device as ' +
      'less trusted.' +
      (p.tpmUnknown
        ? ' Whether this PC has a TPM is not in the evidence: on a PC without one, a software key is expected.'
        : ''),
    reregister:
      'register the device again so Windows creates the key in the TPM: hybrid-joined, run ' +
      '`dsregcmd /leave` elevated, restart and let the next sign-in join it again; Entra-joined, ' +
      'disconnect and re-join under Settings > Accounts > Access work or school (keep a local ' +
      'administrator account at hand). Check afterwards that dsregcmd shows TpmProtected : YES.',
    actionReady: (p: { reregister: string }) => `The TPM is ready now: ${p.reregister}`,
    actionFixTpm: (p: { reregister: string }) =>
      `Fix the TPM findings first (the key left the TPM because the TPM failed); then ${p.reregister}`,
  },
  'entra.no-prt': {
    title: 'The signed-in user has no Entra ID Primary Refresh Token',
    why:
      'The PRT is the token Windows signs in to Entra ID with, bound to the device key in the TPM. ' +
      'Without it single sign-on and Conditional Access fail (a "require compliant device" policy ' +
      'blocks the user), Windows Hello for Business does not work, and the Company Portal and Intune ' +
      'user-targeted policy cannot authenticate.',
    actionLockout:
      'The TPM is defending against dictionary attacks, so Windows cannot use the device key. Wait ' +
      'for the lockout to heal (Get-Tpm LockoutHealTime) or reset it as an administrator (tpm.msc > ' +
      'Reset TPM Lockout), then lock and unlock the PC so Windows gets a PRT. If tpm.msc offers no ' +
      'lockout reset, look for one in the UEFI settings and ask the hardware vendor before anything else.',
    blocksClear:
      'the TPM is in dictionary-attack lockout (TPM-WMI 1026 / NTE_AUTHENTICATION_IGNORED): wait for it ' +
      'to heal or reset the lockout; clearing is not the fix for a lockout',
    actionFollowDeviceKey:
      'Follow entra.device-key-unusable: without usable device keys Windows cannot get a PRT.',
    actionSignInAgain: (p: { healed: boolean }) =>
      (p.healed ? 'The earlier TPM lockout has healed. ' : '') +
      'Lock and unlock the PC (or sign out and in) while it can reach login.microsoftonline.com, then ' +
      'run `dsregcmd /status` as the user: AzureAdPrt should read YES. If not, the Attempt Status and ' +
      'Server Error Code in its SSO State say why.',
  },
  'hello.not-provisioned': {
    title: 'Windows Hello is not set up for the signed-in user',
    why: (p: { cleared: boolean }) =>
      (p.cleared ? 'The TPM was cleared, and the Windows Hello keys lived in it. ' : '') +
      'Without a Windows Hello key the user cannot sign in with a PIN or biometrics, and where ' +
      'Windows Hello for Business is required (passwordless sign-in, phishing-resistant MFA, ' +
      'certificate trust) sign-in and single sign-on to on-premises resources fail until it is set up.',
    action:
      'Once the user has a PRT (dsregcmd AzureAdPrt : YES), set up the PIN again: Settings > ' +
      'Accounts > Sign-in options > PIN (Windows Hello) > Set up, then check dsregcmd NgcSet : YES.',
  },
  'bitlocker.not-read': {
    title: "The OS volume's BitLocker protectors are not known",
    why:
      'Without the BitLocker key protectors nobody can tell whether the OS volume has a recovery password. ' +
      'If it has none, a TPM clear (or a firmware change) makes BitLocker ask for one at boot and the data ' +
      'is lost.',
    action:
      'Collect the evidence again as an administrator (tpm-doctor collect, or collect-evidence.ps1 -Full from an ' +
      'elevated PowerShell), so that Get-BitLockerVolume and manage-bde -protectors -get can be read.',
    blocksClear: 'the BitLocker protectors are unknown: a volume without a recovery password would be lost',
  },
  'bitlocker.recovery-backup-failed': {
    title: 'BitLocker could not back up the recovery password',
    why:
      'BitLocker logged that the recovery password could not be escrowed to Entra ID (or that silent ' +
      'encryption failed and the volume was left unprotected). After a TPM clear BitLocker asks for that ' +
      'recovery password; if it was never escrowed, nobody can unlock the volume.',
    action:
      'Fix what stopped the backup (the error code in the event: network or proxy for 0x80072f9a and ' +
      'other WinHTTP errors), then escrow the key: `BackupToAAD-BitLockerKeyProtector -MountPoint C: ' +
      '-KeyProtectorId <the RecoveryPassword ID>` and check it appears on the device in Intune.',
    blocksClear: 'the recovery password backup to Entra ID failed recently: the key may not be escrowed',
  },
  'bitlocker.tpm-protector-missing': {
    title: (p: { volume: string }) => `BitLocker volume ${p.volume} has no TPM protector`,
    whyOn: (p: { volume: string }) =>
      `Nothing unlocks ${p.volume} automatically at boot, so every start asks for a startup key, password ` +
      'or the recovery password; Device Health Attestation does not see TPM-backed BitLocker.',
    whyOff: (p: { volume: string }) =>
      `${p.volume} is encrypted but protection is off and no TPM protector exists to turn it back on: the ` +
      'volume key is readable from the disk, and Intune reports BitLocker as not protecting the device.',
    action: (p: { volume: string; on: boolean }) =>
      `Once the TPM is ready, add a TPM protector: \`manage-bde -protectors -add ${p.volume} -TPM\` ` +
      `(or Add-BitLockerKeyProtector -MountPoint ${p.volume} -TpmProtector)` +
      (p.on ? '' : `, then \`Resume-BitLocker -MountPoint ${p.volume}\``) +
      '; restart so Device Health Attestation measures the new state.',
  },
  'bitlocker.suspended': {
    titlePlanned: (p: { volume: string; restarts: number }) =>
      `BitLocker on ${p.volume} is suspended for ${p.restarts} more restart(s)`,
    titleOff: (p: { volume: string }) => `BitLocker protection is off on ${p.volume}`,
    why: (p: { volume: string; planned: boolean }) =>
      `While protection is off the key that decrypts ${p.volume} is stored in the clear on the disk. ` +
      (p.planned
        ? 'This is a planned suspend (for a firmware update or a TPM clear): BitLocker resumes by itself.'
        : 'Nothing will turn it back on by itself, and Intune reports the device as not protected by ' +
          'BitLocker until it is resumed and the PC restarts.'),
    actionWait: (p: { volume: string; restarts: number }) =>
      `BitLocker resumes on ${p.volume} by itself after ${p.restarts} more restart(s); check ProtectionStatus On afterwards.`,
    actionResume: (p: { volume: string; tpmProtector: boolean }) =>
      (p.tpmProtector ? '' : 'Add a TPM protector first (see bitlocker.tpm-protector-missing); then ') +
      `run \`Resume-BitLocker -MountPoint ${p.volume}\` (or \`manage-bde -protectors -enable ${p.volume}\`) and ` +
      'restart, so Device Health Attestation reports BitLocker on.',
  },
  'mdm.not-enrolled': {
    title: 'The PC is not enrolled in Intune',
    why: (p: { providerId: string }) =>
      `No MDM enrollment with ProviderID "${p.providerId}" exists, so Intune cannot sync with the ` +
      'PC: it receives no policy, reports no compliance, and Conditional Access that requires a compliant ' +
      'device blocks its users.',
    action:
      'Enroll the PC in Intune again: on an Entra-joined PC, Settings > Accounts > Access work or school ' +
      '(an empty MdmUrl in dsregcmd means the user is outside the MDM user scope in Entra ID); on a ' +
      'hybrid-joined PC, the Group Policy "Enable automatic MDM enrollment using default Microsoft Entra ' +
      'credentials". Then check the Enrollments key and a first sync.',
  },
  'autopilot.attestation-failed': {
    clock:
      'Check the clock first: a real-time clock off by minutes makes attestation fail; run `w32tm /resync /force` ' +
      'at the start of OOBE with a network connection.',
    why:
      'Autopilot pre-provisioning and self-deploying mode prove the device with TPM attestation before it may ' +
      'join Entra ID and enroll in Intune; when attestation fails the deployment stops at "Securing your ' +
      'hardware" and the PC never becomes managed or compliant.',
    titleCode: (p: { code: string; name: string }) =>
      `Autopilot TPM attestation failed: ${p.code} (${p.name})`,
    codes: {
      '0x81039001': {
        name: 'E_AUTOPILOT_CLIENT_TPM_MAX_ATTESTATION_RETRY_EXCEEDED (intermittent)',
        action: (p: { clock: string }) =>
          `Retry: Microsoft documents this failure at "Securing your hardware" as intermittent, and a later attempt usually succeeds. ${p.clock} ` +
          'Collect `MdmDiagnosticsTool.exe -area Autopilot;TPM -cab c:\\autopilot.cab` before resetting.',
      },
      '0x81039023': {
        name: 'TPM attestation failure on Windows 11, fixed by the May 2022 cumulative update',
        action: (_p: { clock: string }) =>
          'Install the May 2022 cumulative update or later (Windows 11: KB5013943; Windows 10: KB5013942) in the ' +
          'image, then run the deployment again.',
      },
      '0x81039024': {
        name: 'known vulnerabilities detected in the TPM',
        action: (_p: { clock: string }) =>
          "Update the TPM firmware from the PC manufacturer's website, then run the deployment again. Clear the TPM " +
          'only after the update, so that keys are regenerated by the fixed firmware.',
      },
      '0x80070490': {
        name: 'AMD platform with ASP firmware TPM',
        action: (_p: { clock: string }) =>
          'Install the BIOS/firmware update that carries the fixed AMD fTPM firmware (see the manufacturer’s release ' +
          'notes), then run the deployment again.',
      },
      '0x800705b4': {
        name: 'timeout: the device is not TPM 2.0 capable (for example a virtual machine)',
        action: (p: { clock: string }) =>
          'Self-deploying and pre-provisioning need a physical TPM 2.0 for attestation: deploy this device with ' +
          'user-driven mode, or use hardware with TPM 2.0. On physical hardware, check the TPM is enabled as 2.0 in ' +
          `the UEFI settings. ${p.clock}`,
      },
      '0x801c03ea': {
        name: 'TPM attestation failed, so the device cannot join Entra ID with a device token',
        action: (p: { clock: string }) =>
          'Check the TPM runs as TPM 2.0 and update its firmware to 2.0 if it supports it (Microsoft: "the device has ' +
          'a TPM chip that supports version 2.0 but hasn’t been upgraded"); also check the device is not in two ' +
          `groups assigned different Autopilot profiles. ${p.clock}`,
      },
    },
    blocksClearVulnerable:
      'the TPM firmware has known vulnerabilities (Autopilot 0x81039024): update the firmware first, then clear to regenerate keys',
    titleTimedOutInfineon: 'Autopilot TPM attestation timed out (Infineon SLB9672 firmware 15.22)',
    titleTimedOut: 'Autopilot TPM attestation timed out',
    actionTimedOut: (p: { infineon: boolean; clock: string }) =>
      (p.infineon
        ? 'Infineon SLB9672 TPMs with firmware 15.22 fail attestation with a timeout: '
        : 'Attestation timed out (known for Infineon SLB9672 TPMs with firmware 15.22): ') +
      `ask the PC manufacturer for the TPM firmware update. ${p.clock}`,
    titleIdentity: 'Autopilot could not establish the TPM identity',
    actionIdentity: (p: { clock: string }) =>
      `Retry the deployment after a restart. ${p.clock} If it fails again, collect ` +
      '`MdmDiagnosticsTool.exe -area Autopilot;TPM -cab c:\\autopilot.cab` and update the BIOS/TPM firmware.',
  },
  'secureboot.ca-update-pending': {
    title: 'Secure Boot certificate update pending (not a TPM fault)',
    why:
      'TPM-WMI reports that the Secure Boot certificates (CA/keys) in the firmware still need the 2023 ' +
      'update. Admins often mistake these TPM-WMI events, 1801 logged as an error, for a TPM problem: they ' +
      'are not one, the TPM, BitLocker and Intune sync are unaffected, and clearing the TPM does not help ' +
      '(it would only destroy keys). Without the update the device stops receiving new Secure Boot ' +
      'protections once the 2011 certificates expire.',
    action: (p: { firmwareRefused: boolean }) =>
      'Nothing to do on the TPM, and do not clear it for this. Keep Windows updated (Windows applies the ' +
      'new certificates itself) and ' +
      (p.firmwareRefused
        ? 'install the OEM firmware update: the firmware refused the update (1795/1796). '
        : 'install OEM firmware updates. ') +
      'If Windows reports the update would trigger BitLocker recovery, suspend BitLocker for two restarts ' +
      '(`Suspend-BitLocker -MountPoint C: -RebootCount 2`). The update is done when TPM-WMI logs 1808 ' +
      '"This device has updated Secure Boot CA/keys".',
  },
};

export type FindingTexts = typeof EN_FINDINGS;
