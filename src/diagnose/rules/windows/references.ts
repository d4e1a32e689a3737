/**
 * The Microsoft documents the Windows rules rest on, each checked at its source. Findings cite them in `references`.
 */
export const REF = {
  dsregcmd: 'https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd',
  hybridJoinTroubleshoot:
    'https://learn.microsoft.com/entra/identity/devices/troubleshoot-hybrid-join-windows-current',
  primaryRefreshToken: 'https://learn.microsoft.com/entra/identity/devices/concept-primary-refresh-token',
  bitlockerTpmKnownIssues:
    'https://learn.microsoft.com/troubleshoot/windows-client/windows-security/bitlocker-and-tpm-other-known-issues',
  tpmDriverErrors:
    'https://learn.microsoft.com/troubleshoot/windows-client/windows-security/tpm-device-driver-error-log',
  tpmAntiHammering:
    'https://learn.microsoft.com/windows/security/hardware-security/tpm/tpm-fundamentals#anti-hammering',
  tpmClear:
    'https://learn.microsoft.com/windows/security/hardware-security/tpm/initialize-and-configure-ownership-of-the-tpm',
  helloForBusiness: 'https://learn.microsoft.com/windows/security/identity-protection/hello-for-business/',
  manageBdeProtectors:
    'https://learn.microsoft.com/windows-server/administration/windows-commands/manage-bde-protectors',
  backupToAad: 'https://learn.microsoft.com/powershell/module/bitlocker/backuptoaad-bitlockerkeyprotector',
  getBitLockerVolume: 'https://learn.microsoft.com/powershell/module/bitlocker/get-bitlockervolume',
  suspendBitLocker: 'https://learn.microsoft.com/powershell/module/bitlocker/suspend-bitlocker',
  resumeBitLocker: 'https://learn.microsoft.com/powershell/module/bitlocker/resume-bitlocker',
  dmClientCsp: 'https://learn.microsoft.com/windows/client-management/mdm/dmclient-csp',
  diagnoseMdm: 'https://learn.microsoft.com/windows/client-management/diagnose-mdm-failures-in-windows-10',
  intunePolicyRefresh:
    'https://learn.microsoft.com/intune/intune-service/configuration/device-profile-troubleshoot',
  intuneComplianceSettings:
    'https://learn.microsoft.com/intune/intune-service/protect/device-compliance-get-started',
  autopilotKnownIssues: 'https://learn.microsoft.com/autopilot/known-issues',
  secureBootEvents:
    'https://support.microsoft.com/topic/kb5016061-addressing-vulnerable-and-revoked-boot-managers-37e47cf8-608b-4a87-8175-bdead630eb69',
  secureBootCertificates:
    'https://learn.microsoft.com/troubleshoot/windows-client/windows-security/update-secure-boot-certificates',
} as const;
