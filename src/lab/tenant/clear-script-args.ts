/**
 * LAB: what `tpm-doctor clear` is started with when a device runs the clear campaign's
 * remediation script (src/fleet/campaign/clear-script.ts), worked out from the script text
 * itself, as PowerShell would run it on a device whose `dsregcmd /status` prints `entraDeviceId`:
 * the escrow table (`$verified = @{ 'id' = 'ids' }`) looked up by that ID, the `$escrowArgs`
 * array built only when the device is in the table, and the `& tpm-doctor clear ...` line with
 * its single-quoted arguments ('' for an apostrophe, about_Quoting_Rules) and the `@escrowArgs`
 * splat. Only the forms the generator writes are understood; anything else is an error, so the lab
 * never runs a command line the tenant's devices would not.
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

/** The arguments `tpm-doctor clear` gets on the device with this Entra ID device ID. */
export function clearScriptArgv(script: string, entraDeviceId: string | null): string[] {
  const lines = script.split(/\r?\n/);
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
  const command = lines.find((l) => /^\s*& tpm-doctor clear /.test(l));
  if (command === undefined) throw new Error('LAB: the clear script never runs tpm-doctor clear');
  const words = tokens(command.trim().replace(/^& tpm-doctor clear /, ''));
  return words.flatMap((w) => (!w.quoted && w.text === '@escrowArgs' ? escrowArgs : [w.text]));
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
