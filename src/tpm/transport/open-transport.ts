import { existsSync } from 'node:fs';
import { TpmDoctorError } from '../../errors.js';
import type { Transport, TransportOptions } from './transport.js';

/** The URI forms `--tpm` and TPM_DOCTOR_TPM accept, for help texts and errors. */
export const TPM_URI_FORMS = [
  'device:[PATH]        Linux TPM device (default /dev/tpmrm0, then /dev/tpm0)',
  'swtpm://HOST:PORT    swtpm TCP data port (control channel at PORT+1)',
  'mssim://HOST:PORT    Microsoft/IBM simulator protocol',
  'tbs:                 Windows TPM Base Services',
] as const;

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
    const port = m[3] === undefined ? 2321 : Number(m[3]);
    if (!Number.isInteger(port) || port < 1 || port > 65534) {
      throw new TpmUriError(`port must be 1-65534 (the control channel uses PORT+1), got "${m[3]}"`);
    }
    const host = m[2]!.replace(/^\[|\]$/g, '');
    return { kind: m[1] as 'swtpm' | 'mssim', host, port };
  }
  throw new TpmUriError(`unrecognised TPM URI "${uri}". Use one of:\n  ${TPM_URI_FORMS.join('\n  ')}`);
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
