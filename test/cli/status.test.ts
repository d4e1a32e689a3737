/**
 * `tpm-doctor status` (the built CLI) on a provisioned swtpm, checked field by field against what
 * tpm2-tools reads from the same TPM: properties, DA counters, persistent objects, NV indices, PCRs,
 * EK certificates; and the human text view.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TpmStatus } from '../../src/snapshot/tpm-status.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import {
  type CliResult,
  hex8,
  linesMatching,
  map,
  num,
  runCli,
  statusJson,
  toolFixedProperties,
  toolHandles,
  toolNvPublics,
  toolPcrs,
  toolVariableProperties,
  toolYaml,
  useBuiltCli,
  useTempDir,
} from './cli-support.js';

useBuiltCli();
const swtpm = useSwtpm({ provision: true });
const temp = useTempDir();

/** PCRs extended by tpm2-tools before the CLI reads them, with the digest extended into each. */
const EXTENDED = new Map(
  [0, 7, 16].map((pcr) => [pcr, createHash('sha256').update(`tpm-doctor cli pcr ${pcr}`).digest()]),
);

let json: CliResult & { json: TpmStatus };
let status: TpmStatus;
/** EK certificate DER per NV index, read with tpm2_nvread. */
const ekDer = new Map<string, Buffer>();

beforeAll(async () => {
  const i = swtpm.get();
  for (const [pcr, digest] of EXTENDED) {
    await tpm2(i, ['tpm2_pcrextend', `${pcr}:sha256=${digest.toString('hex')}`]);
  }
  for (const index of ['0x01c00002', '0x01c00016']) {
    const file = temp.file(`${index}.der`);
    await tpm2(i, ['tpm2_nvread', index, '-C', 'o', '-o', file]);
    ekDer.set(index, await readFile(file));
  }
  json = await statusJson(i.uri);
  status = json.json;
});

describe('status --json on a provisioned swtpm', () => {
  it('exits 0 with schema tpm-doctor/status/v1, present, started, IBM, and no errors', () => {
    expect(json.code).toBe(0);
    expect(json.stderr).toBe('');
    expect(status.schema).toBe('tpm-doctor/status/v1');
    expect(status.tpm).toEqual({ uri: swtpm.get().uri, lab: false });
    expect(status.present).toBe(true);
    expect(status.started).toBe(true);
    expect(status.errors).toEqual([]);
    expect(status.identity?.manufacturer.id).toBe('IBM');
    expect(status.identity?.manufacturer.code).toBe('0x49424d00');
    expect(status.identity?.family).toBe('2.0');
    expect(status.selfTest).toMatchObject({ ok: true, code: '0x000', name: 'TPM_RC_SUCCESS' });
    expect(Number.isNaN(Date.parse(status.collectedAt))).toBe(false);
  });

  it('every property tpm2_getcap properties-fixed prints has the same raw value', async () => {
    const tools = await toolFixedProperties(swtpm.get());
    expect(Object.keys(tools).length).toBeGreaterThan(40);
    const ours = status.properties ?? {};
    for (const [name, value] of Object.entries(tools)) {
      expect({ name, value: ours[name] }).toEqual({ name, value });
    }
  });

  it('every property tpm2_getcap properties-variable prints has the same value (flag words rebuilt bit by bit)', async () => {
    const tools = await toolVariableProperties(swtpm.get());
    expect(Object.keys(tools).length).toBeGreaterThan(15);
    const ours = status.properties ?? {};
    for (const [name, value] of Object.entries(tools)) {
      expect({ name, value: ours[name] }).toEqual({ name, value });
    }
    expect(status.permanent?.value).toBe(hex8(tools.TPM2_PT_PERMANENT!));
    expect(status.startupClear?.value).toBe(hex8(tools.TPM2_PT_STARTUP_CLEAR!));
    expect(status.permanent?.flags.tpmGeneratedEPS).toBe(true);
    expect(status.permanent?.flags.inLockout).toBe(false);
  });

  it('reports no property that tpm2_getcap does not print, except those tpm2-tools 5.4 has no name for', async () => {
    const tools = {
      ...(await toolFixedProperties(swtpm.get())),
      ...(await toolVariableProperties(swtpm.get())),
    };
    const extra = Object.keys(status.properties ?? {}).filter((name) => !(name in tools));
    // TPM_PT_MAX_CAP_BUFFER (0x12E, spec revision 1.59) is newer than tpm2-tools 5.4's table.
    expect(extra).toEqual(['TPM2_PT_MAX_CAP_BUFFER']);
  });

  it('dictionaryAttack equals TPM2_PT_LOCKOUT_COUNTER / MAX_AUTH_FAIL / LOCKOUT_INTERVAL / LOCKOUT_RECOVERY', async () => {
    const tools = await toolVariableProperties(swtpm.get());
    expect(status.dictionaryAttack).toEqual({
      inLockout: false,
      failedTries: tools.TPM2_PT_LOCKOUT_COUNTER,
      maxTries: tools.TPM2_PT_MAX_AUTH_FAIL,
      recoveryTimeSeconds: tools.TPM2_PT_LOCKOUT_INTERVAL,
      lockoutRecoverySeconds: tools.TPM2_PT_LOCKOUT_RECOVERY,
      lockoutAuthSet: false,
    });
  });

  it('persistentObjects are the handles of tpm2_getcap handles-persistent, each with the name tpm2_readpublic prints', async () => {
    const handles = await toolHandles(swtpm.get(), 'persistent');
    expect(handles).toEqual(['0x81010001', '0x81010016']);
    expect(status.persistentObjects?.map((o) => o.handle)).toEqual(handles);
    for (const object of status.persistentObjects ?? []) {
      const printed = map(await toolYaml(swtpm.get(), ['tpm2_readpublic', '-c', object.handle]));
      const attributes = map(printed.attributes);
      expect({
        handle: object.handle,
        name: object.name,
        type: object.type,
        nameAlg: object.nameAlg,
        attributes: object.attributes,
        attributesValue: object.attributesValue,
      }).toEqual({
        handle: object.handle,
        name: String(printed.name),
        type: String(map(printed.type).value),
        nameAlg: String(map(printed['name-alg']).value),
        attributes: String(attributes.value),
        attributesValue: hex8(num(attributes.raw)),
      });
      expect(object.hierarchy).toBe('endorsement');
    }
    const ek = status.persistentObjects?.find((o) => o.handle === '0x81010001');
    expect(ek).toMatchObject({ type: 'rsa', keyBits: 2048, nameAlg: 'sha256', curve: null });
  });

  it('nvIndices equal tpm2_nvreadpublic: index, size, attributes, name', async () => {
    const tools = await toolNvPublics(swtpm.get());
    expect(tools.map((t) => t.index)).toEqual(['0x01c00002', '0x01c00016', '0x01c08000']);
    expect(
      status.nvIndices?.map((nv) => ({
        index: nv.index,
        size: nv.size,
        attributes: nv.attributes,
        attributesValue: nv.attributesValue,
        name: nv.name,
      })),
    ).toEqual(
      tools.map((t) => ({
        index: t.index,
        size: t.size,
        attributes: t.attributes,
        attributesValue: hex8(t.attributesValue),
        name: t.name,
      })),
    );
    for (const nv of status.nvIndices ?? []) {
      expect(nv).toMatchObject({ hierarchy: 'platform', platformCreated: true, nameAlg: 'sha256' });
    }
  });

  it('transientHandles equal tpm2_getcap handles-transient (none)', async () => {
    expect(await toolHandles(swtpm.get(), 'transient')).toEqual([]);
    expect(status.transientHandles).toEqual([]);
  });

  it('PCR values equal tpm2_pcrread after tpm2_pcrextend, and the extended ones equal SHA-256(0…0 || digest)', async () => {
    const tools = await toolPcrs(swtpm.get());
    const banks = status.pcrBanks ?? [];
    expect(banks.map((b) => b.hashAlg)).toEqual(['sha256']);
    const sha256 = banks[0]!;
    expect(sha256.pcrs).toEqual([...Array(24).keys()]);
    expect(sha256.values).toEqual(tools.sha256);
    for (const [pcr, digest] of EXTENDED) {
      const expected = createHash('sha256').update(Buffer.alloc(32)).update(digest).digest('hex');
      expect({ pcr, value: sha256.values[String(pcr)] }).toEqual({ pcr, value: expected });
    }
  });

  it('endorsement: L-1 at 0x01c00002 and H-3 at 0x01c00016 match their persistent EKs', () => {
    const certs = status.endorsement?.certificates ?? [];
    expect(certs.map((c) => [c.nvIndex, c.template])).toEqual([
      ['0x01c00002', 'L-1'],
      ['0x01c00016', 'H-3'],
    ]);
    for (const cert of certs) {
      expect(cert).toMatchObject({ matches: true, error: null, reason: null, validNow: true });
      expect(cert.ek.source).toBe('persistent');
    }
    expect(certs[0]?.ek.handle).toBe('0x81010001');
    expect(certs[0]?.key).toBe('rsa 2048');
    expect(certs[1]?.ek.handle).toBe('0x81010016');
    expect(certs[1]?.key).toMatch(/^ecc (P-|nist_p)?384$/);
  });

  it('each certificate fingerprint is the SHA-256 of the DER tpm2_nvread reads from its index', () => {
    for (const cert of status.endorsement?.certificates ?? []) {
      const x509 = new X509Certificate(ekDer.get(cert.nvIndex)!);
      expect(cert.fingerprintSha256).toBe(x509.fingerprint256.replaceAll(':', '').toLowerCase());
      expect(cert.serialNumber).toBe(x509.serialNumber);
      // swtpm_localca names are a single CN, so OpenSSL's one-RDN-per-line form is one line.
      expect(cert.issuer).toBe(x509.issuer);
      expect(cert.subject).toBe(x509.subject);
    }
  });

  it('--compute-ek derives both EKs (matches, source computed) and leaves no transient handle behind', async () => {
    const run = await statusJson(swtpm.get().uri, ['--compute-ek']);
    expect(run.code).toBe(0);
    expect(run.json.errors).toEqual([]);
    const certs = run.json.endorsement?.certificates ?? [];
    expect(certs.map((c) => c.nvIndex)).toEqual(['0x01c00002', '0x01c00016']);
    for (const cert of certs) {
      expect(cert.matches).toBe(true);
      expect(cert.ek).toEqual({ source: 'computed', handle: null });
    }
    expect(await toolHandles(swtpm.get(), 'transient')).toEqual([]);
    expect(run.json.transientHandles).toEqual([]);
  });
});

describe('status (text) on a provisioned swtpm', () => {
  let text: CliResult;
  beforeAll(async () => {
    text = await runCli(['status', '--tpm', swtpm.get().uri]);
  });

  it('exits 0 and shows the manufacturer, the self test, the DA section and both EK certificates', () => {
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    const out = text.stdout;
    expect(out).toContain(`TPM status of ${swtpm.get().uri}`);
    expect(out).not.toContain('LAB');
    expect(out).toMatch(/^ {2}Present +yes$/m);
    expect(out).toMatch(/^ {2}Manufacturer +IBM \(IBM, 0x49424d00\)$/m);
    expect(out).toMatch(/^ {2}Self test {12}passed$/m);
    expect(out).toMatch(/^Dictionary attack protection$/m);
    expect(out).toMatch(/^ {2}Locked out +no$/m);
    const da = status.dictionaryAttack!;
    expect(out).toMatch(new RegExp(`^ {2}Failed tries +${da.failedTries} of ${da.maxTries} allowed$`, 'm'));
    expect(out).toMatch(/^Endorsement key certificates \(2\)$/m);
    expect(linesMatching(out, /^ {4}matches EK/)).toEqual([
      '    matches EK  yes (persistent EK 0x81010001)',
      '    matches EK  yes (persistent EK 0x81010016)',
    ]);
    expect(out).toMatch(/^ {2}0x01c00002 {2}RSA 2048/m);
    expect(out).toMatch(/^ {2}0x01c00016 {2}ECC NIST P-384/m);
    expect(out).not.toMatch(/^Could not read$/m);
  });

  it('prints no part of the certificates (DER, base64 or PEM) in text or JSON', () => {
    const outputs = [text.stdout, text.stderr, json.stdout, json.stderr].join('\n');
    expect(outputs).not.toMatch(/BEGIN CERTIFICATE/);
    for (const der of ekDer.values()) {
      const hex = der.toString('hex');
      const b64 = der.toString('base64');
      for (let at = 0; at + 32 <= der.length; at += 16) {
        // 16 DER bytes as hex or as base64 (aligned to 3-byte groups).
        expect(outputs.toLowerCase()).not.toContain(hex.slice(at * 2, at * 2 + 32));
        const b = Math.floor(at / 3) * 4;
        expect(outputs).not.toContain(b64.slice(b, b + 20));
      }
    }
  });

  it('--verbose adds each PCR value as tpm2_pcrread prints it', async () => {
    const verbose = await runCli(['status', '--tpm', swtpm.get().uri, '--verbose']);
    expect(verbose.code).toBe(0);
    const tools = await toolPcrs(swtpm.get());
    for (const pcr of EXTENDED.keys()) {
      expect(verbose.stdout).toContain(`${String(pcr).padStart(2)}: ${tools.sha256?.[String(pcr)]}`);
    }
    expect(text.stdout).not.toContain(tools.sha256?.['16'] ?? 'x');
  });
});
