/**
 * The one envelope every tpm-doctor PowerShell script prints its result in: one line of ASCII-only
 * JSON, `{"ok":..,"data":..,"error":..,"hresult":..,"status":..}`. The command's output is `data`;
 * an exception is caught into `error` (its message), `hresult` (Exception.HResult, which carries a
 * TPM_E_* or WBEM_E_* code) and `status` (a CIM exception's StatusCode, such as AccessDenied).
 * Non-ASCII characters leave PowerShell as \uXXXX (ConvertTo-TpmDoctorAscii), so neither quoting
 * nor the console code page (CP932 on Japanese Windows) can garble the line.
 */

import { readablePowerShellStderr } from './powershell-clixml.js';
import { POWERSHELL_PRELUDE } from './powershell-prelude.js';
import type { ProcessResult } from './process-result.js';

export interface EnvelopeScriptOptions {
  /** Lines before the script proper (a comment that names it, for logs and recorded tests). */
  header?: readonly string[];
  /** The result is a list: kept a list even with 0 or 1 item. */
  list?: boolean;
  /** ConvertTo-Json -Depth; default 8. */
  depth?: number;
}

/** The whole script that runs `command` (a script block body) and prints its envelope. */
export function envelopeScript(command: string, options: EnvelopeScriptOptions = {}): string {
  const run = options.list ? `@(& {\n${command}\n})` : `& {\n${command}\n}`;
  return [
    ...(options.header ?? []),
    "$ErrorActionPreference = 'Stop'",
    "$ProgressPreference = 'SilentlyContinue'",
    POWERSHELL_PRELUDE,
    '$r = [ordered]@{ ok = $true; data = $null; error = $null; hresult = $null; status = $null }',
    `try { $r.data = ${run} } catch { ${CAUGHT} }`,
    `[Console]::Out.Write((ConvertTo-TpmDoctorAscii (ConvertTo-Json -InputObject $r -Depth ${options.depth ?? 8} -Compress)))`,
  ].join('\n');
}

const CAUGHT = [
  '$r.ok = $false',
  '$r.error = [string]$_.Exception.Message',
  '$r.hresult = [int64]$_.Exception.HResult',
  "if ($_.Exception.PSObject.Properties['StatusCode']) { $r.status = [string]$_.Exception.StatusCode }",
].join('; ');

export type PowerShellEnvelope =
  | { ok: true; data: unknown }
  | { ok: false; error: string | null; hresult: number | null; status: string | null };

/** What a script's output held: its envelope, a JSON value that is not one, or no JSON at all. */
export type EnvelopeReading =
  | { kind: 'envelope'; envelope: PowerShellEnvelope }
  | { kind: 'not-an-envelope'; value: unknown }
  | { kind: 'no-json' };

/**
 * Reads the envelope from a script's stdout: the whole output, or else its last line (anything
 * PowerShell printed before the envelope, such as a warning, is ignored).
 */
export function readEnvelope(stdout: string): EnvelopeReading {
  const text = stdout.trim();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = JSON.parse(text.split(/\r\n|\r|\n/).at(-1) ?? '');
    } catch {
      return { kind: 'no-json' };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'not-an-envelope', value };
  const v = value as Record<string, unknown>;
  if (typeof v.ok !== 'boolean') return { kind: 'not-an-envelope', value };
  if (v.ok) return { kind: 'envelope', envelope: { ok: true, data: v.data } };
  return {
    kind: 'envelope',
    envelope: {
      ok: false,
      error: typeof v.error === 'string' ? v.error : null,
      hresult: typeof v.hresult === 'number' && Number.isFinite(v.hresult) ? v.hresult : null,
      status: typeof v.status === 'string' ? v.status : null,
    },
  };
}

/** "PowerShell exited with 1 and no result: <first line of stderr>", for output with no envelope. */
export function noResultMessage(result: ProcessResult): string {
  const err =
    readablePowerShellStderr(result.stderr)
      .split(/\r\n|\r|\n/)
      .map((line) => line.trim())
      .find((line) => line !== '') ?? '';
  return `PowerShell exited with ${result.exitCode ?? 'a signal'} and no result${err ? `: ${err}` : ''}`;
}
