import { X509Certificate } from 'node:crypto';
import type { EkCertificateStatus, EndorsementStatus } from '../snapshot/endorsement-status.js';
import { readEkCertificates } from '../tpm/ek/certificates.js';
import { compareWithCertificate } from '../tpm/ek/ek-public-key.js';
import { readEndorsementKeys } from '../tpm/ek/read-endorsement-keys.js';
import { ekTemplate, identifyEkTemplate } from '../tpm/ek/templates.js';
import type { TpmsNvPublic } from '../tpm/structures/nv.js';
import type { TpmtPublic } from '../tpm/structures/public.js';
import type { Tpm } from '../tpm/tpm.js';

export interface EndorsementProbeOptions {
  nvBufferMax: number | undefined;
  /** Recompute each EK with TPM2_CreatePrimary instead of using a persistent EK. */
  computeEk: boolean;
  now: Date;
  /** Public areas of the persistent objects, already read by the status probe. */
  persistent: ReadonlyMap<number, TpmtPublic>;
  /** Public areas of every NV index, when the status probe read them. */
  nvPublics?: ReadonlyMap<number, TpmsNvPublic>;
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/**
 * Every EK certificate in NV, and whether its key is the TPM's EK. By default the EK is the
 * persistent object whose public area is exactly the certificate's template (Windows and
 * swtpm_setup persist the EK at 0x81010001 and friends): one TPM2_ReadPublic instead of an RSA
 * key derivation that takes seconds on a discrete TPM. `computeEk` recomputes it instead.
 */
export async function probeEndorsement(
  tpm: Tpm,
  options: EndorsementProbeOptions,
): Promise<EndorsementStatus> {
  if (options.computeEk) return computed(tpm, options);
  const scan = await readEkCertificates(tpm, {
    now: options.now,
    ...(options.nvPublics ? { nvPublics: options.nvPublics } : {}),
    ...(options.nvBufferMax === undefined ? {} : { nvBufferMax: options.nvBufferMax }),
  });
  const persistentEks = [...options.persistent].flatMap(([handle, pub]) => {
    const template = identifyEkTemplate(pub);
    return template ? [{ handle, pub, template }] : [];
  });
  const certificates = scan.certificates.map((entry): EkCertificateStatus => {
    const label = entry.templateId ? ekTemplate(entry.templateId).label : 'EK certificate';
    const base = blank(entry.nvIndex, entry.templateId ?? null, label);
    if (entry.status === 'error') return { ...base, error: entry.error };
    const described: EkCertificateStatus = {
      ...base,
      subject: entry.subject,
      issuer: entry.issuer,
      serialNumber: entry.serialNumber,
      notBefore: entry.notBefore,
      notAfter: entry.notAfter,
      validNow: entry.validNow,
      key: entry.publicKey ? keyText(entry.publicKey) : null,
      fingerprintSha256: entry.sha256Fingerprint,
    };
    const candidates = persistentEks.filter((p) => p.template.id === entry.templateId);
    if (candidates.length === 0) {
      return {
        ...described,
        reason:
          'no readable persistent EK for this template; run with --compute-ek to derive it from the template',
      };
    }
    const certificate = new X509Certificate(entry.der);
    for (const candidate of candidates) {
      const match = compareWithCertificate(candidate.pub, certificate);
      if (match.matches === true || candidates.length === 1) {
        return {
          ...described,
          ek: { source: 'persistent', handle: hex(candidate.handle) },
          matches: match.matches === 'unknown' ? null : match.matches,
          reason: match.matches === true ? null : match.reason,
        };
      }
    }
    return {
      ...described,
      matches: false,
      reason: 'no persistent EK of this template has the certificate key',
    };
  });
  return { certificates };
}

async function computed(tpm: Tpm, options: EndorsementProbeOptions): Promise<EndorsementStatus> {
  const report = await readEndorsementKeys(tpm, {
    now: options.now,
    ...(options.nvBufferMax === undefined ? {} : { nvBufferMax: options.nvBufferMax }),
  });
  const certificates = report.endorsementKeys.map((k): EkCertificateStatus => {
    const label = k.label ?? 'EK certificate';
    const base = blank(k.nvIndex, k.templateId ?? null, label);
    const cert = k.certificate;
    if (cert?.status === 'error') return { ...base, error: cert.error };
    return {
      ...base,
      subject: cert?.subject ?? null,
      issuer: cert?.issuer ?? null,
      serialNumber: cert?.serialNumber ?? null,
      notBefore: cert?.notBefore ?? null,
      notAfter: cert?.notAfter ?? null,
      validNow: cert?.validNow ?? null,
      key: cert?.publicKey ? keyText(cert.publicKey) : null,
      fingerprintSha256: cert?.sha256Fingerprint ?? null,
      ek: { source: k.ekPublic ? 'computed' : 'none', handle: null },
      matches: k.matches === 'unknown' ? null : k.matches,
      reason: k.reason ?? (cert ? null : 'no certificate in NV for this template'),
      error: k.error ?? null,
    };
  });
  return { certificates };
}

function blank(nvIndex: number, template: string | null, label: string): EkCertificateStatus {
  return {
    nvIndex: hex(nvIndex),
    template,
    label,
    subject: null,
    issuer: null,
    serialNumber: null,
    notBefore: null,
    notAfter: null,
    validNow: null,
    key: null,
    fingerprintSha256: null,
    ek: { source: 'none', handle: null },
    matches: null,
    reason: null,
    error: null,
  };
}

function keyText(key: { type: string; keyBits?: number; curve?: string }): string {
  const size = key.type === 'ecc' ? (key.curve ?? key.keyBits) : (key.keyBits ?? key.curve);
  return [key.type, size].filter((x) => x !== undefined).join(' ');
}
