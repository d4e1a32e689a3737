import type { EkCertificateStatus } from '../../../snapshot/endorsement-status.js';
import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
import type { Evidence, Finding, Severity } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { hex8, SOURCE, tpmVendor } from './support.js';

/**
 * Firmware TPMs whose EK certificate is kept online, not in NV: the vendors' EK certificate services
 * (Intel PTT: keyed on the SHA-256 of the EK public key; AMD fTPM), as tpm2-tools
 * `tpm2_getekcertificate` fetches them.
 */
const ONLINE_EK_CERT: Record<string, string> = {
  INTC: 'https://ekop.intel.com/ekcertservice/',
  AMD: 'https://ftpm.amd.com/pki/aia/',
};

/**
 * An NV index holds a usable certificate: it was read and parsed as an X.509 certificate (its
 * fingerprint is only computed then). An index that is defined but was never written, is
 * zero-filled, or holds something that is not DER is, for attestation, as good as none: what
 * proves the TPM genuine is the certificate itself (TCG EK Credential Profile for TPM Family 2.0,
 * §2.2.1, the EK certificate NV indices). In --compute-ek mode, templates without one are listed too.
 */
function hasUsableCertificate(c: EkCertificateStatus): boolean {
  return c.fingerprintSha256 !== null;
}

/**
 * tpm.ek-cert-missing: no EK certificate in the TPM's NV (TCG EK Credential Profile indices
 * 0x01C00002, 0x01C0000A, 0x01C00012..) AND, where Windows evidence exists,
 * Get-TpmEndorsementKeyInfo lists none either. Attestation (Intune device health attestation,
 * Windows enrollment attestation, Autopilot self-deploying / pre-provisioning) proves the TPM is
 * genuine with that certificate.
 *
 * Nuance: Intel PTT and AMD fTPM usually have no certificate in NV; Windows downloads it from the
 * vendor's service, so for them "none in NV" alone is only info. A clear never creates an EK
 * certificate (the EPS and the EK survive a clear: Part 3 §24.6, docs/clear.md).
 */
export const ekCertMissing: Rule = {
  ids: ['tpm.ek-cert-missing'],
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.ek-cert-missing'];
    const endorsement = snapshot.tpm?.endorsement;
    const ekInfo = snapshot.windows?.ekInfo;
    const evidence: Evidence[] = [];
    let unusable = 0;
    if (endorsement) {
      if (endorsement.certificates.some(hasUsableCertificate)) return [];
      evidence.push({ source: SOURCE.tpm, field: 'EK certificates in NV (0x01c00000-0x01c07fff)', value: 0 });
      for (const c of endorsement.certificates.filter((x) => x.error !== null)) {
        unusable++;
        evidence.push({
          source: SOURCE.tpm,
          field: `EK certificate index ${c.nvIndex} (defined, no usable certificate)`,
          value: c.error,
        });
      }
    }
    if (ekInfo) {
      const count = ekInfo.manufacturerCertificates + ekInfo.additionalCertificates;
      if (count > 0) return [];
      evidence.push(
        { source: SOURCE.ekInfo, field: 'ManufacturerCertificates', value: ekInfo.manufacturerCertificates },
        { source: SOURCE.ekInfo, field: 'AdditionalCertificates', value: ekInfo.additionalCertificates },
      );
    }
    if (evidence.length === 0) return [];
    const info = snapshot.windows?.isReady?.information;
    if (typeof info === 'number' && (info & 0x40000) !== 0) {
      evidence.push({
        source: SOURCE.isReady,
        field: `Information bit ${hex8(0x40000)}`,
        value: 'EK certificate not read',
      });
    }
    if (snapshot.windows?.tpmtool?.readyForAttestation === false) {
      evidence.push({ source: SOURCE.tpmtool, field: 'Ready For Attestation', value: false });
    }
    const vendor = tpmVendor(snapshot);
    if (vendor) evidence.push(vendor.evidence);
    const onlineService = vendor ? ONLINE_EK_CERT[vendor.value] : undefined;
    const windowsLooked = ekInfo !== null && ekInfo !== undefined;

    let severity: Severity;
    let why: string;
    let step: Finding['remedy']['step'];
    let action: string;
    if (onlineService && !windowsLooked) {
      severity = 'info';
      why = t.whyOnline({ vendor: vendor!.value, service: onlineService });
      step = 'none';
      action = t.actionOnline({ service: onlineService });
    } else if (onlineService) {
      severity = 'warning';
      why = t.whyOnlineFailed({ vendor: vendor!.value, service: onlineService });
      step = 'reconfigure';
      action = t.actionOnlineFailed({ service: onlineService });
    } else {
      severity = 'warning';
      why = t.whyNone;
      step = 'update';
      action = t.actionNone;
    }
    return [
      {
        id: 'tpm.ek-cert-missing',
        severity,
        title: unusable > 0 ? t.titleUnusable : t.titleNone,
        why,
        impacts: ['attestation', 'compliance'],
        evidence,
        remedy: { step, action, destroysKeys: false },
        references: [
          'TCG EK Credential Profile for TPM Family 2.0 (NV indices 0x01C00002, 0x01C0000A, 0x01C00012-0x01C0001E)',
          'https://learn.microsoft.com/powershell/module/trustedplatformmodule/get-tpmendorsementkeyinfo',
        ],
      } satisfies Finding,
    ];
  },
};
