import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TPM_ALG } from '../../src/tpm/constants/algorithms.js';
import {
  derOuterLength,
  type EkCertificate,
  parseEkCertificate,
  readEkCertificates,
  tcgAttributes,
} from '../../src/tpm/ek/certificates.js';
import {
  compareWithCertificate,
  tpmObjectName,
  tpmPublicToJwk,
  tpmPublicToKeyObject,
  UnsupportedKeyError,
} from '../../src/tpm/ek/ek-public-key.js';
import { createEk, readEndorsementKeys } from '../../src/tpm/ek/read-endorsement-keys.js';
import {
  EK_POLICY_A_SHA256,
  EK_POLICY_B,
  EK_TEMPLATES,
  ekPublicFromProfile,
  ekTemplate,
  identifyEkTemplate,
} from '../../src/tpm/ek/templates.js';
import { encode } from '../../src/tpm/marshal/codec.js';
import { TPM2B_PUBLIC, TPMT_PUBLIC, type TpmtPublic } from '../../src/tpm/structures/public.js';
import { Tpm } from '../../src/tpm/tpm.js';
import { swtpmTransport } from '../../src/tpm/transport/swtpm.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Big-endian helpers for recomputing policy digests. */
const u16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);
const u32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

describe('EK templates (TCG EK Credential Profile Annex B)', () => {
  /**
   * The policies from their definitions (Part 3 §23.4 PolicySecret, §23.22 PolicyAuthorizeNV,
   * §23.6 PolicyOR; profile Annex B "Policy A/B/C"), so the constants do not rest on copied bytes.
   */
  const hashes = [
    { alg: 0x000b, node: 'sha256', policyIndex: 0x01c07f01 },
    { alg: 0x000c, node: 'sha384', policyIndex: 0x01c07f02 },
    { alg: 0x000d, node: 'sha512', policyIndex: 0x01c07f03 },
    { alg: 0x0012, node: 'sm3', policyIndex: 0x01c07f04 },
  ];
  for (const { alg, node, policyIndex } of hashes) {
    it(`policy B for ${node} is PolicyOR(PolicySecret(TPM_RH_ENDORSEMENT), PolicyAuthorizeNV(0x${policyIndex.toString(16)}))`, () => {
      const h = (...parts: Uint8Array[]) =>
        new Uint8Array(createHash(node).update(Buffer.concat(parts)).digest());
      const zero = new Uint8Array(h().length);
      // PolicySecret: H(H(0 || TPM_CC_PolicySecret || authName) || policyRef), policyRef empty.
      const policyA = h(h(zero, u32(0x151), u32(0x4000000b)));
      // The Policy C index: policyWrite|writeAll|ppRead|ownerRead|authRead|policyRead|noDA|written.
      const nvPublic = Buffer.concat([
        u32(policyIndex),
        u16(alg),
        u32(0x220f1008),
        u16(policyA.length),
        policyA,
        u16(2 + policyA.length),
      ]);
      const nvName = Buffer.concat([u16(alg), h(nvPublic)]);
      const policyC = h(zero, u32(0x192), nvName);
      const policyB = h(zero, u32(0x171), policyA, policyC);
      expect(hex(EK_POLICY_B[alg]!)).toBe(hex(policyB));
      if (alg === 0x000b) expect(hex(EK_POLICY_A_SHA256)).toBe(hex(policyA));
    });
  }

  it('has the profile ids, certificate indices and attributes', () => {
    const rows = EK_TEMPLATES.map((t) => {
      const p = t.publicArea();
      return [
        t.id,
        t.certificateIndex.toString(16),
        p.objectAttributes.toString(16),
        p.nameAlg,
        p.authPolicy.length,
      ];
    });
    expect(rows).toEqual([
      ['L-1', '1c00002', '300b2', 0x0b, 32],
      ['L-2', '1c0000a', '300b2', 0x0b, 32],
      ['H-1', '1c00012', '300f2', 0x0b, 32],
      ['H-2', '1c00014', '300f2', 0x0b, 32],
      ['H-3', '1c00016', '300f2', 0x0c, 48],
      ['H-4', '1c00018', '300f2', 0x0d, 64],
      ['H-5', '1c0001a', '300f2', 0x12, 32],
      ['H-6', '1c0001c', '300f2', 0x0c, 48],
      ['H-7', '1c0001e', '300f2', 0x0c, 48],
    ]);
    expect(ekTemplate('L-1').nonceIndex).toBe(0x01c00003);
    expect(ekTemplate('L-1').templateIndex).toBe(0x01c00004);
    expect(ekTemplate('L-2').nonceIndex).toBe(0x01c0000b);
    expect(ekTemplate('L-2').templateIndex).toBe(0x01c0000c);
  });

  it('encodes L-1 as the profile (and go-tpm RSAEKTemplate) does', () => {
    const bytes = encode(TPMT_PUBLIC, ekTemplate('L-1').publicArea());
    const expected =
      '0001000b000300b20020' +
      hex(EK_POLICY_A_SHA256) +
      '0006008000430010' + // AES-128-CFB, scheme NULL
      '0800' + // 2048 bits
      '00000000' + // exponent 0
      `0100${'00'.repeat(256)}`;
    expect(hex(bytes)).toBe(expected);
  });

  it('encodes L-2 with 32-byte zero x and y, and H-3 as swtpm_setup builds its P-384 EK', () => {
    const l2 = hex(encode(TPMT_PUBLIC, ekTemplate('L-2').publicArea()));
    expect(l2).toBe(
      `0023000b000300b20020${hex(EK_POLICY_A_SHA256)}000600800043001000030010` +
        `0020${'00'.repeat(32)}0020${'00'.repeat(32)}`,
    );
    // swtpm src/swtpm_setup/swtpm.c: ECC, SHA-384, 0x000300f2, Policy B SHA-384, AES-256-CFB,
    // scheme NULL, NIST P-384, kdf NULL, empty x and y.
    const h3 = hex(encode(TPMT_PUBLIC, ekTemplate('H-3').publicArea()));
    expect(h3).toBe(
      `0023000c000300f20030${hex(EK_POLICY_B[0x0c]!)}000601000043001000040010${'0000'.repeat(2)}`,
    );
  });

  it('leaves unique empty in every high-range template', () => {
    for (const t of EK_TEMPLATES.filter((x) => x.range === 'high')) {
      const u = t.publicArea().unique;
      const size = u instanceof Uint8Array ? u.length : u.x.length + u.y.length;
      expect(size, t.id).toBe(0);
    }
  });

  it('hands out copies, so a caller cannot change the defaults', () => {
    const p = ekTemplate('L-1').publicArea();
    p.authPolicy[0] = 0;
    (p.unique as Uint8Array)[0] = 1;
    expect(ekTemplate('L-1').publicArea().authPolicy[0]).toBe(0x83);
    expect((ekTemplate('L-1').publicArea().unique as Uint8Array)[0]).toBe(0);
  });

  it('puts an EK nonce into unique (profile §2.2.1.6) and reads a template index as TPMT_PUBLIC', () => {
    const nonce = Uint8Array.of(1, 2, 3);
    const rsa = ekPublicFromProfile(ekTemplate('L-1').publicArea(), { nonce });
    expect(hex(rsa.unique as Uint8Array)).toBe(`010203${'00'.repeat(253)}`);
    const ecc = ekPublicFromProfile(ekTemplate('L-2').publicArea(), { nonce });
    const point = ecc.unique as { x: Uint8Array; y: Uint8Array };
    expect(hex(point.x)).toBe(`010203${'00'.repeat(29)}`);
    expect(hex(point.y)).toBe('00'.repeat(32));

    // A template index holding H-1 (padded with spare bytes), plus a nonce: the nonce fills unique.
    const stored = Buffer.concat([
      encode(TPMT_PUBLIC, ekTemplate('H-1').publicArea()),
      Buffer.alloc(8, 0xff),
    ]);
    const fromNv = ekPublicFromProfile(ekTemplate('L-1').publicArea(), { template: stored, nonce });
    expect(fromNv.objectAttributes).toBe(0x300f2);
    expect((fromNv.unique as Uint8Array).length).toBe(256);
    expect(() =>
      ekPublicFromProfile(ekTemplate('L-1').publicArea(), { template: Uint8Array.of(0, 1) }),
    ).toThrow(/EK Template index does not hold a TPMT_PUBLIC/);
    expect(() => ekPublicFromProfile(ekTemplate('L-2').publicArea(), { nonce: new Uint8Array(33) })).toThrow(
      /longer than the 32-byte/,
    );
  });

  it('identifies a public area by everything but unique', () => {
    for (const t of EK_TEMPLATES) expect(identifyEkTemplate(t.publicArea())?.id).toBe(t.id);
    const other = { ...ekTemplate('L-1').publicArea(), objectAttributes: 0x00030072 };
    expect(identifyEkTemplate(other)).toBeUndefined();
  });
});

describe('EK public keys', () => {
  it('cannot represent SM2 in Node and says so', () => {
    const sm2 = ekTemplate('H-5').publicArea();
    sm2.unique = { x: new Uint8Array(32).fill(1), y: new Uint8Array(32).fill(2) };
    expect(() => tpmPublicToJwk(sm2)).toThrow(UnsupportedKeyError);
  });

  it('treats exponent 0 as 65537', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pub = ekTemplate('L-1').publicArea();
    pub.unique = Buffer.from(publicKey.export({ format: 'jwk' }).n!, 'base64url');
    expect(tpmPublicToJwk(pub).e).toBe('AQAB');
    expect(tpmPublicToKeyObject(pub).equals(publicKey)).toBe(true);
  });

  it('pads an ECC coordinate a TPM returned without its leading zero byte', () => {
    // Find a P-256 key whose x starts with a zero byte (1 in 256), and drop that byte.
    for (let i = 0; i < 10_000; i++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const x = Buffer.from(jwk.x!, 'base64url');
      if (x[0] !== 0) continue;
      const area = ekTemplate('L-2').publicArea();
      if (area.type !== TPM_ALG.ECC) throw new Error('L-2 is an ECC template');
      const pub: TpmtPublic = { ...area, unique: { x: x.subarray(1), y: Buffer.from(jwk.y!, 'base64url') } };
      expect(tpmPublicToKeyObject(pub).equals(publicKey)).toBe(true);
      return;
    }
    throw new Error('no P-256 key with a leading zero in 10000 tries');
  });
});

describe('EK certificate parsing', () => {
  it('finds the DER outer length and explains what is wrong', () => {
    expect(derOuterLength(Uint8Array.of(0x30, 0x03, 1, 2, 3, 0xff, 0xff))).toBe(5);
    expect(derOuterLength(Uint8Array.of(0x30, 0x82, 0x01, 0x00, 0))).toMatch(
      /truncated: .* 260 bytes but the index holds 5/,
    );
    expect(derOuterLength(Uint8Array.of(0x04, 0x01, 0))).toMatch(
      /expected a SEQUENCE \(0x30\) at byte 0, found 0x04/,
    );
    expect(derOuterLength(Uint8Array.of(0x30, 0x80))).toMatch(/indefinite length/);
    expect(derOuterLength(new Uint8Array(0))).toMatch(/empty/);
  });

  it('reads the TCG attributes of the subjectAltName', () => {
    const san =
      'DirName:"2.23.133.2.3=#0C0B69643A3230313931303233\\u002c2.23.133.2.2=#0C05737774706D\\u002c2.23.133.2.1=#0C0B69643A3030303031303134"';
    expect(tcgAttributes(san)).toEqual({
      tpm: { manufacturer: 'id:00001014', model: 'swtpm', version: 'id:20191023' },
    });
    expect(tcgAttributes(undefined)).toEqual({});
  });
});

/** tpm2-tools talks to swtpm over new connections, and swtpm serves one at a time: close ours first. */
describe('endorsement keys on a provisioned swtpm', () => {
  const swtpm = useSwtpm({ provision: true });
  // Made in beforeAll, not when the file is collected: a filtered or interrupted run leaks nothing.
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tpm-doctor-ek-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function withTpm<T>(fn: (tpm: Tpm) => Promise<T>): Promise<T> {
    const { host, port } = swtpm.get();
    const tpm = new Tpm(swtpmTransport(host, port));
    try {
      return await fn(tpm);
    } finally {
      await tpm.close();
    }
  }

  async function transientHandles(): Promise<string> {
    return (await tpm2(swtpm.get(), ['tpm2_getcap', 'handles-transient'])).stdout.trim();
  }

  it('creates L-1 and L-2 EKs byte-identical to tpm2_createek (-G rsa, -G ecc)', async () => {
    for (const [alg, id] of [
      ['rsa', 'L-1'],
      ['ecc', 'L-2'],
    ] as const) {
      const pubFile = join(dir, `${alg}.pub`);
      await tpm2(swtpm.get(), ['tpm2_createek', '-c', join(dir, `${alg}.ctx`), '-G', alg, '-u', pubFile]);
      // tpm2_createek leaves its transient EK loaded (swtpm has no resource manager).
      await tpm2(swtpm.get(), ['tpm2_flushcontext', '-t']);
      const ours = await withTpm((tpm) => createEk(tpm, ekTemplate(id).publicArea()));
      expect(hex(encode(TPM2B_PUBLIC, ours.outPublic)), id).toBe(hex(readFileSync(pubFile)));
    }
    expect(await transientHandles()).toBe('');
  });

  it('finds the swtpm_setup certificates, matches them to the EKs, and leaves no transient handle', async () => {
    const report = await withTpm((tpm) => readEndorsementKeys(tpm));
    const byIndex = new Map(report.endorsementKeys.map((r) => [r.nvIndex, r]));

    const rsa = byIndex.get(0x01c00002);
    expect(rsa?.templateId).toBe('L-1');
    expect(rsa?.certificate?.status).toBe('ok');
    expect(rsa?.matches).toBe(true);
    expect(rsa?.ekPublic).toMatchObject({ type: 'rsa', keyBits: 2048, templateSource: 'default' });

    // swtpm_setup's P-384 EK (0x81010016) and its certificate at 0x01C00016 follow template H-3.
    const p384 = byIndex.get(0x01c00016);
    expect(p384?.templateId).toBe('H-3');
    expect(p384?.matches).toBe(true);
    expect(p384?.matchingTemplateId).toBeUndefined();
    expect(p384?.ekPublic).toMatchObject({ type: 'ecc', curve: 'P-384' });

    const cert = rsa?.certificate as EkCertificate;
    expect(cert).toMatchObject({
      issuer: 'CN=swtpm-localca',
      validNow: true,
      trailingBytes: 0,
      readWith: 'index',
    });
    expect(cert.publicKey).toEqual({ type: 'rsa', keyBits: 2048 });
    expect(cert.tpm).toMatchObject({ model: 'swtpm' });
    expect(cert.sha256Fingerprint).toBe(createHash('sha256').update(cert.der).digest('hex'));
    // The DER is there for callers but stays out of JSON.
    expect(JSON.stringify(report)).not.toContain('"der"');
    expect(cert.der.length).toBeGreaterThan(500);

    const persistent = new Map(report.persistent.map((p) => [p.handle, p]));
    expect(persistent.get(0x81010001)).toMatchObject({ templateId: 'L-1', equalsComputedEk: true });
    expect(persistent.get(0x81010016)).toMatchObject({ templateId: 'H-3', equalsComputedEk: true });
    expect(persistent.get(0x81010001)?.name).toBe(rsa?.ekPublic?.name);

    expect(await transientHandles()).toBe('');
  });

  it('the persistent EK at 0x81010001 is our L-1 EK, as tpm2_readpublic shows it', async () => {
    const pubFile = join(dir, 'persistent.pub');
    await tpm2(swtpm.get(), ['tpm2_readpublic', '-c', '0x81010001', '-o', pubFile]);
    const ours = await withTpm((tpm) => createEk(tpm, ekTemplate('L-1').publicArea()));
    expect(hex(encode(TPM2B_PUBLIC, ours.outPublic))).toBe(hex(readFileSync(pubFile)));
    expect(hex(tpmObjectName(ours.outPublic))).toBe(hex(ours.name));
  });

  it('handles padded, truncated and mismatched certificates per certificate', async () => {
    const scan = await withTpm((tpm) => readEkCertificates(tpm));
    const good = scan.certificates.find((c) => c.nvIndex === 0x01c00002) as EkCertificate;
    const padded = Buffer.concat([good.der, Buffer.alloc(32, 0xff)]);
    const parsed = parseEkCertificate(0x01c00002, padded, { readWith: 'index' });
    expect(parsed).toMatchObject({
      status: 'ok',
      trailingBytes: 32,
      sha256Fingerprint: good.sha256Fingerprint,
    });
    const cut = parseEkCertificate(0x01c00002, good.der.subarray(0, 300), {
      readWith: 'index',
      templateId: 'L-1',
    });
    expect(cut).toMatchObject({ status: 'error', templateId: 'L-1' });
    expect((cut as { error: string }).error).toMatch(/truncated/);

    // The RSA certificate against the P-384 EK: a clear "no", with why.
    const p384 = await withTpm((tpm) => createEk(tpm, ekTemplate('H-3').publicArea()));
    const verdict = compareWithCertificate(p384.outPublic, new X509Certificate(good.der));
    expect(verdict).toEqual({
      matches: false,
      reason: 'the certificate holds an RSA 2048 key but the EK is an ECC P-384 key',
    });
  });

  // From here on the tests change the TPM's NV.
  it('reports garbage at a certificate index as that certificate’s error, and carries on', async () => {
    const garbage = join(dir, 'garbage.bin');
    writeFileSync(garbage, Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)));
    await tpm2(swtpm.get(), [
      'tpm2_nvdefine',
      '0x01C0000A',
      '-C',
      'p',
      '-s',
      '64',
      '-a',
      'ppwrite|ppread|ownerread|authread|authwrite|no_da|platformcreate',
    ]);
    await tpm2(swtpm.get(), ['tpm2_nvwrite', '0x01C0000A', '-C', '0x01C0000A', '-i', garbage]);

    const report = await withTpm((tpm) => readEndorsementKeys(tpm));
    const bad = report.endorsementKeys.find((r) => r.nvIndex === 0x01c0000a);
    expect(bad?.templateId).toBe('L-2');
    expect(bad?.certificate).toMatchObject({ status: 'error', nvIndex: 0x01c0000a, templateId: 'L-2' });
    expect(bad?.matches).toBe('unknown');
    expect(bad?.reason).toMatch(/expected a SEQUENCE \(0x30\) at byte 0, found 0x0b/);
    // The L-2 EK was still created, and the other certificates still match.
    expect(bad?.ekPublic).toMatchObject({ type: 'ecc', curve: 'P-256' });
    expect(report.endorsementKeys.find((r) => r.nvIndex === 0x01c00002)?.matches).toBe(true);
    expect(report.endorsementKeys.find((r) => r.nvIndex === 0x01c00016)?.matches).toBe(true);
    expect(await transientHandles()).toBe('');
  });

  it('reads an owner-only index, places a certificate stored at the wrong or an unknown index', async () => {
    const scan = await withTpm((tpm) => readEkCertificates(tpm));
    const rsaDer = (scan.certificates.find((c) => c.nvIndex === 0x01c00002) as EkCertificate).der;
    const p384Der = (scan.certificates.find((c) => c.nvIndex === 0x01c00016) as EkCertificate).der;
    // The L-1 certificate at H-1's index, readable only through the owner (no authRead).
    await defineAndWrite(0x01c00012, rsaDer, 'ppwrite|ppread|ownerread|no_da|platformcreate');
    // The H-3 certificate at an index the profile does not name.
    await defineAndWrite(0x01c00040, p384Der, 'ppwrite|ppread|ownerread|authread|no_da|platformcreate');

    const report = await withTpm((tpm) => readEndorsementKeys(tpm));
    const h1 = report.endorsementKeys.find((r) => r.nvIndex === 0x01c00012);
    expect(h1).toMatchObject({ templateId: 'H-1', matches: false, matchingTemplateId: 'L-1' });
    expect(h1?.certificate).toMatchObject({ status: 'ok', readWith: 'owner' });
    expect(h1?.reason).toMatch(/certifies the L-1/);
    const other = report.endorsementKeys.find((r) => r.nvIndex === 0x01c00040);
    expect(other).toMatchObject({ templateId: 'H-3', matches: true });
    expect(other?.certificate).toMatchObject({ status: 'ok', readWith: 'index' });
    expect(await transientHandles()).toBe('');
  });

  it('uses the EK Template and EK Nonce indices when they are populated (profile §2.2.1.6)', async () => {
    const nonce = Buffer.from('tpm-doctor nonce');
    // The template index holds L-1 with noDA added, so the result differs from every default.
    const stored = { ...ekTemplate('L-1').publicArea(), objectAttributes: 0x000304b2 };
    await defineAndWrite(0x01c00003, nonce, 'ppwrite|ppread|ownerread|authread|no_da|platformcreate');
    await defineAndWrite(
      0x01c00004,
      encode(TPMT_PUBLIC, stored),
      'ppwrite|ppread|ownerread|authread|no_da|platformcreate',
    );

    const expected = await withTpm((tpm) => createEk(tpm, ekPublicFromProfile(stored, { nonce })));
    const report = await withTpm((tpm) => readEndorsementKeys(tpm));
    const l1 = report.endorsementKeys.find((r) => r.nvIndex === 0x01c00002);
    expect(l1?.ekPublic).toMatchObject({ templateSource: 'nv-template', nonceApplied: true });
    expect(l1?.ekPublic?.name).toBe(hex(expected.name));
    expect(hex(encode(TPMT_PUBLIC, l1!.ekPublic!.publicArea))).toBe(
      hex(encode(TPMT_PUBLIC, expected.outPublic)),
    );
    // swtpm's certificate was made for the default template, so it is now for another key.
    expect(l1?.matches).toBe(false);
    expect(report.skippedNvIndices.map((s) => s.nvIndex)).toEqual(
      expect.arrayContaining([0x01c00003, 0x01c00004]),
    );
    const persistent = report.persistent.find((p) => p.handle === 0x81010001);
    expect(persistent).toMatchObject({ equalsComputedEk: false });
    expect(persistent?.reason).toMatch(/made from the L-1 template but not equal/);
    expect(await transientHandles()).toBe('');
  });

  async function defineAndWrite(nvIndex: number, data: Uint8Array, attributes: string): Promise<void> {
    const file = join(dir, `nv-${nvIndex.toString(16)}.bin`);
    writeFileSync(file, data);
    const index = `0x${nvIndex.toString(16)}`;
    await tpm2(swtpm.get(), ['tpm2_nvdefine', index, '-C', 'p', '-s', String(data.length), '-a', attributes]);
    await tpm2(swtpm.get(), ['tpm2_nvwrite', index, '-C', 'p', '-i', file]);
  }
});
