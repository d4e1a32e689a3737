/**
 * The physical-presence request on Windows, through WMI: Win32_Tpm.SetPhysicalPresenceRequest,
 * then GetPhysicalPresenceTransition; after the restart GetPhysicalPresenceResponse
 * (root\cimv2\Security\MicrosoftTpm; research/windows_intune.md §1). Win32_Tpm's methods are
 * instance methods, so the script calls them on the instance (-InputObject), not on the class.
 * SetPhysicalPresenceRequest also suspends BitLocker when the clear would otherwise cause a
 * recovery (Microsoft doc).
 *
 * Each script prints one line of JSON that this file parses; failures come back either as a
 * non-zero ReturnValue (a TPM_E_* HRESULT as uint32) or as an exception caught into the JSON.
 */
import { notElevatedMessage } from './elevation.js';
import {
  type ClearOperation,
  PPI_ENABLE_CLEAR,
  type PpiResponse,
  responseOf,
  transitionOf,
} from './ppi-codes.js';
import { NO_PPI_MESSAGE, PpiError } from './ppi-error.js';
import type { PpiRequestResult } from './ppi-linux.js';
import type { ScriptRunner } from './runner.js';

export interface WindowsPpiTarget {
  powershell: ScriptRunner;
  /** 14 by default (ppi-codes.ts says why). */
  operation?: ClearOperation;
  dryRun?: boolean;
}

const PRELUDE = [
  "$ErrorActionPreference = 'Stop'",
  "$ProgressPreference = 'SilentlyContinue'",
  "$tpm = Get-CimInstance -Namespace 'root\\cimv2\\Security\\MicrosoftTpm' -ClassName Win32_Tpm",
  "if ($null -eq $tpm) { throw 'No Win32_Tpm instance: Windows sees no TPM.' }",
];

const EPILOGUE = [
  '} catch {',
  '  $r.ok = $false',
  '  $r.error = [string]$_.Exception.Message',
  '  $r.hresult = [int64]$_.Exception.HResult',
  '  if ($_.Exception.PSObject.Properties["StatusCode"]) { $r.status = [string]$_.Exception.StatusCode }',
  '}',
  '[Console]::Out.Write((ConvertTo-Json -InputObject $r -Compress))',
];

/** The request script: submit the operation, then ask which transition the firmware needs. */
export function windowsClearScript(operation: ClearOperation = PPI_ENABLE_CLEAR): string {
  return [
    '$r = [ordered]@{ ok = $true; setReturn = $null; transitionReturn = $null; transition = $null; error = $null; hresult = $null; status = $null }',
    'try {',
    ...PRELUDE.map((l) => `  ${l}`),
    `  $set = Invoke-CimMethod -InputObject $tpm -MethodName SetPhysicalPresenceRequest -Arguments @{ Request = [uint32]${operation} }`,
    '  $r.setReturn = [uint32]$set.ReturnValue',
    '  if ($r.setReturn -eq 0) {',
    '    $t = Invoke-CimMethod -InputObject $tpm -MethodName GetPhysicalPresenceTransition',
    '    $r.transitionReturn = [uint32]$t.ReturnValue',
    '    $r.transition = [uint32]$t.Transition',
    '  }',
    ...EPILOGUE,
  ].join('\n');
}

/** The response script, for after the restart. */
export function windowsResponseScript(): string {
  return [
    '$r = [ordered]@{ ok = $true; responseReturn = $null; request = $null; response = $null; error = $null; hresult = $null; status = $null }',
    'try {',
    ...PRELUDE.map((l) => `  ${l}`),
    '  $g = Invoke-CimMethod -InputObject $tpm -MethodName GetPhysicalPresenceResponse',
    '  $r.responseReturn = [uint32]$g.ReturnValue',
    '  $r.request = [uint32]$g.Request',
    '  $r.response = [uint32]$g.Response',
    ...EPILOGUE,
  ].join('\n');
}

/** The TPM_E_PPI_* and access HRESULTs these methods return (winerror.h), in plain sentences. */
export function explainWindowsPpiCode(code: number, operation: number): PpiError | undefined {
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

interface Envelope {
  ok: boolean;
  error: string | null;
  hresult: number | null;
  status: string | null;
  [key: string]: unknown;
}

function parseEnvelope(what: string, stdout: string, stderr: string, code: number | null): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(stdout.trim());
  } catch {
    throw new PpiError(
      'unexpected-output',
      `Expected one JSON object from the ${what} script, got exit code ${code} and "${stdout.trim().slice(0, 200)}"${stderr.trim() ? `, stderr "${stderr.trim().slice(0, 200)}"` : ''}.`,
    );
  }
  if (typeof value !== 'object' || value === null || typeof (value as { ok?: unknown }).ok !== 'boolean') {
    throw new PpiError(
      'unexpected-output',
      `Expected {"ok": ...} from the ${what} script, got ${stdout.trim().slice(0, 200)}.`,
    );
  }
  return value as Envelope;
}

function num(env: Envelope, key: string): number | null {
  const v = env[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A failed call: a known HRESULT in the exception or its message, else its message as it is. */
function failure(env: Envelope, operation: number): PpiError {
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
export function parseWindowsClearOutput(
  stdout: string,
  operation: number,
  stderr = '',
  code: number | null = 0,
): PpiRequestResult {
  const env = parseEnvelope('SetPhysicalPresenceRequest', stdout, stderr, code);
  if (!env.ok) throw failure(env, operation);
  const setReturn = num(env, 'setReturn');
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
  const transitionReturn = num(env, 'transitionReturn');
  const transitionCode = num(env, 'transition');
  // The request is in; without a transition the safe advice is a full restart.
  const transition =
    transitionReturn === 0 && transitionCode !== null ? transitionOf(transitionCode) : transitionOf(2);
  return {
    platform: 'win32',
    operation,
    dryRun: false,
    pending: null,
    transition,
    version: null,
    confirmation: 'unknown',
    message: `Physical-presence operation ${operation} is pending. ${transition.instruction} Someone must be at the machine to accept the firmware prompt; if nobody accepts it, the TPM is not cleared.`,
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
  const r = await target.powershell(windowsClearScript(operation));
  return parseWindowsClearOutput(r.stdout, operation, r.stderr, r.code);
}

/** Parses the response script's output. */
export function parseWindowsResponseOutput(
  stdout: string,
  stderr = '',
  code: number | null = 0,
): PpiResponse {
  const env = parseEnvelope('GetPhysicalPresenceResponse', stdout, stderr, code);
  if (!env.ok) throw failure(env, 0);
  const ret = num(env, 'responseReturn');
  if (ret !== 0) {
    throw (
      explainWindowsPpiCode(ret ?? 0, 0) ??
      new PpiError(
        'unexpected-output',
        `GetPhysicalPresenceResponse returned ${ret === null ? 'nothing' : `0x${(ret >>> 0).toString(16).toUpperCase()}`}.`,
      )
    );
  }
  const request = num(env, 'request');
  const response = num(env, 'response');
  if (request === null || response === null)
    throw new PpiError('unexpected-output', 'GetPhysicalPresenceResponse gave no Request or Response.');
  return responseOf(request, response >>> 0);
}

export async function readWindowsPpiResponse(powershell: ScriptRunner): Promise<PpiResponse> {
  const r = await powershell(windowsResponseScript());
  return parseWindowsResponseOutput(r.stdout, r.stderr, r.code);
}
