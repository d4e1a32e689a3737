/** What status reports about each EK certificate and the EK it belongs to. */
export interface EndorsementStatus {
  certificates: EkCertificateStatus[];
}

export interface EkCertificateStatus {
  nvIndex: string;
  /** The TCG EK Credential Profile template ('L-1', 'H-3', ...) this index belongs to, if known. */
  template: string | null;
  label: string;
  subject: string | null;
  issuer: string | null;
  serialNumber: string | null;
  notBefore: string | null;
  notAfter: string | null;
  validNow: boolean | null;
  key: string | null;
  fingerprintSha256: string | null;
  /** Where the EK we compared against came from. */
  ek: { source: 'persistent' | 'computed' | 'none'; handle: string | null };
  /** True when the certificate's public key is the EK; null when it could not be compared. */
  matches: boolean | null;
  reason: string | null;
  /** Set when the certificate could not be read or parsed. */
  error: string | null;
}
