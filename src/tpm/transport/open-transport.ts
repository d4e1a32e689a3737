import { existsSync } from 'node:fs';
import { TpmDoctorError } from '../../errors.js';
import type { Transport, TransportOptions } from './transport.js';

/** The URI forms `--tpm` and TPM_DOCTOR_TPM accept, for help texts and errors. */
export const TPM_URI_FORMS = [
  'device:[PATH]        Linux TPM device (default /dev/tpmrm0, then /dev/tpm0)',
  'swtpm://HOST:PORT    swtpm TCP data port (control channel at PORT+1)',
  'mssim://HOST:PORT    Microsoft/IBM simulator protocol',
  'tbs:                 Windows TPM Base Services',
  'swtpm:host=H,port=P  tpm2-tools TCTI strings (also mssim:..., device:PATH)',
] as const;

/**
 * tpm2-tools' TCTI defaults, as its man pages give them ("TCTI OPTIONS" in tpm2_getcap(1)): the
 * simulator TCTIs default to 127.0.0.1 and port 2321; an empty configuration means the defaults.
 */
const TCTI_DEFAULT_HOST = '127.0.0.1';
const TCTI_DEFAULT_PORT = 2321;

/**
 * TCTIs tpm2-tools knows that tpm-doctor does not speak, and what to use instead. tabrmd/abrmd is
 * the D-Bus resource manager (tpm2-abrmd); the kernel's own resource manager is the same service
 * without a daemon.
 */
const UNSUPPORTED_TCTIS: Readonly<Record<string, string>> = {
  tabrmd:
    "the tpm2-abrmd resource manager (D-Bus) is not supported: use device:/dev/tpmrm0, the kernel's resource manager",
  abrmd:
    "the tpm2-abrmd resource manager (D-Bus) is not supported: use device:/dev/tpmrm0, the kernel's resource manager",
  none: '"none" opens no TPM; tpm-doctor needs one',
};

class TpmUriError extends TpmDoctorError {
  constructor(message: string) {
    super('tpm-uri', message);
  }
}

type TpmUri =
  | { kind: 'device'; path: string | undefined }
  | { kind: 'swtpm' | 'mssim'; host: string; port: number }
  | { kind: 'tbs' };

/** Parses a TPM URI without opening anything. */
function parseTpmUri(uri: string): TpmUri {
  const text = uri.trim();
  if (text === 'tbs:' || text === 'tbs') return { kind: 'tbs' };
  if (text === 'device:' || text === 'device') return { kind: 'device', path: undefined };
  if (text.startsWith('device:')) {
    const path = text.slice('device:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path.startsWith('/'))
      throw new TpmUriError(`device path must be absolute, e.g. device:/dev/tpmrm0 (got "${uri}")`);
    return { kind: 'device', path };
  }
  const m = /^(swtpm|mssim):\/\/(\[[0-9a-fA-F:]+\]|[^:/[\]]+)(?::(\d+))?\/?$/.exec(text);
  if (m) {
    const host = m[2]!.replace(/^\[|\]$/g, '');
    return { kind: m[1] as 'swtpm' | 'mssim', host, port: checkedPort(m[3]) };
  }
  const tcti = parseTctiString(text, uri);
  if (tcti) return tcti;
  throw new TpmUriError(`unrecognised TPM URI "${uri}". Use one of:\n  ${TPM_URI_FORMS.join('\n  ')}`);
}

function checkedPort(text: string | undefined): number {
  const port = text === undefined ? TCTI_DEFAULT_PORT : Number(text);
  if (!/^\d+$/.test(text ?? '0') || !Number.isInteger(port) || port < 1 || port > 65534) {
    throw new TpmUriError(`port must be 1-65534 (the control channel uses PORT+1), got "${text}"`);
  }
  return port;
}

/**
 * A tpm2-tools TCTI string (`-T`/TPM2TOOLS_TCTI): `swtpm:host=H,port=P` or `mssim:...` (keys in any
 * order, either may be left out), or a TCTI tpm-doctor names and refuses. Undefined when the text
 * is not in TCTI form at all. (`device:PATH` has the same form in both and is parsed above.)
 */
function parseTctiString(text: string, uri: string): TpmUri | undefined {
  const m = /^([a-z]+):(.*)$/.exec(text) ?? /^([a-z]+)$/.exec(text);
  if (!m) return undefined;
  const name = m[1]!;
  const unsupported = UNSUPPORTED_TCTIS[name];
  if (unsupported !== undefined) throw new TpmUriError(`TCTI "${name}": ${unsupported}`);
  if (name !== 'swtpm' && name !== 'mssim') return undefined;
  const config = m[2] ?? '';
  const values = new Map<string, string>();
  for (const pair of config === '' ? [] : config.split(',')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (key !== 'host' && key !== 'port') {
      throw new TpmUriError(
        `TCTI "${uri}": expected host=HOST and port=PORT separated by commas, got "${pair}"`,
      );
    }
    values.set(key, pair.slice(eq + 1).trim());
  }
  const host = (values.get('host') ?? TCTI_DEFAULT_HOST).replace(/^\[|\]$/g, '');
  if (host === '') throw new TpmUriError(`TCTI "${uri}": host is empty`);
  return { kind: name, host, port: checkedPort(values.get('port')) };
}

/**
 * The TPM named by the environment: TPM_DOCTOR_TPM, else tpm2-tools' TPM2TOOLS_TCTI (so a shell
 * set up for tpm2-tools points tpm-doctor at the same TPM), else undefined.
 */
export function environmentTpmUri(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const own = env.TPM_DOCTOR_TPM?.trim();
  if (own) return own;
  const tcti = env.TPM2TOOLS_TCTI?.trim();
  return tcti ? tcti : undefined;
}

/** The default TPM of this machine: TBS on Windows, the kernel resource manager on Linux. */
export function defaultTpmUri(): string {
  if (process.platform === 'win32') return 'tbs:';
  return 'device:';
}

/**
 * Opens a transport for a URI. Modules for the other kinds are never loaded, so a status run
 * against swtpm does not pay for the Windows FFI, and vice versa.
 */
export async function openTransport(uri: string, options: TransportOptions = {}): Promise<Transport> {
  const parsed = parseTpmUri(uri);
  switch (parsed.kind) {
    case 'device': {
      const { DeviceTransport } = await import('./device.js');
      const path = parsed.path ?? ['/dev/tpmrm0', '/dev/tpm0'].find((p) => existsSync(p)) ?? '/dev/tpmrm0';
      return new DeviceTransport(path, options);
    }
    case 'swtpm': {
      const { swtpmTransport } = await import('./swtpm.js');
      return swtpmTransport(parsed.host, parsed.port, options);
    }
    case 'mssim': {
      const { mssimTransport } = await import('./mssim.js');
      return mssimTransport(parsed.host, parsed.port, options);
    }
    case 'tbs': {
      const { TbsTransport } = await import('./tbs.js');
      return new TbsTransport();
    }
  }
}
