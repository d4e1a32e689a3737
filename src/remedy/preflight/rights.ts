import { formatDuration } from '../../text/duration.js';
/**
 * Gate check 3, rights (docs/clear.md, the preflight gate).
 * - Elevation: clearing the TPM needs a local administrator
 *   (https://learn.microsoft.com/windows/security/hardware-security/tpm/initialize-and-configure-ownership-of-the-tpm)
 *   and so do Win32_Tpm's methods (https://learn.microsoft.com/windows/win32/secprov/win32-tpm). On Linux with a real TPM (`device:`) the clear needs root
 *   (the PPI request file, the systemd unit, the journal under /var/lib/tpm-doctor); the caller
 *   says whether this process is (GateOptions.elevated, from platform/elevation.ts isElevated()),
 *   since the gate does no I/O. Lab and simulator TPMs are exempt.
 * - Clear authorisation: TPM2_Clear takes lockoutAuth or platformAuth (TCG TPM 2.0 Part 3 §24.6).
 *   lockoutAuthSet is TPMA_PERMANENT bit 2 (Part 2 §8.6); one wrong lockout value blocks every
 *   lockout-authorised command for LOCKOUT_RECOVERY (Part 1 §19.8, TPM_RC_LOCKOUT 0x921).
 *   Windows keeps the lockout value in the registry (ManagedAuthLevel Full) and says when it
 *   does not (IsReadyInformation 0x100). On a PC the firmware sets a random
 *   platformAuth before the OS runs (TCG PC Client Platform Firmware Profile), so only a lab TPM
 *   offers platform authorisation; a PC clears through the firmware's physical-presence prompt.
 */

import type { LinuxPpiFacts } from '../../snapshot/linux-ppi.js';
import { notElevatedMessage } from '../platform/elevation.js';
import { type OperationSupport, operationSupportOf, refusalFor } from '../platform/ppi-codes.js';
import { NO_PPI_MESSAGE } from '../platform/ppi-error.js';
import { chooseOperation, noOperationMessage } from '../platform/ppi-linux.js';
import { check, type Evidence, FLAGS, finding, isLabTpm, type PreflightInput, platformOf } from './facts.js';
import type { GateCheck } from './gate.js';

/**
 * IsReadyInformation bit 0x100: "owner auth not in registry"
 * (https://learn.microsoft.com/windows/win32/secprov/win32-tpm-isreadyinformation).
 */
const INFORMATION_OWNER_AUTH_NOT_IN_REGISTRY = 0x100;

export function checkRights(input: PreflightInput): GateCheck[] {
  return [checkElevated(input), checkClearAuthorization(input)];
}

function checkElevated(input: PreflightInput): GateCheck {
  const { snapshot } = input;
  if (isLinuxDeviceTpm(snapshot)) return checkLinuxElevated(input);
  const windows = snapshot.windows;
  if (windows !== null) {
    const elevated = input.options.elevated;
    if (windows.origin === 'live' && elevated !== undefined) {
      // Collected by this very process: its own token decides, whatever the collector recorded.
      const ev: Evidence[] = [
        { source: 'options', field: 'elevated', value: elevated },
        { source: 'evidence', field: 'elevated', value: windows.elevated },
      ];
      return elevated
        ? check('rights.elevated', 'pass', 'This process runs elevated (as an administrator).', ev)
        : check('rights.elevated', 'fail', notElevatedMessage('win32'), ev);
    }
    const ev: Evidence[] = [{ source: 'evidence', field: 'elevated', value: windows.elevated }];
    if (windows.elevated === true) {
      return check(
        'rights.elevated',
        'pass',
        'The Windows evidence was collected elevated (as an administrator).',
        ev,
      );
    }
    const how =
      'run tpm-doctor from an elevated PowerShell (right-click PowerShell > Run as administrator, as a member of the local Administrators group), or deploy it as an Intune Remediation, which runs as SYSTEM';
    if (windows.elevated === false) {
      return check(
        'rights.elevated',
        'fail',
        `Not elevated: Windows refuses a TPM clear with "You must be an administrator to perform this task" (and tpm.msc greys out "Clear TPM..."). To get the rights, ${how}.`,
        ev,
      );
    }
    return check(
      'rights.elevated',
      'unknown',
      `The evidence does not say whether it ran as an administrator: ${how}, then run the clear again.`,
      ev,
    );
  }
  const ev: Evidence[] = [
    { source: 'snapshot', field: 'windows', value: null },
    { source: 'tpm', field: 'present', value: snapshot.tpm?.present ?? null },
  ];
  if (platformOf(snapshot) === 'not-windows' && snapshot.tpm?.present === true) {
    return check('rights.elevated', 'pass', input.ui['gate.check.rights.not-windows'], ev);
  }
  return check(
    'rights.elevated',
    'unknown',
    `Whether this user may clear the TPM is unknown (no Windows evidence, TPM not read): on Windows run elevated; on Linux make sure the TPM device is readable (e.g. the tss group), then run again or acknowledge with ${FLAGS.acknowledge('rights.elevated')}.`,
    ev,
  );
}

/**
 * A real TPM through the Linux kernel (`device:`), not a lab or simulator TPM: the clear's PPI
 * route writes /sys/class/tpm/tpm0/ppi/request (root only: tpm_ppi.c S_IWUSR | S_IWGRP, owned by
 * root) and installs a systemd unit under /etc/systemd/system, and the lockout and platform routes
 * journal under /var/lib/tpm-doctor, so reading the TPM (the tss group suffices) is not enough.
 */
function isLinuxDeviceTpm(snapshot: PreflightInput['snapshot']): boolean {
  const tpm = snapshot.tpm?.tpm;
  return tpm?.uri.startsWith('device:') === true && !tpm.lab;
}

function checkLinuxElevated({ snapshot, options }: PreflightInput): GateCheck {
  const ev: Evidence[] = [
    { source: 'tpm', field: 'uri', value: snapshot.tpm?.tpm.uri ?? null },
    { source: 'options', field: 'elevated', value: options.elevated ?? null },
  ];
  const needs = `the clear writes the PPI request (/sys/class/tpm/tpm0/ppi/request) and installs a systemd unit, or journals under /var/lib/tpm-doctor, which only root may do`;
  if (options.elevated === true) {
    return check('rights.elevated', 'pass', `Running as root on Linux: ${needs}.`, ev);
  }
  if (options.elevated === false) {
    return check(
      'rights.elevated',
      'fail',
      `${notElevatedMessage('linux')} (${needs[0]!.toUpperCase()}${needs.slice(1)}.)`,
      ev,
    );
  }
  return check(
    'rights.elevated',
    'unknown',
    `Whether this process runs as root is unknown, and ${needs}: run the command again with sudo (or from a root shell), or acknowledge with ${FLAGS.acknowledge('rights.elevated')} if you know it is root.`,
    ev,
  );
}

function checkClearAuthorization(input: PreflightInput): GateCheck {
  switch (input.options.method) {
    case 'lockout':
      return lockoutAuthorization(input);
    case 'platform':
      return platformAuthorization(input);
    case 'ppi':
      return ppiAuthorization(input);
  }
}

function lockoutAuthorization({ snapshot, diagnosis }: PreflightInput): GateCheck {
  const status = snapshot.tpm;
  const windows = snapshot.windows;
  const information = windows?.isReady?.information;
  if (information !== undefined && (information & INFORMATION_OWNER_AUTH_NOT_IN_REGISTRY) !== 0) {
    return check(
      'rights.clear-authorization',
      'fail',
      `Windows does not hold the TPM's authorisation (IsReadyInformation bit 0x100, owner auth not in registry), so it cannot clear with the lockout authorisation: use ${FLAGS.ppi} (the firmware asks a user at the keyboard to confirm).`,
      [
        {
          source: 'Win32_Tpm.IsReadyInformation',
          field: 'Information',
          value: `0x${information.toString(16).padStart(8, '0')}`,
        },
      ],
    );
  }
  const lockoutAuthSet = status?.permanent?.flags.lockoutAuthSet ?? status?.dictionaryAttack?.lockoutAuthSet;
  if (lockoutAuthSet === undefined) {
    return check(
      'rights.clear-authorization',
      'unknown',
      windows !== null
        ? `The TPM was not read directly, so whether tpm-doctor can use the lockout authorisation is unknown (Windows keeps it in the registry when ManagedAuthLevel is Full): run the clear on the device itself, use ${FLAGS.ppi}, or acknowledge with ${FLAGS.acknowledge('rights.clear-authorization')}.`
        : `The TPM was not read, so the lockout authorisation cannot be checked: give --tpm, or use ${FLAGS.ppi}.`,
      [{ source: 'tpm', field: 'TPMA_PERMANENT.lockoutAuthSet', value: null }],
    );
  }
  const da = status?.dictionaryAttack ?? null;
  const ev: Evidence[] = [{ source: 'tpm', field: 'TPMA_PERMANENT.lockoutAuthSet', value: lockoutAuthSet }];
  if (!lockoutAuthSet) {
    return check(
      'rights.clear-authorization',
      'pass',
      'The lockout authorisation is empty (lockoutAuthSet clear), so TPM2_Clear can be authorised with it.',
      ev,
    );
  }
  const inLockout = da?.inLockout === true || finding(diagnosis, 'tpm.lockout') !== undefined;
  const blocked = status?.errors.some((e) => e.code === 'TPM_RC_LOCKOUT') === true;
  const recovery = da ? formatDuration(da.lockoutRecoverySeconds) : 'LOCKOUT_RECOVERY';
  if (inLockout || blocked) {
    return check(
      'rights.clear-authorization',
      'fail',
      `The lockout authorisation is set and the TPM ${blocked ? 'refuses it (TPM_RC_LOCKOUT 0x921)' : 'is in dictionary-attack lockout'}: one more wrong value blocks lockout-authorised commands for ${recovery}. Resolve the lockout first (see blocker.lockout), or use ${FLAGS.ppi}.`,
      [...ev, { source: 'tpm', field: 'TPMA_PERMANENT.inLockout', value: da?.inLockout ?? null }],
    );
  }
  return check(
    'rights.clear-authorization',
    'unknown',
    `The lockout authorisation is set and tpm-doctor cannot tell whether it will have the value (Windows keeps it in the registry; on Linux the user must give it). Never guess it: one wrong value blocks TPM2_Clear for ${recovery}. When you have it, acknowledge with ${FLAGS.acknowledge('rights.clear-authorization')}; otherwise use ${FLAGS.ppi}.`,
    ev,
  );
}

function platformAuthorization({ snapshot, ui }: PreflightInput): GateCheck {
  const phEnable = snapshot.tpm?.startupClear?.flags.phEnable ?? null;
  const ev: Evidence[] = [
    { source: 'tpm', field: 'lab', value: snapshot.tpm?.tpm.lab ?? null },
    { source: 'tpm', field: 'TPMA_STARTUP_CLEAR.phEnable', value: phEnable },
  ];
  if (!isLabTpm(snapshot)) {
    return check(
      'rights.clear-authorization',
      'fail',
      phEnable === false
        ? `The firmware disabled the platform hierarchy before the OS started (TPMA_STARTUP_CLEAR.phEnable clear, until the next TPM reset), so TPM2_Clear cannot be authorised with platform authorisation. Use ${FLAGS.ppi}, which asks the firmware to clear at the next boot.`
        : `Platform authorisation is not available to the OS on a PC: the firmware sets a random platformAuth (and may disable the platform hierarchy) before the OS starts. Use ${FLAGS.ppi}, which asks the firmware to clear at the next boot.`,
      ev,
    );
  }
  if (phEnable !== true) {
    return check('rights.clear-authorization', 'fail', ui['gate.check.rights.lab-platform-disabled'], ev);
  }
  return check('rights.clear-authorization', 'pass', ui['gate.check.rights.lab-platform'], ev);
}

/**
 * A PPI clear needs no TPM authorisation value from the OS: Win32_Tpm.SetPhysicalPresenceRequest
 * only queues the operation for the firmware (https://learn.microsoft.com/en-us/windows/win32/secprov/setphysicalpresencerequest-win32-tpm),
 * and the firmware sends TPM2_Clear with platformAuth at the next boot, after its own
 * confirmation or its policy that a clear needs none (TCG PC Client Platform Physical Presence
 * Interface Specification, operation 5 and the PP_RequestConfirmationForClear flags). So the
 * authorisation that matters is the organisation's: an approval recorded with the clear.
 */
function ppiAuthorization({ snapshot, options, ui }: PreflightInput): GateCheck {
  const ppiVersion = snapshot.windows?.win32Tpm?.physicalPresenceVersionInfo ?? null;
  const ev: Evidence[] = [{ source: 'Win32_Tpm', field: 'PhysicalPresenceVersionInfo', value: ppiVersion }];
  if (isLabTpm(snapshot)) {
    return check('rights.clear-authorization', 'fail', ui['gate.check.rights.lab-no-ppi'], [
      ...ev,
      { source: 'tpm', field: 'lab', value: true },
    ]);
  }
  if (snapshot.linuxPpi) return linuxPpiAuthorization(snapshot.linuxPpi);
  const approvedBy = options.approvedBy?.trim();
  const ticket = options.ticket?.trim();
  if (approvedBy && ticket) {
    return check(
      'rights.clear-authorization',
      'pass',
      `A physical-presence clear (PPI operation 5) needs no owner or lockout authorisation from Windows: the firmware clears at the next boot${ppiVersion ? ` (PPI version ${ppiVersion})` : ''}, and the clear is approved by ${approvedBy} (ticket ${ticket}).`,
      [
        ...ev,
        { source: 'options', field: 'approvedBy', value: approvedBy },
        { source: 'options', field: 'ticket', value: ticket },
      ],
    );
  }
  return check(
    'rights.clear-authorization',
    'unknown',
    `A physical-presence clear (PPI operation 5 or 14): a user must be present for the firmware prompt at the next boot (e.g. to press F12), and the firmware must support PPI${ppiVersion ? ` (PPI version ${ppiVersion})` : ''}. Make sure someone is at the keyboard, then acknowledge with ${FLAGS.acknowledge('rights.clear-authorization')}.`,
    ev,
  );
}

/**
 * On Linux the kernel's PPI files say what the firmware will do (src/probe/linux-ppi.ts): the
 * gate decides here, before anything is written, with the same choice of operation the request
 * makes (ppi-linux.ts chooseOperation: 14, or 5 when only 5 is usable). No ppi folder, or an
 * empty operation list, or a clear the firmware reserves to its setup screen or blocks: fail. A
 * clear operation the OS may request: pass (the firmware asks the person at the machine, or
 * clears without asking). A list that could not be read: unknown.
 */
function linuxPpiAuthorization(ppi: LinuxPpiFacts): GateCheck {
  const ev: Evidence[] = [
    { source: 'sysfs', field: 'ppi/version', value: ppi.version },
    {
      source: 'sysfs',
      field: 'ppi/tcg_operations',
      value:
        ppi.operations === null ? null : ppi.operations.map((o) => `${o.operation} ${o.status}`).join('; '),
    },
  ];
  const version = `firmware PPI ${ppi.version || 'version unknown'}`;
  if (ppi.dir === null) return check('rights.clear-authorization', 'fail', NO_PPI_MESSAGE, ev);
  const opsFile = `${ppi.dir}/tcg_operations`;
  if (ppi.operations === null) {
    return check(
      'rights.clear-authorization',
      'unknown',
      `The firmware's list of physical-presence operations could not be read (${ppi.error ?? opsFile}; ${version}), so whether it can clear the TPM at the next restart is unknown. Clear from the firmware setup screen, use the lockout authorisation, or acknowledge with ${FLAGS.acknowledge('rights.clear-authorization')} if you know it can.`,
      ev,
    );
  }
  if (ppi.operations.length === 0) {
    return check('rights.clear-authorization', 'fail', noOperationMessage(opsFile, ppi.version), ev);
  }
  const listed = new Map<number, OperationSupport>();
  for (const o of ppi.operations) {
    const support = operationSupportOf(o.status);
    if (support) listed.set(o.operation, support);
  }
  const { operation, support } = chooseOperation(undefined, listed);
  const refusal = support === undefined ? undefined : refusalFor(operation, support);
  if (refusal !== undefined) {
    return check('rights.clear-authorization', 'fail', `${refusal} (${opsFile}; ${version})`, ev);
  }
  return check(
    'rights.clear-authorization',
    'pass',
    support === 'user-not-required'
      ? `The firmware implements physical-presence operation ${operation} and runs it without asking (${version}): the TPM is cleared at the next restart.`
      : `The firmware implements physical-presence operation ${operation} and asks the person at the machine to confirm it at the next restart (e.g. F12; ${version}): someone must be at the keyboard, or the TPM is not cleared.`,
    ev,
  );
}
