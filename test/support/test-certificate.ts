/**
 * A self-signed certificate for 127.0.0.1 made with openssl (`openssl req -x509`, EC P-256, two
 * days), for a test server over TLS, in a private temporary folder the caller removes with
 * `dispose()`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface TestCertificate {
  key: string;
  cert: string;
  /** The certificate's file (for NODE_EXTRA_CA_CERTS). */
  certFile: string;
  dispose(): Promise<void>;
}

export async function makeLoopbackCertificate(): Promise<TestCertificate> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tpm-doctor-cert-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `openssl is needed to make a test certificate (apt-get install openssl): ${(e as Error).message}`,
    );
  }
  return {
    key: await readFile(keyFile, 'utf8'),
    cert: await readFile(certFile, 'utf8'),
    certFile,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
