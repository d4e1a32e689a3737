/**
 * The physical-presence operation pending now, read back without writing anything: how a PPI run
 * settles a request that a crash left in flight (journaled "requesting", outcome unknown) before it
 * would ever write the request again.
 * - Linux: the kernel's `ppi/request` file ("<op>", or "<op> <param>" for op 23; "0" when none).
 * - Windows: Win32_Tpm.GetPhysicalPresenceRequest, whose Request is the pending operation (0: none).
 */
import path from 'node:path';
import type { PpiTarget } from '../platform/ppi.js';
import { PpiError } from '../platform/ppi-error.js';
import { nodeSysfs, ppiDirCandidates } from '../platform/ppi-linux.js';

/** The Windows script: prints `{"ok":..,"ret":..,"request":..,"error":..}`. */
export function windowsPendingScript(): string {
  return [
    '$r = [ordered]@{ ok = $true; ret = $null; request = $null; error = $null }',
    'try {',
    "  $ErrorActionPreference = 'Stop'",
    "  $tpm = Get-CimInstance -Namespace 'root\\cimv2\\Security\\MicrosoftTpm' -ClassName Win32_Tpm",
    "  if ($null -eq $tpm) { throw 'No Win32_Tpm instance: Windows sees no TPM.' }",
    '  $g = Invoke-CimMethod -InputObject $tpm -MethodName GetPhysicalPresenceRequest',
    '  $r.ret = [uint32]$g.ReturnValue',
    '  $r.request = [uint32]$g.Request',
    '} catch {',
    '  $r.ok = $false',
    '  $r.error = [string]$_.Exception.Message',
    '}',
    '[Console]::Out.Write((ConvertTo-Json -InputObject $r -Compress))',
  ].join('\n');
}

export function parseWindowsPending(stdout: string): number {
  let v: { ok?: unknown; ret?: unknown; request?: unknown; error?: unknown };
  try {
    v = JSON.parse(stdout.trim()) as typeof v;
  } catch {
    throw new PpiError(
      'unexpected-output',
      `Expected one JSON object from the GetPhysicalPresenceRequest script, got "${stdout.trim().slice(0, 200)}".`,
    );
  }
  if (v.ok !== true)
    throw new PpiError('unexpected-output', `Win32_Tpm failed: ${String(v.error ?? 'no message')}`);
  if (v.ret !== 0 || typeof v.request !== 'number') {
    throw new PpiError(
      'unexpected-output',
      `GetPhysicalPresenceRequest returned ${JSON.stringify(v.ret)} with request ${JSON.stringify(v.request)}.`,
    );
  }
  return v.request;
}

/** The pending physical-presence operation (0 when none). Throws a PpiError when it cannot be read. */
export async function readPendingPpiRequest(target: PpiTarget): Promise<number> {
  if (target.platform === 'win32') {
    const r = await target.powershell(windowsPendingScript());
    return parseWindowsPending(r.stdout);
  }
  const files = target.files ?? nodeSysfs;
  const problems: string[] = [];
  for (const dir of ppiDirCandidates(target)) {
    const file = path.join(dir, 'request');
    let text: string;
    try {
      text = await files.read(file);
    } catch (e) {
      problems.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    const m = /^\s*(\d+)/.exec(text);
    if (!m)
      throw new PpiError(
        'unexpected-output',
        `Expected a number in ${file}, got "${text.trim().slice(0, 80)}".`,
      );
    return Number(m[1]);
  }
  throw new PpiError('unexpected-output', `Could not read the pending request: ${problems.join('; ')}`);
}
