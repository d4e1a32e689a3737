/**
 * LAB: what `tpm-doctor clear` is started with when a device runs the clear campaign's
 * remediation script (src/fleet/campaign/clear-script.ts), worked out from the script text
 * itself, as PowerShell would run it on a device whose `dsregcmd /status` prints `entraDeviceId`:
 * the escrow table (`$verified = @{ 'id' = 'ids' }`) looked up by that ID, the `$escrowArgs`
 * array built only when the device is in the table, the executable found by its full path under
 * Program Files (where packaging/windows/install.ps1 puts it) and checked before anything runs,
 * and the `& $exe clear ...` line with its single-quoted arguments ('' for an apostrophe,
 * about_Quoting_Rules) and the `@escrowArgs` splat. Only the forms the generator writes are
 * understood; anything else is an error, so the lab never runs a command line the tenant's
 * devices would not.
 */
import { parseArgs } from 'node:util';

/**
 * A single-quoted PowerShell string, a string built from [char] codes (how psString writes
 * non-ASCII text: `(-join [char[]](0x4a, 0x6f))`), or a bare word (flags).
 */
const TOKEN =
  /'((?:[^']|'')*)'|\(-join \[char\[\]\]\(((?:0x[0-9a-f]+)(?:, 0x[0-9a-f]+)*)\)\)|(@?[A-Za-z0-9$_.:[\]-]+)/g;

function unquote(match: RegExpMatchArray): { text: string; quoted: boolean } {
  if (match[1] !== undefined) return { text: match[1].replace(/''/g, "'"), quoted: true };
  if (match[2] !== undefined) {
    return {
      text: String.fromCharCode(...match[2].split(', ').map((c) => Number.parseInt(c, 16))),
      quoted: true,
    };
  }
  return { text: match[3] ?? '', quoted: false };
}

function tokens(text: string): { text: string; quoted: boolean }[] {
  const rest = text.replace(TOKEN, '').trim();
  if (rest !== '')
    throw new Error(
      `LAB: the clear script has text the lab cannot read: ${JSON.stringify(rest.slice(0, 60))}`,
    );
  return [...text.matchAll(TOKEN)].map(unquote);
}

/** The escrow table: Entra ID device ID (lower-case) -> the comma-separated protector IDs. */
function escrowTable(lines: readonly string[]): Map<string, string> {
  const table = new Map<string, string>();
  const start = lines.findIndex((l) => /^\$verified = @\{\}?$/.test(l.trim()));
  if (start === -1) throw new Error('LAB: the clear script has no $verified table');
  if (lines[start]!.trim() === '$verified = @{}') return table;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '}') return table;
    const row = /^'((?:[^']|'')*)' = '((?:[^']|'')*)'$/.exec(line);
    if (row === null)
      throw new Error(`LAB: unreadable row in the $verified table: ${JSON.stringify(line.slice(0, 60))}`);
    table.set(row[1]!.replace(/''/g, "'").toLowerCase(), row[2]!.replace(/''/g, "'"));
  }
  throw new Error('LAB: the $verified table is not closed');
}

/**
 * How the script finds tpm-doctor.exe, line for line: the 64-bit Program Files as install.ps1 and
 * detect.ps1 compute it, the full path, and the check that stops the script (exit 127, nothing
 * suspended) when the file is not there. Written out here rather than imported from the
 * generator, so that a change to the script fails the lab until its reading changes with it.
 */
const EXE_LINES: readonly (string | RegExp)[] = [
  '$programFiles = if ($env:ProgramW6432) { $env:ProgramW6432 } else { $env:ProgramFiles }',
  "$exe = Join-Path $programFiles 'tpm-doctor\\tpm-doctor.exe'",
  /^if \(-not \(Test-Path -LiteralPath \$exe -PathType Leaf\)\) \{ \$missing = "tpm-doctor is not installed at \$\{exe\}: deploy the tpm-doctor Win32 app \(docs\/deploy-windows\.md\)"; Write-Output \$missing; \[Console\]::Error\.WriteLine\(\$missing\); exit 127 \}$/,
];

/**
 * The line that runs the clear: tpm-doctor.exe by the full path of EXE_LINES, its JSON output
 * kept in $out for the transition (below).
 */
const COMMAND = /^\s*\$out = @\(& \$exe clear (.*)\)\s*$/;

/** Throws unless the script finds tpm-doctor.exe exactly as EXE_LINES says, and never by name. */
function checkExecutable(lines: readonly string[]): void {
  const byName = lines.find((l) =>
    /(^|[&;({]\s*)tpm-doctor(\.exe)?\s|Get-Command\s+tpm-doctor/i.test(l.trim()),
  );
  if (byName !== undefined) {
    throw new Error(
      `LAB: the clear script runs tpm-doctor by name, not by its full path: ${JSON.stringify(byName.trim().slice(0, 60))}`,
    );
  }
  let at = -1;
  for (const expected of EXE_LINES) {
    const found = lines.findIndex(
      (l, i) => i > at && (typeof expected === 'string' ? l.trim() === expected : expected.test(l.trim())),
    );
    if (found === -1) {
      throw new Error(
        `LAB: the clear script does not find tpm-doctor.exe as the lab expects (missing or out of order: ${JSON.stringify(String(expected).slice(0, 60))})`,
      );
    }
    at = found;
  }
  const command = lines.findIndex((l) => COMMAND.test(l));
  if (command !== -1 && command < at)
    throw new Error('LAB: the clear script runs tpm-doctor.exe before checking it is there');
}

/** The arguments `tpm-doctor clear` gets on the device with this Entra ID device ID. */
export function clearScriptArgv(script: string, entraDeviceId: string | null): string[] {
  const lines = script.split(/\r?\n/);
  checkExecutable(lines);
  const table = escrowTable(lines);
  const id = entraDeviceId?.toLowerCase() ?? '';
  let escrowArgs: string[] = [];
  const conditional = lines.find((l) => l.includes('$verified.ContainsKey($entraId)'));
  if (conditional === undefined) throw new Error('LAB: the clear script never builds $escrowArgs');
  const array = /\{ \$escrowArgs = @\((.*)\) \}\s*$/.exec(conditional);
  if (array === null) throw new Error('LAB: unreadable $escrowArgs line');
  if (id !== '' && table.has(id)) {
    escrowArgs = array[1]!
      .split(/,\s*(?=(?:[^']*'[^']*')*[^']*$)/)
      .filter((part) => part.trim() !== '')
      .map((part) => {
        const trimmed = part.trim();
        if (trimmed === '$verified[$entraId]') return table.get(id)!;
        const [token, ...more] = tokens(trimmed);
        if (token === undefined || !token.quoted || more.length > 0) {
          throw new Error(`LAB: unreadable $escrowArgs item ${JSON.stringify(trimmed.slice(0, 60))}`);
        }
        return token.text;
      });
  }
  const command = lines.map((l) => COMMAND.exec(l)).find((m) => m !== null);
  if (command === undefined) throw new Error('LAB: the clear script never runs tpm-doctor.exe clear');
  const words = tokens(command[1]!.trim());
  return words.flatMap((w) => (!w.quoted && w.text === '@escrowArgs' ? escrowArgs : [w.text]));
}

/** The script's lines that read the firmware's transition from tpm-doctor's --json output, exactly. */
const TRANSITION_LINES = [
  '$transition = $null',
  '$code = $LASTEXITCODE',
  '$out',
  'try { $run = ($out -join "`n" | ConvertFrom-Json).run; if ($null -ne $run.transition) { $transition = $run.transition.code } } catch { $transition = $null }',
];

/** `& "$env:SystemRoot\System32\shutdown.exe" /r|/s /t N /c "..."`: a restart or a full shutdown. */
const SHUTDOWN =
  /^& "\$env:SystemRoot\\System32\\shutdown\.exe" \/([rs]) \/t \d{1,6} \/c "[\x20\x21\x23\x25-\x5f\x61-\x7e]{1,512}"$/;

export type PowerAction = 'restart' | 'shutdown';

/**
 * What the clear script does after an accepted clear on a device whose firmware answered
 * `transition` (GetPhysicalPresenceTransition; null when tpm-doctor did not read one), worked out
 * as PowerShell evaluates the script's block:
 *
 *     if ($code -eq 0 -or $code -eq 12) {
 *       if ($transition -eq A -or $transition -eq B) {
 *         & "...\shutdown.exe" /r ...
 *       } else {
 *         & "...\shutdown.exe" /s ...
 *       }
 *     }
 *
 * (`$null -eq A` is false, so no transition takes the else branch). Null when the script has no
 * such block (it neither restarts nor shuts down); any other form is an error.
 */
export function clearScriptPowerAction(script: string, transition: number | null): PowerAction | null {
  const lines = script.split(/\r?\n/).map((l) => l.trim());
  let at = -1;
  for (const expected of TRANSITION_LINES) {
    const found = lines.findIndex((l, i) => i > at && l === expected);
    if (found === -1) {
      throw new Error(
        `LAB: the clear script does not read the firmware's transition as the lab expects (${JSON.stringify(expected.slice(0, 60))})`,
      );
    }
    at = found;
  }
  const start = lines.indexOf('if ($code -eq 0 -or $code -eq 12) {');
  if (start === -1) {
    if (lines.some((l) => /shutdown(\.exe)?"?\s+\/|Restart-Computer/i.test(l))) {
      throw new Error('LAB: the clear script restarts or shuts down outside the block the lab reads');
    }
    return null;
  }
  if (start < at) throw new Error('LAB: the clear script restarts before it reads the transition');
  const condition = /^if \((\$transition -eq \d+(?: -or \$transition -eq \d+)*)\) \{$/.exec(
    lines[start + 1] ?? '',
  );
  const then = SHUTDOWN.exec(lines[start + 2] ?? '');
  const otherwise = SHUTDOWN.exec(lines[start + 4] ?? '');
  if (
    condition === null ||
    then === null ||
    lines[start + 3] !== '} else {' ||
    otherwise === null ||
    lines[start + 5] !== '}' ||
    lines[start + 6] !== '}'
  ) {
    throw new Error('LAB: unreadable restart block in the clear script');
  }
  const codes = new Set([...condition[1]!.matchAll(/\d+/g)].map((m) => Number(m[0])));
  const kind = transition !== null && codes.has(transition) ? then[1] : otherwise[1];
  return kind === 'r' ? 'restart' : 'shutdown';
}

/** The `tpm-doctor clear` flags a clear script may use, parsed as the CLI parses them (strict). */
export function parseClearScriptFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      method: { type: 'string' },
      purpose: { type: 'string' },
      yes: { type: 'boolean' },
      json: { type: 'boolean' },
      'approved-by': { type: 'string' },
      ticket: { type: 'string' },
      'escrow-verified': { type: 'string' },
      'escrow-verified-at': { type: 'string' },
      'escrow-verified-by': { type: 'string' },
    },
  }).values;
}
