/**
 * The exact command that resumes a stopped campaign: `fleet resume ID` with the connection
 * options it runs with (a campaign resumes only in its own tenant, with the same app and sign-in,
 * src/plan/tenant-pinning.ts), so the line printed after Ctrl-C works when run as printed.
 * Never a secret: a client secret is never an option (AZURE_CLIENT_SECRET), a certificate is a
 * file path, and a store URL's password (in the userinfo or as a query parameter) is left out (the
 * driver reads it from PGPASSWORD or ~/.pgpass, docs/store.md).
 */
import { storeSpecWithoutSecrets } from '../../fleet/store/postgres-url.js';

const CARRIED = [
  'tenant',
  'lab-devices',
  'lab-seed',
  'lab-window-ms',
  'lab-swtpm',
  'graph-url',
  'tenant-id',
  'client-id',
  'auth',
  'certificate',
  'graph-share',
  'store',
] as const;

type OptionValues = { readonly [key: string]: string | boolean | string[] | undefined };

/**
 * The connection options of `values` that `fleet resume` needs, kept with the campaign in the store
 * (docs/store.md, schema 6) so that `fleet status ID` can print the full command: CARRIED but the
 * store, which `fleet status` is itself given. None is a secret (above).
 */
export function resumeOptions(values: OptionValues): Record<string, string> {
  const options: Record<string, string> = {};
  for (const option of CARRIED) {
    const value = values[option];
    if (option !== 'store' && typeof value === 'string') options[option] = value;
  }
  return options;
}

/**
 * The shell the printed command is meant to be pasted into: PowerShell on Windows (the shell an
 * Intune admin there has), a POSIX shell elsewhere. cmd.exe is not quoted for (docs/campaigns.md).
 */
type CommandShell = 'posix' | 'powershell';

export function resumeCommandLine(
  campaignId: string,
  values: OptionValues,
  shell: CommandShell = process.platform === 'win32' ? 'powershell' : 'posix',
): string {
  const word = shell === 'powershell' ? powershellWord : posixWord;
  const words = ['tpm-doctor', 'fleet', 'resume', word(campaignId)];
  for (const option of CARRIED) {
    const value = values[option];
    if (typeof value !== 'string') continue;
    words.push(`--${option}`, word(option === 'store' ? storeSpecWithoutSecrets(value) : value));
  }
  return words.join(' ');
}

/**
 * A word a POSIX shell reads back unchanged: bare when plain, else single-quoted, inside which
 * nothing is special but the closing quote (POSIX.1-2017 XCU 2.2.2, "Single-Quotes").
 */
function posixWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * A word PowerShell reads back unchanged: bare only when plain there too (no `@` splatting, `,`
 * array, `%`, `$`, quotes or spaces), else a verbatim (single-quoted) string, inside which a single
 * quote is written twice and nothing else is special. PowerShell also reads the typographic quotes
 * U+2018..U+201B as single quotes, so they are doubled too (about_Quoting_Rules,
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules).
 */
function powershellWord(value: string): string {
  if (/^[A-Za-z0-9_./:\\-]+$/.test(value)) return value;
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (quote) => quote + quote)}'`;
}
