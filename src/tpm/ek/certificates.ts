import { createHash, X509Certificate } from 'node:crypto';
import type { AuthHandle } from '../command.js';
import { NV_ReadPublic } from '../commands/nv.js';
import { TPMA_NV } from '../constants/attributes.js';
import { HANDLE_RANGE, NV_EK_CERT_RANGE, TPM_RH } from '../constants/handles.js';
import { TPM_PT } from '../constants/properties.js';
import { RC } from '../rc/decode-response-code.js';
import { TpmError } from '../rc/tpm-error.js';
import { getHandles, getProperties } from '../read/capability.js';
import { readNvIndex } from '../read/nv.js';
import type { TpmsNvPublic } from '../structures/nv.js';
import type { Tpm } from '../tpm.js';
import { describeKeyObject } from './ek-public-key.js';
import {
  type EkTemplateId,
  ekTemplateForCertificateIndex,
  isEkCertificateChainIndex,
  isEkNonceOrTemplateIndex,
} from './templates.js';

/**
 * Reads every EK certificate in the EK Credential Profile's NV range (0x01C00000-0x01C07FFF,
 * §2.2.1.4/§2.2.1.5) and parses it with Node's X509Certificate (OpenSSL). One bad index gives one
 * error entry; it never stops the others.
 */

/** The EK Credential Profile NV range (registry §2.2; profile §2.2.1). */
const EK_NV_RANGE = NV_EK_CERT_RANGE;

export interface EkCertificate {
  readonly status: 'ok';
  readonly nvIndex: number;
  /** The template whose certificate index this is; undefined for other indices in the range. */
  readonly templateId?: EkTemplateId;
  /** Distinguished names as OpenSSL prints them, one RDN after the other joined by ', '. Often empty for EKs. */
  readonly subject: string;
  readonly issuer: string;
  /** The subjectAltName as OpenSSL prints it. */
  readonly subjectAltName?: string;
  /**
   * The TCG attributes of the subjectAltName directoryName (EK Credential Profile §3.2.9;
   * OIDs 2.23.133.2.1/2/3): manufacturer as 'id:49465800', model, firmware version as 'id:...'.
   */
  readonly tpm?: { manufacturer?: string; model?: string; version?: string };
  /** Upper-case hex, as OpenSSL prints it. */
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly validNow: boolean;
  /** The certificate's key; undefined when Node cannot load it (publicKeyError says why). */
  readonly publicKey?: { type: 'rsa' | 'ecc' | 'other'; keyBits?: number; curve?: string };
  readonly publicKeyError?: string;
  /** SHA-256 of the DER, lower-case hex without separators. */
  readonly sha256Fingerprint: string;
  /** Bytes after the DER in the index (vendor padding), 0 when none. */
  readonly trailingBytes: number;
  /** How the index was read: authorised by the index itself or by TPM_RH_OWNER. */
  readonly readWith: 'index' | 'owner';
  /** The certificate's DER. Not enumerable, so JSON and console output leave it out. */
  readonly der: Uint8Array;
}

export interface EkCertificateError {
  readonly status: 'error';
  readonly nvIndex: number;
  readonly templateId?: EkTemplateId;
  /** What went wrong, with what was expected and what came instead. */
  readonly error: string;
}

export type EkCertificateEntry = EkCertificate | EkCertificateError;

export interface EkCertificateScan {
  /** One entry per certificate index (the known ones, and others whose content is X.509). */
  readonly certificates: EkCertificateEntry[];
  /** Indices of the range that were looked at and are not EK certificates, with why. */
  readonly skipped: { nvIndex: number; reason: string }[];
}

export interface ReadEkCertificatesOptions {
  /** Owner authorisation for indices readable only with ownerRead; default TPM_RH_OWNER with an empty password. */
  ownerAuth?: AuthHandle | number;
  /** TPM_PT_NV_BUFFER_MAX; read from the TPM when absent. */
  nvBufferMax?: number;
  /** "Now" for validity; default the current time. */
  now?: Date;
  /**
   * Every NV index's public area when the caller has already read them (status does): the
   * listing and the NV_ReadPublic round trips are then skipped.
   */
  nvPublics?: ReadonlyMap<number, TpmsNvPublic>;
}

/** Lists the range, reads each certificate index and parses it. */
export async function readEkCertificates(
  tpm: Tpm,
  options: ReadEkCertificatesOptions = {},
): Promise<EkCertificateScan> {
  const now = options.now ?? new Date();
  const nvBufferMax = options.nvBufferMax ?? (await readNvBufferMax(tpm));
  const indices = (
    options.nvPublics ? [...options.nvPublics.keys()] : await getHandles(tpm, HANDLE_RANGE.NV_INDEX_FIRST)
  ).filter((h) => h >= EK_NV_RANGE.first && h <= EK_NV_RANGE.last);
  const certificates: EkCertificateEntry[] = [];
  const skipped: { nvIndex: number; reason: string }[] = [];
  for (const nvIndex of indices) {
    const templateId = ekTemplateForCertificateIndex(nvIndex)?.id;
    if (!templateId) {
      if (isEkNonceOrTemplateIndex(nvIndex)) {
        skipped.push({ nvIndex, reason: 'an EK nonce, EK template or Policy C index, not a certificate' });
        continue;
      }
      if (isEkCertificateChainIndex(nvIndex)) {
        skipped.push({
          nvIndex,
          reason: 'an EK certificate chain index (a CA certificate, not an EK certificate)',
        });
        continue;
      }
    }
    const read = await readCertificateIndex(
      tpm,
      nvIndex,
      nvBufferMax,
      options.ownerAuth,
      options.nvPublics?.get(nvIndex),
    );
    if ('error' in read) {
      if (templateId) certificates.push({ status: 'error', nvIndex, templateId, error: read.error });
      else skipped.push({ nvIndex, reason: `not read: ${read.error}` });
      continue;
    }
    const entry = parseEkCertificate(nvIndex, read.bytes, { readWith: read.readWith, now, templateId });
    if (entry.status === 'error' && !templateId) {
      // An unknown index of the range is a certificate index only if it holds a certificate.
      skipped.push({ nvIndex, reason: `does not hold an X.509 certificate (${entry.error})` });
      continue;
    }
    certificates.push(entry);
  }
  return { certificates, skipped };
}

async function readNvBufferMax(tpm: Tpm): Promise<number | undefined> {
  try {
    return (await getProperties(tpm, TPM_PT.NV_BUFFER_MAX, TPM_PT.NV_BUFFER_MAX + 1)).get(
      TPM_PT.NV_BUFFER_MAX,
    );
  } catch {
    return undefined; // readNvIndex then uses its conservative chunk size
  }
}

type ReadResult = { bytes: Uint8Array; readWith: 'index' | 'owner' } | { error: string };

/**
 * Reads one index, choosing the authorisation from its attributes (Part 2 §13.4 TPMA_NV): the index
 * itself with an empty password when authRead and noDA are set (EK Credential Profile §2.2.1.5:
 * EK certificate indices are readable that way), then TPM_RH_OWNER when ownerRead is set. An
 * index without noDA is never tried with a guessed empty password: a wrong one would count
 * towards dictionary-attack lockout (Part 1 §19.8.6). Hierarchy authorisations are exempt.
 */
async function readCertificateIndex(
  tpm: Tpm,
  nvIndex: number,
  nvBufferMax: number | undefined,
  ownerAuth: AuthHandle | number | undefined,
  known: TpmsNvPublic | undefined,
): Promise<ReadResult> {
  let pub: TpmsNvPublic;
  try {
    pub = known ?? (await tpm.run(NV_ReadPublic, { nvIndex })).nvPublic;
  } catch (e) {
    return { error: `TPM2_NV_ReadPublic failed: ${message(e)}` };
  }
  const a = pub.attributes;
  if ((a & TPMA_NV.WRITTEN) === 0) {
    return { error: 'the index is defined but was never written (TPMA_NV_WRITTEN is clear)' };
  }
  if (a & TPMA_NV.READLOCKED) {
    return { error: 'the index is read-locked until the next TPM reset (TPMA_NV_READLOCKED)' };
  }
  if (pub.dataSize === 0) return { error: 'the index is empty (dataSize 0)' };

  const attempts: { readWith: 'index' | 'owner'; auth: AuthHandle | number }[] = [];
  if (a & TPMA_NV.AUTHREAD && a & TPMA_NV.NO_DA) attempts.push({ readWith: 'index', auth: nvIndex });
  if (a & TPMA_NV.OWNERREAD) attempts.push({ readWith: 'owner', auth: ownerAuth ?? TPM_RH.OWNER });
  if (attempts.length === 0) {
    const how = [
      a & TPMA_NV.AUTHREAD ? 'its own authValue (not tried: the index is not noDA)' : '',
      a & TPMA_NV.PPREAD ? 'platform authorisation' : '',
      a & TPMA_NV.POLICYREAD ? 'a policy session' : '',
    ].filter(Boolean);
    return {
      error: `the index is not readable with owner or empty index authorisation; it allows ${
        how.length > 0 ? how.join(', ') : 'no read at all'
      } (TPMA_NV 0x${a.toString(16).padStart(8, '0')})`,
    };
  }
  const failures: string[] = [];
  for (const attempt of attempts) {
    try {
      const bytes = await readNvIndex(tpm, nvIndex, {
        auth: attempt.auth,
        public: pub,
        ...(nvBufferMax ? { nvBufferMax } : {}),
      });
      return { bytes, readWith: attempt.readWith };
    } catch (e) {
      failures.push(
        `${attempt.readWith === 'index' ? 'with the index' : 'with TPM_RH_OWNER'}: ${explainRead(e)}`,
      );
    }
  }
  return { error: `TPM2_NV_Read failed ${failures.join('; ')}` };
}

function explainRead(e: unknown): string {
  if (!(e instanceof TpmError)) return message(e);
  if (e.is(RC.AUTH_FAIL, RC.BAD_AUTH)) {
    return `${e.message} (the authorisation value is not empty; pass the right one)`;
  }
  if (e.is(RC.NV_AUTHORIZATION)) return `${e.message} (this authorisation is not allowed to read the index)`;
  if (e.is(RC.DISABLED, RC.HIERARCHY)) return `${e.message} (the owner hierarchy is disabled)`;
  return e.message;
}

/**
 * Parses one index's content (pure). The DER is cut at its outer length (X.690 §8.1.3), because
 * some vendors pad the index after the certificate; a length longer than the content means the
 * certificate is truncated.
 */
export function parseEkCertificate(
  nvIndex: number,
  bytes: Uint8Array,
  context: { readWith: 'index' | 'owner'; now?: Date; templateId?: EkTemplateId | undefined },
): EkCertificateEntry {
  const base = { nvIndex, ...(context.templateId ? { templateId: context.templateId } : {}) };
  const length = derOuterLength(bytes);
  if (typeof length === 'string') return { status: 'error', ...base, error: length };
  const der = bytes.subarray(0, length);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (e) {
    return {
      status: 'error',
      ...base,
      error: `the ${length}-byte DER at the start of the index is not an X.509 certificate: ${message(e)}`,
    };
  }
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const now = context.now ?? new Date();
  let publicKey: EkCertificate['publicKey'];
  let publicKeyError: string | undefined;
  try {
    const { text: _text, ...rest } = describeKeyObject(cert.publicKey);
    publicKey = rest;
  } catch (e) {
    publicKeyError = `Node cannot load the certificate's public key: ${message(e)}`;
  }
  const entry = {
    status: 'ok' as const,
    ...base,
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    ...(cert.subjectAltName ? { subjectAltName: cert.subjectAltName } : {}),
    ...tcgAttributes(cert.subjectAltName),
    serialNumber: cert.serialNumber,
    notBefore: isoOrRaw(notBefore, cert.validFrom),
    notAfter: isoOrRaw(notAfter, cert.validTo),
    validNow: notBefore.getTime() <= now.getTime() && now.getTime() <= notAfter.getTime(),
    ...(publicKey ? { publicKey } : {}),
    ...(publicKeyError ? { publicKeyError } : {}),
    sha256Fingerprint: createHash('sha256').update(der).digest('hex'),
    trailingBytes: bytes.length - length,
    readWith: context.readWith,
  };
  // The DER stays available to callers, but out of JSON.stringify and console.log.
  Object.defineProperty(entry, 'der', { value: Uint8Array.from(der), enumerable: false });
  return entry as EkCertificate;
}

/**
 * Total length of the DER SEQUENCE at the start of `bytes` (tag, length octets and content), or
 * a sentence saying why there is none (X.690 §8.1.2-§8.1.3; DER forbids the indefinite form).
 */
export function derOuterLength(bytes: Uint8Array): number | string {
  if (bytes.length === 0) return 'the index is empty';
  const tag = bytes[0]!;
  if (tag !== 0x30) {
    return `not a DER certificate: expected a SEQUENCE (0x30) at byte 0, found 0x${tag.toString(16).padStart(2, '0')}`;
  }
  if (bytes.length < 2) return 'truncated: the index ends after the first byte of the certificate';
  const first = bytes[1]!;
  let headerLength = 2;
  let contentLength = first;
  if (first === 0x80) return 'not DER: the certificate uses the indefinite length form';
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > 4) return `not a DER certificate: a ${n}-byte length field`;
    if (bytes.length < 2 + n) return 'truncated: the index ends inside the certificate length field';
    contentLength = 0;
    for (let i = 0; i < n; i++) contentLength = contentLength * 256 + bytes[2 + i]!;
    headerLength = 2 + n;
  }
  const total = headerLength + contentLength;
  if (total > bytes.length) {
    return `truncated: the DER says the certificate is ${total} bytes but the index holds ${bytes.length}`;
  }
  return total;
}

const TCG_ATTRIBUTES: Readonly<Record<string, 'manufacturer' | 'model' | 'version'>> = {
  '1': 'manufacturer',
  '2': 'model',
  '3': 'version',
};

/**
 * tcg-at-tpmManufacturer/Model/Version from OpenSSL's rendering of the subjectAltName. OpenSSL
 * prints unknown attribute types as '#' + the hex DER of the value (an ASN.1 string).
 */
export function tcgAttributes(subjectAltName: string | undefined): { tpm?: EkCertificate['tpm'] } {
  if (!subjectAltName) return {};
  const tpm: Record<string, string> = {};
  for (const m of subjectAltName.matchAll(/2\.23\.133\.2\.([123])=(#[0-9A-Fa-f]+|[^,\\"]+)/g)) {
    const key = TCG_ATTRIBUTES[m[1]!];
    const raw = m[2]!;
    const value = raw.startsWith('#') ? derString(Buffer.from(raw.slice(1), 'hex')) : raw;
    if (key && value !== undefined) tpm[key] = value;
  }
  return Object.keys(tpm).length > 0 ? { tpm } : {};
}

/** The text of a short DER string (UTF8String, PrintableString, IA5String...), or undefined. */
function derString(der: Uint8Array): string | undefined {
  if (der.length < 2 || der[1]! >= 0x80 || der.length !== 2 + der[1]!) return undefined;
  return Buffer.from(der.subarray(2)).toString('utf8');
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ');
}

function isoOrRaw(d: Date, raw: string): string {
  return Number.isNaN(d.getTime()) ? raw : d.toISOString();
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
