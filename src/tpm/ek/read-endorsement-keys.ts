import { createHash, X509Certificate } from 'node:crypto';
import type { AuthHandle } from '../command.js';
import { FlushContext } from '../commands/context.js';
import { CreatePrimary } from '../commands/hierarchy.js';
import { NV_ReadPublic } from '../commands/nv.js';
import { ReadPublic } from '../commands/object.js';
import { HANDLE_RANGE, PERSISTENT_RANGE, TPM_RH } from '../constants/handles.js';
import { encode } from '../marshal/codec.js';
import { RC } from '../rc/decode-response-code.js';
import { TpmError } from '../rc/tpm-error.js';
import { getHandles } from '../read/capability.js';
import { readNvIndex } from '../read/nv.js';
import { TPMT_PUBLIC, type TpmtPublic } from '../structures/public.js';
import type { Tpm } from '../tpm.js';
import { type EkCertificateEntry, readEkCertificates } from './certificates.js';
import {
  compareWithCertificate,
  describeKeyObject,
  describeTpmPublic,
  type KeyMatch,
  tpmPublicToSpki,
} from './ek-public-key.js';
import {
  EK_TEMPLATES,
  type EkTemplate,
  type EkTemplateId,
  ekPublicFromProfile,
  ekTemplate,
  ekTemplateForCertificateIndex,
  identifyEkTemplate,
} from './templates.js';

/**
 * The endorsement keys of a TPM and the evidence for them: for each EK certificate in NV (and
 * for L-1 RSA 2048 always) the EK is created from its TCG template with TPM2_CreatePrimary under
 * TPM_RH_ENDORSEMENT, its public key is compared with the certificate's, and the transient object
 * is flushed at once, so a client without a resource manager never leaves objects behind. The
 * persistent EKs (0x81010000-0x8101FFFF) are compared with the EKs so computed.
 */

/** Endorsement primary persistent handles (TCG Registry of Reserved TPM 2.0 Handles §2.3). */
const EK_PERSISTENT_RANGE = PERSISTENT_RANGE.ENDORSEMENT_PRIMARY;

interface EkPublicSummary {
  readonly type: 'rsa' | 'ecc' | 'other';
  readonly keyBits?: number;
  readonly curve?: string;
  /** SHA-256 of the DER SubjectPublicKeyInfo (lower-case hex); absent for keys Node cannot encode (SM2). */
  readonly spkiSha256?: string;
  /** The object's Name (nameAlg || H(TPMT_PUBLIC), Part 1 §16), lower-case hex, as the TPM returned it. */
  readonly name: string;
  /** 'nv-template' when the EK Template index supplied the template (profile §2.2.1.6). */
  readonly templateSource: 'default' | 'nv-template';
  /** True when the EK Nonce index supplied unique. */
  readonly nonceApplied: boolean;
  /** The TPM's outPublic. Not enumerable, so JSON output leaves it out. */
  readonly publicArea: TpmtPublic;
}

export interface EndorsementKeyResult {
  /** The template the EK was made from: the certificate index's template, or for another index the one that matched. */
  readonly templateId?: EkTemplateId;
  readonly label?: string;
  /** The certificate's NV index (for a template without certificate, where it would be). */
  readonly nvIndex: number;
  /** Absent when the TPM holds no certificate for this template. */
  readonly certificate?: EkCertificateEntry;
  /** Absent when the EK could not be created (`error` says why). */
  readonly ekPublic?: EkPublicSummary;
  readonly matches: true | false | 'unknown';
  readonly reason?: string;
  /** When the certificate is not for its index's template but for another template's EK. */
  readonly matchingTemplateId?: EkTemplateId;
  readonly error?: string;
}

interface PersistentEkResult {
  readonly handle: number;
  readonly type?: 'rsa' | 'ecc' | 'other';
  readonly keyBits?: number;
  readonly curve?: string;
  readonly name?: string;
  /** The template whose EK (as computed now) this object equals, byte for byte. */
  readonly templateId?: EkTemplateId;
  readonly equalsComputedEk: boolean;
  readonly reason?: string;
  readonly error?: string;
}

export interface EndorsementKeysReport {
  readonly endorsementKeys: EndorsementKeyResult[];
  readonly persistent: PersistentEkResult[];
  /** Indices of the EK range that are not certificates, with why. */
  readonly skippedNvIndices: { nvIndex: number; reason: string }[];
}

export interface ReadEndorsementKeysOptions {
  /** Authorisation for TPM_RH_ENDORSEMENT; default an empty password. */
  endorsementAuth?: AuthHandle | number;
  /** Authorisation for TPM_RH_OWNER, to read indices that only allow ownerRead; default an empty password. */
  ownerAuth?: AuthHandle | number;
  nvBufferMax?: number;
  now?: Date;
  /** Templates to create even without a certificate; default ['L-1']. */
  alwaysCreate?: readonly EkTemplateId[];
  /** Apply the EK Template/Nonce indices when present (profile §2.2.1.6); default true. */
  useNvTemplates?: boolean;
}

interface ComputedEk {
  summary?: EkPublicSummary;
  error?: string;
}

/** The whole report; see the module comment. */
export async function readEndorsementKeys(
  tpm: Tpm,
  options: ReadEndorsementKeysOptions = {},
): Promise<EndorsementKeysReport> {
  const scan = await readEkCertificates(tpm, {
    ...(options.ownerAuth === undefined ? {} : { ownerAuth: options.ownerAuth }),
    ...(options.nvBufferMax === undefined ? {} : { nvBufferMax: options.nvBufferMax }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const nvIndices = new Set(await getHandles(tpm, HANDLE_RANGE.NV_INDEX_FIRST));
  const creator = new EkCreator(tpm, options, nvIndices);

  const endorsementKeys: EndorsementKeyResult[] = [];
  for (const certificate of scan.certificates) {
    endorsementKeys.push(await checkCertificate(creator, certificate));
  }
  for (const id of options.alwaysCreate ?? ['L-1']) {
    const t = ekTemplate(id);
    if (endorsementKeys.some((r) => r.nvIndex === t.certificateIndex)) continue;
    const ek = await creator.ek(t);
    endorsementKeys.push({
      templateId: t.id,
      label: t.label,
      nvIndex: t.certificateIndex,
      ...(ek.summary ? { ekPublic: ek.summary } : {}),
      ...(ek.error ? { error: ek.error } : {}),
      matches: 'unknown',
      reason: `no EK certificate at 0x${hex8(t.certificateIndex)}: nothing to compare (Intel PTT and AMD fTPM publish theirs online instead)`,
    });
  }
  endorsementKeys.sort((a, b) => a.nvIndex - b.nvIndex);

  const persistent = await checkPersistentEks(tpm, creator);
  return { endorsementKeys, persistent, skippedNvIndices: scan.skipped };
}

async function checkCertificate(
  creator: EkCreator,
  certificate: EkCertificateEntry,
): Promise<EndorsementKeyResult> {
  const own = ekTemplateForCertificateIndex(certificate.nvIndex);
  if (certificate.status === 'error') {
    const ek = own ? await creator.ek(own) : {};
    return {
      ...(own ? { templateId: own.id, label: own.label } : {}),
      nvIndex: certificate.nvIndex,
      certificate,
      ...(ek.summary ? { ekPublic: ek.summary } : {}),
      ...(ek.error ? { error: ek.error } : {}),
      matches: 'unknown',
      reason: `the certificate could not be used: ${certificate.error}`,
    };
  }
  const x509 = new X509Certificate(certificate.der);
  // The index's own template first; then every other template with the certificate's key type and
  // size, so a certificate made for another template (or stored at an unusual index) is still placed.
  const candidates = candidateTemplates(own, x509);
  let first: { template: EkTemplate; ek: ComputedEk; match: KeyMatch } | undefined;
  for (const template of candidates) {
    const ek = await creator.ek(template);
    const match: KeyMatch = ek.summary
      ? compareWithCertificate(ek.summary.publicArea, x509)
      : { matches: 'unknown', reason: `the EK could not be created: ${ek.error}` };
    first ??= { template, ek, match };
    if (match.matches === true) {
      if (own && template !== own) {
        return {
          ...resultFor(own, certificate, first.ek, first.match),
          matches: false,
          matchingTemplateId: template.id,
          reason: `the certificate at ${own.id}'s index certifies the ${template.id} (${template.label}) EK instead`,
        };
      }
      return resultFor(template, certificate, ek, match);
    }
    if (ek.error && isHierarchyWide(ek.error)) break; // every other template would fail the same way
  }
  if (first && own) return resultFor(own, certificate, first.ek, first.match);
  return {
    nvIndex: certificate.nvIndex,
    certificate,
    matches: first?.match.matches === 'unknown' ? 'unknown' : false,
    reason:
      candidates.length === 0
        ? `no TCG EK template makes ${describeKeyObjectSafe(x509)}; the certificate cannot be matched`
        : `the certificate's key is not the EK of any TCG template (${candidates.map((t) => t.id).join(', ')})`,
  };
}

function resultFor(
  template: EkTemplate,
  certificate: EkCertificateEntry,
  ek: ComputedEk,
  match: KeyMatch,
): EndorsementKeyResult {
  return {
    templateId: template.id,
    label: template.label,
    nvIndex: certificate.nvIndex,
    certificate,
    ...(ek.summary ? { ekPublic: ek.summary } : {}),
    ...(ek.error ? { error: ek.error } : {}),
    matches: match.matches,
    ...(match.matches === true ? {} : { reason: match.reason }),
  };
}

function candidateTemplates(own: EkTemplate | undefined, cert: X509Certificate): EkTemplate[] {
  let key: ReturnType<typeof describeKeyObject> | undefined;
  try {
    key = describeKeyObject(cert.publicKey);
  } catch {
    key = undefined; // not loadable: only the index's own template is worth a try
  }
  const out = own ? [own] : [];
  if (!key) return out;
  for (const t of EK_TEMPLATES) {
    if (t === own) continue;
    const d = describeTpmPublic(t.publicArea());
    const same =
      (d.type === 'rsa' && key.type === 'rsa' && d.keyBits === key.keyBits) ||
      (d.type === 'ecc' && key.type === 'ecc' && d.curve === key.curve);
    if (same) out.push(t);
  }
  return out;
}

function describeKeyObjectSafe(cert: X509Certificate): string {
  try {
    return describeKeyObject(cert.publicKey).text;
  } catch {
    return 'a key Node cannot load';
  }
}

/** Creates (and flushes) EKs, at most once per template, and stops after a hierarchy-wide failure. */
class EkCreator {
  private readonly cache = new Map<EkTemplateId, Promise<ComputedEk>>();
  private fatal: string | undefined;

  constructor(
    private readonly tpm: Tpm,
    private readonly options: ReadEndorsementKeysOptions,
    private readonly nvIndices: ReadonlySet<number>,
  ) {}

  ek(template: EkTemplate): Promise<ComputedEk> {
    let p = this.cache.get(template.id);
    if (!p) {
      p = this.compute(template);
      this.cache.set(template.id, p);
    }
    return p;
  }

  /** Templates created so far with their EKs. */
  async computed(): Promise<{ template: EkTemplate; ek: ComputedEk }[]> {
    const out = [];
    for (const [id, p] of this.cache) out.push({ template: ekTemplate(id), ek: await p });
    return out;
  }

  private async compute(template: EkTemplate): Promise<ComputedEk> {
    if (this.fatal) return { error: this.fatal };
    let inPublic: TpmtPublic;
    let templateSource: EkPublicSummary['templateSource'] = 'default';
    let nonceApplied = false;
    try {
      const nv = this.options.useNvTemplates === false ? {} : await this.readProfileIndices(template);
      inPublic = ekPublicFromProfile(template.publicArea(), nv);
      if (nv.template) templateSource = 'nv-template';
      nonceApplied = !!nv.nonce && nv.nonce.length > 0;
    } catch (e) {
      return { error: `the EK template for ${template.id} could not be built: ${message(e)}` };
    }
    try {
      const { outPublic, name } = await createEk(this.tpm, inPublic, this.options.endorsementAuth);
      const d = describeTpmPublic(outPublic);
      let spkiSha256: string | undefined;
      try {
        spkiSha256 = createHash('sha256').update(tpmPublicToSpki(outPublic)).digest('hex');
      } catch {
        spkiSha256 = undefined; // SM2 and other keys Node cannot encode
      }
      const summary = {
        type: d.type,
        ...(d.type === 'rsa' ? { keyBits: d.keyBits } : {}),
        ...(d.type === 'ecc' ? { curve: d.curve } : {}),
        ...(spkiSha256 ? { spkiSha256 } : {}),
        name: Buffer.from(name).toString('hex'),
        templateSource,
        nonceApplied,
      };
      Object.defineProperty(summary, 'publicArea', { value: outPublic, enumerable: false });
      return { summary: summary as EkPublicSummary };
    } catch (e) {
      const error = explainCreate(e, template);
      if (isHierarchyWide(error)) this.fatal = error;
      return { error };
    }
  }

  /** The EK Template and EK Nonce indices, when present (profile §2.2.1.4, §2.2.1.6). */
  private async readProfileIndices(
    template: EkTemplate,
  ): Promise<{ template?: Uint8Array; nonce?: Uint8Array }> {
    const out: { template?: Uint8Array; nonce?: Uint8Array } = {};
    if (template.templateIndex !== undefined && this.nvIndices.has(template.templateIndex)) {
      out.template = await this.readIndex(template.templateIndex);
    }
    if (template.nonceIndex !== undefined && this.nvIndices.has(template.nonceIndex)) {
      out.nonce = await this.readIndex(template.nonceIndex);
    }
    return out;
  }

  /** Nonce and template indices are readable like the certificates: by the index or by the owner. */
  private async readIndex(nvIndex: number): Promise<Uint8Array> {
    const pub = (await this.tpm.run(NV_ReadPublic, { nvIndex })).nvPublic;
    const base = {
      public: pub,
      ...(this.options.nvBufferMax ? { nvBufferMax: this.options.nvBufferMax } : {}),
    };
    try {
      return await readNvIndex(this.tpm, nvIndex, { ...base, auth: nvIndex });
    } catch (first) {
      try {
        return await readNvIndex(this.tpm, nvIndex, {
          ...base,
          auth: this.options.ownerAuth ?? TPM_RH.OWNER,
        });
      } catch {
        throw new Error(`index 0x${hex8(nvIndex)} is present but unreadable: ${message(first)}`);
      }
    }
  }
}

/**
 * TPM2_CreatePrimary under TPM_RH_ENDORSEMENT (Part 3 §24.1) with an empty sensitive area, then
 * TPM2_FlushContext of the new transient handle whatever happens (Part 3 §28.4): without a
 * resource manager a leaked object stays loaded until the next reset and fills the TPM (0x902).
 */
export async function createEk(
  tpm: Tpm,
  inPublic: TpmtPublic,
  endorsementAuth: AuthHandle | number = TPM_RH.ENDORSEMENT,
): Promise<{ outPublic: TpmtPublic; name: Uint8Array }> {
  const empty = new Uint8Array(0);
  const created = await tpm.run(CreatePrimary, {
    primaryHandle: endorsementAuth,
    inSensitive: { userAuth: empty, data: empty },
    inPublic,
    outsideInfo: empty,
    creationPCR: [],
  });
  try {
    return { outPublic: created.outPublic, name: created.name };
  } finally {
    // A failure here surfaces as a TPM2_FlushContext error naming the command.
    await tpm.run(FlushContext, { flushHandle: created.objectHandle });
  }
}

async function checkPersistentEks(tpm: Tpm, creator: EkCreator): Promise<PersistentEkResult[]> {
  const handles = (await getHandles(tpm, HANDLE_RANGE.PERSISTENT_FIRST)).filter(
    (h) => h >= EK_PERSISTENT_RANGE.first && h <= EK_PERSISTENT_RANGE.last,
  );
  const out: PersistentEkResult[] = [];
  for (const handle of handles) {
    let outPublic: TpmtPublic;
    let name: Uint8Array;
    try {
      ({ outPublic, name } = await tpm.run(ReadPublic, { objectHandle: handle }));
    } catch (e) {
      out.push({ handle, equalsComputedEk: false, error: `TPM2_ReadPublic failed: ${message(e)}` });
      continue;
    }
    const d = describeTpmPublic(outPublic);
    const base = {
      handle,
      type: d.type,
      ...(d.type === 'rsa' ? { keyBits: d.keyBits } : {}),
      ...(d.type === 'ecc' ? { curve: d.curve } : {}),
      name: Buffer.from(name).toString('hex'),
    };
    const bytes = encode(TPMT_PUBLIC, outPublic);
    // Its default template (everything but unique equal), created now if not yet; else any EK
    // already computed (one made from an EK Template index).
    const identified = identifyEkTemplate(outPublic);
    if (identified) await creator.ek(identified);
    const computed = await creator.computed();
    const equal = computed.find(
      ({ ek }) => ek.summary && bytesEqual(encode(TPMT_PUBLIC, ek.summary.publicArea), bytes),
    );
    if (equal) {
      out.push({ ...base, templateId: equal.template.id, equalsComputedEk: true });
      continue;
    }
    const why = identified
      ? `made from the ${identified.id} template but not equal to the ${identified.id} EK this TPM derives now (${
          (await creator.ek(identified)).error ?? 'a different key: another seed, nonce or template index'
        })`
      : 'not made from any TCG EK template (type, attributes, policy or parameters differ)';
    out.push({ ...base, equalsComputedEk: false, reason: why });
  }
  return out;
}

/** Errors that every further CreatePrimary in the endorsement hierarchy would repeat. */
function isHierarchyWide(error: string): boolean {
  return error.startsWith('endorsement hierarchy:');
}

function explainCreate(e: unknown, template: EkTemplate): string {
  if (!(e instanceof TpmError)) return `TPM2_CreatePrimary(${template.id}) failed: ${message(e)}`;
  if (e.is(RC.AUTH_FAIL, RC.BAD_AUTH)) {
    return `endorsement hierarchy: ${e.message} (endorsementAuth is set; pass it to create the EK)`;
  }
  if (e.is(RC.HIERARCHY)) {
    return `endorsement hierarchy: ${e.message} (the endorsement hierarchy is disabled: ehEnable is clear)`;
  }
  if (e.is(RC.OBJECT_MEMORY)) {
    return `endorsement hierarchy: ${e.message} (the TPM's object slots are full: something left transient objects loaded; tpm2_flushcontext -t frees them)`;
  }
  // TPM_RC_VALUE included: swtpm answers it for RSA 3072 outside its profile.
  if (e.is(RC.ASYMMETRIC, RC.HASH, RC.VALUE, RC.KEY_SIZE, RC.MODE, RC.SCHEME, RC.SYMMETRIC, RC.CURVE)) {
    return `TPM2_CreatePrimary(${template.id}) failed: ${e.message} (this TPM does not support the ${template.label} template)`;
  }
  return `TPM2_CreatePrimary(${template.id}) failed: ${e.message}`;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
