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

export function resumeCommandLine(campaignId: string, values: OptionValues): string {
  const words = ['tpm-doctor', 'fleet', 'resume', campaignId];
  for (const option of CARRIED) {
    const value = values[option];
    if (typeof value !== 'string') continue;
    words.push(`--${option}`, shellWord(option === 'store' ? storeSpecWithoutSecrets(value) : value));
  }
  return words.join(' ');
}

/** A word a shell reads back unchanged: bare when plain (as in PowerShell too), else POSIX single-quoted. */
function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", "'\\''")}'`;
}
