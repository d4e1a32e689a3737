import { TPM_ALG, TPM_ECC_CURVE } from '../constants/algorithms.js';
import { TPMA_OBJECT } from '../constants/attributes.js';
import { WELL_KNOWN_NV } from '../constants/handles.js';
import { MarshalError } from '../errors.js';
import { encode } from '../marshal/codec.js';
import { Reader } from '../marshal/reader.js';
import {
  type EccParms,
  type EccPoint,
  type RsaParms,
  TPMT_PUBLIC,
  type TpmtPublic,
} from '../structures/public.js';

/**
 * The default EK templates of the TCG EK Credential Profile for TPM Family 2.0 (versions 2.5/2.6,
 * Annex B "EK Templates"): the low range L-1/L-2 and the high range H-1..H-7, each with the NV
 * index of its EK certificate (§2.2.1.4, §2.2.1.5).
 *
 * Every byte was checked against three independent encodings: google/go-tpm tpm2/templates.go
 * (`Template.PublicEK`, policies A/B), tpm2-software/tpm2-pytss utils/ek templates, and swtpm's
 * swtpm_setup (which provisions L-1 and H-3); tpm2-tools 5.8 tools/tpm2_createek.c agrees except for
 * its "rsa_high"/"ecc_high" options, which keep the low-range zero-filled unique (the profile and
 * the other three leave the high-range unique empty). The policy digests are also recomputed from
 * their definitions in test/tpm/ek.test.ts.
 */

export type EkTemplateId = 'L-1' | 'L-2' | 'H-1' | 'H-2' | 'H-3' | 'H-4' | 'H-5' | 'H-6' | 'H-7';

export interface EkTemplate {
  /** The profile's name for the template ('L-1', 'H-3', ...). */
  readonly id: EkTemplateId;
  /** For people: 'RSA 2048 (low range)'. */
  readonly label: string;
  readonly range: 'low' | 'high';
  /** NV index of the EK certificate made for this template. */
  readonly certificateIndex: number;
  /** Low range only: the EK Nonce index (§2.2.1.4). High-range nonces "SHALL NOT be Populated". */
  readonly nonceIndex?: number;
  /**
   * The EK Template index: low range per §2.2.1.4; high range the odd index after the certificate
   * (as swtpm_setup and tpm2-tools' SM2 case use it; not checked against the profile's table).
   */
  readonly templateIndex?: number;
  /** A fresh copy of the default TPMT_PUBLIC (callers may change it). */
  publicArea(): TpmtPublic;
}

/**
 * Annex B "Policy A": TPM2_PolicySecret(TPM_RH_ENDORSEMENT), SHA-256. The low-range authPolicy, so
 * only the endorsement hierarchy's authorisation can use the EK (adminWithPolicy, no userWithAuth).
 */
export const EK_POLICY_A_SHA256 = hex('837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa');

/** Annex B "Policy B" per name algorithm: PolicyOR(Policy A, Policy C), the high-range authPolicy. */
export const EK_POLICY_B: Readonly<Record<number, Uint8Array>> = {
  [TPM_ALG.SHA256]: hex('ca3d0a99a2b93906f7a3342414efcfb3a385d44cd1fd459089d19b5071c0b7a0'),
  [TPM_ALG.SHA384]: hex(
    'b26e7d28d11a50bc53d882bcf5fd3a1a074148bb35d3b4e4cb1c0ad9bde419cacb47ba09699646150f9fc000f3f80e12',
  ),
  [TPM_ALG.SHA512]: hex(
    'b8221ca69e8550a4914de3faa6a18c072cc01208073a928d5d66d59ef79e49a4' +
      '29c41a6b269571d57edb25fbdb1838425608b413cd616a5f6db5b6071af99bea',
  ),
  [TPM_ALG.SM3_256]: hex('167860a35f2c5c3567f9c927ac56c032f3b3a6462f8d037998e7a10f77fa454a'),
};

/** fixedTPM|fixedParent|sensitiveDataOrigin|adminWithPolicy|restricted|decrypt = 0x000300B2 (low range). */
const ATTRS_LOW =
  TPMA_OBJECT.fixedTPM |
  TPMA_OBJECT.fixedParent |
  TPMA_OBJECT.sensitiveDataOrigin |
  TPMA_OBJECT.adminWithPolicy |
  TPMA_OBJECT.restricted |
  TPMA_OBJECT.decrypt;
/** The high range adds userWithAuth: 0x000300F2. */
const ATTRS_HIGH = ATTRS_LOW | TPMA_OBJECT.userWithAuth;

interface Shape {
  kind: 'rsa' | 'ecc';
  /** RSA modulus bits, or the TPM_ECC_CURVE. */
  size: number;
  nameAlg: number;
  sym: { algorithm: number; keyBits: number };
}

function publicArea(shape: Shape, range: 'low' | 'high'): TpmtPublic {
  const authPolicy = range === 'low' ? EK_POLICY_A_SHA256 : EK_POLICY_B[shape.nameAlg];
  if (!authPolicy) throw new Error(`no Policy B for name algorithm 0x${shape.nameAlg.toString(16)}`);
  const symmetric = { algorithm: shape.sym.algorithm, keyBits: shape.sym.keyBits, mode: TPM_ALG.CFB };
  const common = {
    nameAlg: shape.nameAlg,
    objectAttributes: range === 'low' ? ATTRS_LOW : ATTRS_HIGH,
    authPolicy: Uint8Array.from(authPolicy),
  };
  if (shape.kind === 'rsa') {
    const parameters: RsaParms = {
      symmetric,
      scheme: { scheme: TPM_ALG.NULL },
      keyBits: shape.size,
      exponent: 0, // the default 65537 (Part 2 §12.2.3.5)
    };
    // Low range: unique is 256 zero bytes (B.3.3); high range: an empty buffer (B.4).
    const unique = new Uint8Array(range === 'low' ? shape.size / 8 : 0);
    return { type: TPM_ALG.RSA, ...common, parameters, unique };
  }
  const parameters: EccParms = {
    symmetric,
    scheme: { scheme: TPM_ALG.NULL },
    curveID: shape.size,
    kdf: { scheme: TPM_ALG.NULL },
  };
  // Low range: x and y are 32 zero bytes each (B.3.4); high range: both empty.
  const n = range === 'low' ? 32 : 0;
  const unique: EccPoint = { x: new Uint8Array(n), y: new Uint8Array(n) };
  return { type: TPM_ALG.ECC, ...common, parameters, unique };
}

const AES128 = { algorithm: TPM_ALG.AES, keyBits: 128 };
const AES256 = { algorithm: TPM_ALG.AES, keyBits: 256 };
const SM4_128 = { algorithm: TPM_ALG.SM4, keyBits: 128 };

function template(
  id: EkTemplateId,
  label: string,
  certificateIndex: number,
  shape: Shape,
  extra: { nonceIndex?: number; templateIndex?: number },
): EkTemplate {
  const range = id.startsWith('L') ? 'low' : 'high';
  return Object.freeze({
    id,
    label,
    range,
    certificateIndex,
    ...extra,
    publicArea: () => publicArea(shape, range),
  });
}

/** Annex B, in the profile's order. */
export const EK_TEMPLATES: readonly EkTemplate[] = Object.freeze([
  template(
    'L-1',
    'RSA 2048 (low range)',
    WELL_KNOWN_NV.RSA_EK_CERT,
    { kind: 'rsa', size: 2048, nameAlg: TPM_ALG.SHA256, sym: AES128 },
    { nonceIndex: WELL_KNOWN_NV.RSA_EK_NONCE, templateIndex: WELL_KNOWN_NV.RSA_EK_TEMPLATE },
  ),
  template(
    'L-2',
    'ECC NIST P-256 (low range)',
    WELL_KNOWN_NV.ECC_EK_CERT,
    { kind: 'ecc', size: TPM_ECC_CURVE.NIST_P256, nameAlg: TPM_ALG.SHA256, sym: AES128 },
    { nonceIndex: WELL_KNOWN_NV.ECC_EK_NONCE, templateIndex: WELL_KNOWN_NV.ECC_EK_TEMPLATE },
  ),
  template(
    'H-1',
    'RSA 2048 (high range)',
    0x01c00012,
    { kind: 'rsa', size: 2048, nameAlg: TPM_ALG.SHA256, sym: AES128 },
    { templateIndex: 0x01c00013 },
  ),
  template(
    'H-2',
    'ECC NIST P-256 (high range)',
    0x01c00014,
    { kind: 'ecc', size: TPM_ECC_CURVE.NIST_P256, nameAlg: TPM_ALG.SHA256, sym: AES128 },
    { templateIndex: 0x01c00015 },
  ),
  template(
    'H-3',
    'ECC NIST P-384 (high range)',
    0x01c00016,
    { kind: 'ecc', size: TPM_ECC_CURVE.NIST_P384, nameAlg: TPM_ALG.SHA384, sym: AES256 },
    { templateIndex: 0x01c00017 },
  ),
  template(
    'H-4',
    'ECC NIST P-521 (high range)',
    0x01c00018,
    { kind: 'ecc', size: TPM_ECC_CURVE.NIST_P521, nameAlg: TPM_ALG.SHA512, sym: AES256 },
    { templateIndex: 0x01c00019 },
  ),
  template(
    'H-5',
    'ECC SM2 P-256 (high range)',
    0x01c0001a,
    { kind: 'ecc', size: TPM_ECC_CURVE.SM2_P256, nameAlg: TPM_ALG.SM3_256, sym: SM4_128 },
    { templateIndex: 0x01c0001b },
  ),
  template(
    'H-6',
    'RSA 3072 (high range)',
    0x01c0001c,
    { kind: 'rsa', size: 3072, nameAlg: TPM_ALG.SHA384, sym: AES256 },
    { templateIndex: 0x01c0001d },
  ),
  template(
    'H-7',
    'RSA 4096 (high range)',
    0x01c0001e,
    { kind: 'rsa', size: 4096, nameAlg: TPM_ALG.SHA384, sym: AES256 },
    { templateIndex: 0x01c0001f },
  ),
]);

/** The template with this id. */
export function ekTemplate(id: EkTemplateId): EkTemplate {
  const t = EK_TEMPLATES.find((x) => x.id === id);
  if (!t) throw new RangeError(`unknown EK template '${id}'`);
  return t;
}

/** The template whose EK certificate lives at `nvIndex`, if any. */
export function ekTemplateForCertificateIndex(nvIndex: number): EkTemplate | undefined {
  return EK_TEMPLATES.find((t) => t.certificateIndex === nvIndex >>> 0);
}

/**
 * Indices of the EK Credential Profile range that hold something other than a certificate:
 * nonces, templates, and the Policy C indices 0x01C07F01-0x01C07F04 (Annex B "Policy C").
 */
export function isEkNonceOrTemplateIndex(nvIndex: number): boolean {
  const v = nvIndex >>> 0;
  if (v >= 0x01c07f01 && v <= 0x01c07f04) return true;
  return EK_TEMPLATES.some((t) => t.nonceIndex === v || t.templateIndex === v);
}

/**
 * EK certificate chain indices (0x01C00100-0x01C001FF: intermediate CA certificates, as tpm2-tss
 * FAPI provisions them): X.509, but not EK certificates.
 */
export function isEkCertificateChainIndex(nvIndex: number): boolean {
  const v = nvIndex >>> 0;
  return v >= 0x01c00100 && v <= 0x01c001ff;
}

/**
 * Profile §2.2.1.6 "TPMT_PUBLIC Calculation": the template is the EK Template index's content when
 * it is Populated, the default otherwise; a Populated EK Nonce then goes into unique (RSA: the
 * nonce, zero-padded to the modulus size; ECC: x = the nonce zero-padded to the coordinate size,
 * y = zeros of the same size), which is what tpm2-tools `tpm2_createek -t` does.
 */
export function ekPublicFromProfile(
  defaultPublic: TpmtPublic,
  nv: { template?: Uint8Array; nonce?: Uint8Array },
): TpmtPublic {
  let pub = defaultPublic;
  if (nv.template) {
    try {
      // Like tpm2-tools (Tss2_MU_TPMT_PUBLIC_Unmarshal), bytes after the structure are ignored:
      // an index may be larger than the template it holds.
      pub = TPMT_PUBLIC.read(new Reader(nv.template));
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new MarshalError(`the EK Template index does not hold a TPMT_PUBLIC: ${why}`, 0);
    }
  }
  return nv.nonce && nv.nonce.length > 0 ? withEkNonce(pub, nv.nonce) : pub;
}

/** `pub` with the EK Nonce placed in unique (profile §2.2.1.6); see {@link ekPublicFromProfile}. */
function withEkNonce(pub: TpmtPublic, nonce: Uint8Array): TpmtPublic {
  if (pub.type === TPM_ALG.RSA) {
    const size = pub.parameters.keyBits / 8;
    return { ...pub, unique: padded(nonce, size, 'RSA unique') };
  }
  if (pub.type === TPM_ALG.ECC) {
    const size = coordinateBytes(pub.parameters.curveID);
    return { ...pub, unique: { x: padded(nonce, size, 'ECC unique.x'), y: new Uint8Array(size) } };
  }
  throw new RangeError(`an EK nonce applies to RSA or ECC templates, not type 0x${pub.type.toString(16)}`);
}

/** Byte length of one coordinate of the named curve. */
export function coordinateBytes(curveID: number): number {
  switch (curveID) {
    case TPM_ECC_CURVE.NIST_P384:
    case TPM_ECC_CURVE.BP_P384_R1:
      return 48;
    case TPM_ECC_CURVE.NIST_P521:
      return 66;
    case TPM_ECC_CURVE.BP_P512_R1:
      return 64;
    default:
      return 32;
  }
}

/**
 * Which default template `pub` was made from: equal in everything but unique (the TPM fills unique
 * with the key). A template read from NV or a nonce can make this undefined.
 */
export function identifyEkTemplate(pub: TpmtPublic): EkTemplate | undefined {
  return EK_TEMPLATES.find((t) => sameApartFromUnique(t.publicArea(), pub));
}

function sameApartFromUnique(a: TpmtPublic, b: TpmtPublic): boolean {
  if (a.type !== b.type) return false;
  return bytesEqual(encodeWithoutUnique(a), encodeWithoutUnique(b));
}

function encodeWithoutUnique(pub: TpmtPublic): Uint8Array {
  const empty = new Uint8Array(0);
  return encode(
    TPMT_PUBLIC,
    pub.type === TPM_ALG.ECC ? { ...pub, unique: { x: empty, y: empty } } : { ...pub, unique: empty },
  );
}

function padded(nonce: Uint8Array, size: number, what: string): Uint8Array {
  if (nonce.length > size) {
    throw new RangeError(`the EK nonce is ${nonce.length} bytes, longer than the ${size}-byte ${what}`);
  }
  const out = new Uint8Array(size);
  out.set(nonce);
  return out;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}
