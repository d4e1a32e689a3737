/**
 * The physical-presence request on Windows, through WMI: Win32_Tpm.SetPhysicalPresenceRequest,
 * then GetPhysicalPresenceTransition; after the restart GetPhysicalPresenceResponse
 * (root\cimv2\Security\MicrosoftTpm; https://learn.microsoft.com/windows/win32/secprov/win32-tpm). Win32_Tpm's methods are
 * instance methods, so the script calls them on the instance (-InputObject), not on the class.
 * SetPhysicalPresenceRequest also suspends BitLocker when the clear would otherwise cause a
 * recovery (https://learn.microsoft.com/windows/win32/secprov/setphysicalpresencerequest-win32-tpm).
 *
 * Each script prints its result in the one PowerShell envelope (src/system/powershell-envelope.ts);
 * failures come back either as a non-zero ReturnValue (a TPM_E_* HRESULT as uint32) in the result,
 * or as an exception caught into the envelope.
 */

import type { PowerShellRunner } from '../../system/powershell.js';
import { envelopeScript, type PowerShellEnvelope, readEnvelope } from '../../system/powershell-envelope.js';
import type { ProcessResult } from '../../system/process-result.js';
import { notElevatedMessage } from './elevation.js';
import {
  type ClearOperation,
  PPI_ENABLE_CLEAR,
  type PpiResponse,
  responseOf,
  transitionOf,
  UNKNOWN_TRANSITION_INSTRUCTION,
} from './ppi-codes.js';
import { NO_PPI_MESSAGE, PpiError } from './ppi-error.js';
import type { PpiRequestResult } from './ppi-linux.js';

export interface WindowsPpiTarget {
  powershell: PowerShellRunner;
  /** 14 by default (ppi-codes.ts says why). */
  operation?: ClearOperation;
  dryRun?: boolean;
}

/** How long one Win32_Tpm script may take (WMI can be slow to start on a busy machine). */
const WIN32_TPM_TIMEOUT_MS = 120_000;

/** The Win32_Tpm instance every script starts from. */
const GET_TPM = [
  "$tpm = Get-CimInstance -Namespace 'root\\cimv2\\Security\\MicrosoftTpm' -ClassName Win32_Tpm",
  "if ($null -eq $tpm) { throw 'No Win32_Tpm instance: Windows sees no TPM.' }",
];

function win32TpmScript(lines: readonly string[]): string {
  return envelopeScript([...GET_TPM, ...lines].join('\n'), { depth: 4 });
}

/** The request script: submit the operation, then ask which transition the firmware needs. */
export function windowsClearScript(operation: ClearOperation = PPI_ENABLE_CLEAR): string {
  return win32TpmScript([
    `$set = Invoke-CimMethod -InputObject $tpm -MethodName SetPhysicalPresenceRequest -Arguments @{ Request = [uint32]${operation} }`,
    '$out = [ordered]@{ setReturn = [uint32]$set.ReturnValue; transitionReturn = $null; transition = $null }',
    'if ($out.setReturn -eq 0) {',
    '  $t = Invoke-CimMethod -InputObject $tpm -MethodName GetPhysicalPresenceTransition',
    '  $out.transitionReturn = [uint32]$t.ReturnValue',
    '  $out.transition = [uint32]$t.Transition',
    '}',
    '[pscustomobject]$out',
  ]);
}

/** The response script, for after the restart. */
function windowsResponseScript(): string {
  return win32TpmScript([
    '$g = Invoke-CimMethod -InputObject $tpm -MethodName GetPhysicalPresenceResponse',
    '[pscustomobject]@{ responseReturn = [uint32]$g.ReturnValue; request = [uint32]$g.Request; response = [uint32]$g.Response }',
  ]);
}

/** The pending-request script: GetPhysicalPresenceRequest, whose Request is the pending operation (0: none). */
export function windowsPendingScript(): string {
  return win32TpmScript([
    '$g = Invoke-CimMethod -InputObject $tpm -MethodName GetPhysicalPresenceRequest',
    '[pscustomobject]@{ ret = [uint32]$g.ReturnValue; request = [uint32]$g.Request }',
  ]);
}

/** The TPM_E_PPI_* and access HRESULTs these methods return (winerror.h), in plain sentences. */
function explainWindowsPpiCode(code: number, operation: number): PpiError | undefined {
  switch (code >>> 0) {
    case 0x80290303: // TPM_E_PPI_NOT_SUPPORTED
      return new PpiError('no-ppi', `${NO_PPI_MESSAGE} (Windows: TPM_E_PPI_NOT_SUPPORTED 0x80290303)`);
    case 0x80290300: // TPM_E_PPI_ACPI_FAILURE
      return new PpiError(
        'firmware-failure',
        "The firmware's ACPI physical-presence method failed when Windows called it (TPM_E_PPI_ACPI_FAILURE 0x80290300): update the firmware (UEFI/BIOS) from the PC maker, or clear the TPM from the firmware setup screen.",
      );
    case 0x80290301: // TPM_E_PPI_USER_ABORT
      return new PpiError(
        'refused-by-firmware',
        `The person at the machine declined the firmware prompt for operation ${operation} (TPM_E_PPI_USER_ABORT 0x80290301).`,
      );
    case 0x80290302: // TPM_E_PPI_BIOS_FAILURE
      return new PpiError(
        'firmware-failure',
        `The firmware failed to run operation ${operation} (TPM_E_PPI_BIOS_FAILURE 0x80290302): update the firmware, or clear the TPM from the firmware setup screen.`,
      );
    case 0x80290304: // TPM_E_PPI_BLOCKED_IN_BIOS
      return new PpiError(
        'refused-by-firmware',
        `The firmware's settings block operation ${operation} when Windows asks for it (TPM_E_PPI_BLOCKED_IN_BIOS 0x80290304): in the firmware setup, allow the OS to request a TPM clear, or clear the TPM there.`,
      );
    case 0x80070005: // E_ACCESSDENIED
    case 0x80041003: // WBEM_E_ACCESS_DENIED
      return new PpiError(
        'not-elevated',
        `${notElevatedMessage('win32')} (Win32_Tpm: access denied 0x${(code >>> 0).toString(16).toUpperCase()})`,
      );
    default:
      return undefined;
  }
}

type Failed = Extract<PowerShellEnvelope, { ok: false }>;

/** The script's result object, or the failed envelope; throws when there is no envelope at all. */
function parseEnvelope(
  what: string,
  stdout: string,
  stderr: string,
  code: number | null,
): { ok: true; data: Record<string, unknown> } | Failed {
  const reading = readEnvelope(stdout);
  if (reading.kind === 'no-json') {
    throw new PpiError(
      'unexpected-output',
      `Expected one JSON object from the ${what} script, got exit code ${code} and "${stdout.trim().slice(0, 200)}"${stderr.trim() ? `, stderr "${stderr.trim().slice(0, 200)}"` : ''}.`,
    );
  }
  const data = reading.kind === 'envelope' && reading.envelope.ok ? reading.envelope.data : {};
  if (reading.kind === 'not-an-envelope' || typeof data !== 'object' || data === null) {
    throw new PpiError(
      'unexpected-output',
      `Expected {"ok": ...} from the ${what} script, got ${stdout.trim().slice(0, 200)}.`,
    );
  }
  return reading.envelope.ok ? { ok: true, data: data as Record<string, unknown> } : reading.envelope;
}

function num(data: Record<string, unknown>, key: string): number | null {
  const v = data[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The exit code as the messages quote it: none when the timeout ended PowerShell. */
function exitCodeOf(r: ProcessResult): number | null {
  return r.timedOut ? null : r.exitCode;
}

/** A failed call: a known HRESULT in the exception or its message, else its message as it is. */
function failure(env: Failed, operation: number): PpiError {
  const candidates = [env.hresult ?? 0];
  for (const m of (env.error ?? '').matchAll(/0x([0-9a-fA-F]{8})/g))
    candidates.push(Number.parseInt(m[1]!, 16));
  if (env.status === 'AccessDenied') candidates.push(0x80041003);
  for (const c of candidates) {
    const known = explainWindowsPpiCode(c, operation);
    if (known) return known;
  }
  return new PpiError('unexpected-output', `Win32_Tpm failed: ${env.error ?? 'no message'}`);
}

/** Parses the request script's output. */
function parseWindowsClearOutput(
  stdout: string,
  operation: number,
  stderr = '',
  code: number | null = 0,
): PpiRequestResult {
  const env = parseEnvelope('SetPhysicalPresenceRequest', stdout, stderr, code);
  if (!env.ok) throw failure(env, operation);
  const setReturn = num(env.data, 'setReturn');
  if (setReturn === null)
    throw new PpiError('unexpected-output', 'SetPhysicalPresenceRequest gave no ReturnValue.');
  if (setReturn !== 0) {
    throw (
      explainWindowsPpiCode(setReturn, operation) ??
      new PpiError(
        'refused-by-firmware',
        `SetPhysicalPresenceRequest(${operation}) returned 0x${(setReturn >>> 0).toString(16).toUpperCase()}.`,
      )
    );
  }
  const transitionReturn = num(env.data, 'transitionReturn');
  const transitionCode = num(env.data, 'transition');
  // The request is in. Without a transition the firmware's need is unknown, never assumed to be a
  // restart: null, and the instruction that serves both (UNKNOWN_TRANSITION_INSTRUCTION).
  const transition = transitionReturn === 0 && transitionCode !== null ? transitionOf(transitionCode) : null;
  return {
    platform: 'win32',
    operation,
    dryRun: false,
    pending: null,
    transition,
    version: null,
    confirmation: 'unknown',
    message: `Physical-presence operation ${operation} is pending. ${transition?.instruction ?? UNKNOWN_TRANSITION_INSTRUCTION} Someone must be at the machine to accept the firmware prompt; if nobody accepts it, the TPM is not cleared.`,
  };
}

/** Asks the firmware, through Win32_Tpm, to clear the TPM at the next restart. */
export async function requestWindowsPpiClear(target: WindowsPpiTarget): Promise<PpiRequestResult> {
  const operation = target.operation ?? PPI_ENABLE_CLEAR;
  if (target.dryRun) {
    return {
      platform: 'win32',
      operation,
      dryRun: true,
      pending: null,
      transition: null,
      version: null,
      confirmation: 'unknown',
      message: `Dry run: would call Win32_Tpm.SetPhysicalPresenceRequest(${operation}).`,
    };
  }
  const r = await target.powershell(windowsClearScript(operation), WIN32_TPM_TIMEOUT_MS);
  return parseWindowsClearOutput(r.stdout, operation, r.stderr, exitCodeOf(r));
}

/** Parses the response script's output. */
function parseWindowsResponseOutput(stdout: string, stderr = '', code: number | null = 0): PpiResponse {
  const env = parseEnvelope('GetPhysicalPresenceResponse', stdout, stderr, code);
  if (!env.ok) throw failure(env, 0);
  const ret = num(env.data, 'responseReturn');
  if (ret !== 0) {
    throw (
      explainWindowsPpiCode(ret ?? 0, 0) ??
      new PpiError(
        'unexpected-output',
        `GetPhysicalPresenceResponse returned ${ret === null ? 'nothing' : `0x${(ret >>> 0).toString(16).toUpperCase()}`}.`,
      )
    );
  }
  const request = num(env.data, 'request');
  const response = num(env.data, 'response');
  if (request === null || response === null)
    throw new PpiError('unexpected-output', 'GetPhysicalPresenceResponse gave no Request or Response.');
  return responseOf(request, response >>> 0);
}

export async function readWindowsPpiResponse(powershell: PowerShellRunner): Promise<PpiResponse> {
  const r = await powershell(windowsResponseScript(), WIN32_TPM_TIMEOUT_MS);
  return parseWindowsResponseOutput(r.stdout, r.stderr, exitCodeOf(r));
}

/** Parses the pending-request script's output: the pending operation (0 when none). */
function parseWindowsPendingOutput(stdout: string, stderr = '', code: number | null = 0): number {
  const env = parseEnvelope('GetPhysicalPresenceRequest', stdout, stderr, code);
  if (!env.ok) throw new PpiError('unexpected-output', `Win32_Tpm failed: ${env.error ?? 'no message'}`);
  const ret = env.data.ret;
  const request = env.data.request;
  if (ret !== 0 || typeof request !== 'number') {
    throw new PpiError(
      'unexpected-output',
      `GetPhysicalPresenceRequest returned ${JSON.stringify(ret)} with request ${JSON.stringify(request)}.`,
    );
  }
  return request;
}

/** The physical-presence operation pending now, read back without writing anything. */
export async function readWindowsPendingPpiRequest(powershell: PowerShellRunner): Promise<number> {
  const r = await powershell(windowsPendingScript(), WIN32_TPM_TIMEOUT_MS);
  return parseWindowsPendingOutput(r.stdout, r.stderr, exitCodeOf(r));
}
