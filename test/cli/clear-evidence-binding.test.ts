/**
 * `clear --evidence` with another device's bundle, on a real swtpm: the bundle's own facts would
 * pass the gate (a fresh bundle whose diagnosis reaches a clear, BitLocker suspended, backups
 * confirmed, approval given), but its TPM is not this one, so the gate refuses (exit 10) and
 * tpm2-tools shows nothing changed. The same bundle made to describe this TPM passes the binding.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const swtpm = useSwtpm({ provision: true });
const temp = useTempDir('tpm-doctor-clear-binding-');

const FIXTURE = path.resolve(__dirname, '../fixtures/synthetic/windows/reduced-functionality-0x900');
const OWNER_KEY = '0x81000005';

/** What a clear would change, as tpm2-tools reads it: the persistent handles and the owner key's Name. */
async function tpmState(): Promise<string> {
  const i = swtpm.get();
  const handles = (await tpm2(i, ['tpm2_getcap', 'handles-persistent'])).stdout;
  const owner = (await tpm2(i, ['tpm2_readpublic', '-c', OWNER_KEY])).stdout;
  return `${handles}\n${owner.split('\n').find((l) => l.startsWith('name:'))}`;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
}

/**
 * The other device's bundle, collected a minute ago, with BitLocker suspended for two reboots:
 * everything the gate reads from it is ready for a clear.
 */
function otherDevicesBundle(name: string): string {
  const dir = temp.file(name);
  cpSync(FIXTURE, dir, { recursive: true });
  const meta = readJson(path.join(dir, 'meta.json'));
  writeFileSync(
    path.join(dir, 'meta.json'),
    JSON.stringify({ ...meta, CollectedAt: new Date(Date.now() - 60_000).toISOString() }),
  );
  const volumes = readJson(path.join(dir, 'bitlocker.json')) as unknown as Record<string, unknown>[];
  writeFileSync(
    path.join(dir, 'bitlocker.json'),
    JSON.stringify(volumes.map((v) => ({ ...v, ProtectionStatus: 0, SuspendCount: 2 }))),
  );
  rmSync(path.join(dir, 'manage-bde.txt'));
  return dir;
}

const READY = ['--approved-by', 'A. Admin', '--ticket', 'CHG-1', '--backup-confirmed-by', 'helpdesk vault'];

interface ClearJson {
  gate: { passed: boolean; checks: { id: string; status: string; message: string }[] };
  run: unknown;
}

beforeAll(async () => {
  const i = swtpm.get();
  const ctx = temp.file('owner.ctx');
  await tpm2(i, ['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', ctx]);
  await tpm2(i, ['tpm2_evictcontrol', '-C', 'o', '-c', ctx, OWNER_KEY]);
  await tpm2(i, ['tpm2_flushcontext', '-t']);
});

describe('clear --evidence binds the bundle to this TPM', () => {
  it("another device's bundle is refused with one line naming what differs; the TPM is untouched", async () => {
    const i = swtpm.get();
    const before = await tpmState();
    const bundle = otherDevicesBundle('other-device');
    const args = [
      'clear',
      '--tpm',
      i.uri,
      '--evidence',
      bundle,
      ...READY,
      '--yes',
      '--state-dir',
      temp.dir(),
    ];

    const json = await runCli([...args, '--json'], { timeoutMs: 60_000 });
    expect(json.code, json.stderr).toBe(10);
    const out = JSON.parse(json.stdout) as ClearJson;
    expect(out.run).toBeNull();
    expect(out.gate.passed).toBe(false);
    // The bundle's own facts pass every other check: only the binding stands in the way.
    expect(out.gate.checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status])).toEqual([
      ['evidence.same-tpm', 'fail'],
    ]);

    const text = await runCli(args, { timeoutMs: 60_000 });
    expect(text.code).toBe(10);
    const lines = text.stdout.split('\n');
    expect(lines.filter((l) => l.includes('evidence.same-tpm'))).toHaveLength(1);
    // The check's text wraps at 80 columns under a hanging indent: read it back as one paragraph.
    const at = lines.findIndex((l) => l.includes('evidence.same-tpm'));
    const continuation = [];
    for (const l of lines.slice(at + 1)) {
      if (!/^ {6,}\S/.test(l)) break;
      continuation.push(l.trim());
    }
    const paragraph = [lines[at], ...continuation].join('\n');
    expect(paragraph.replace(/\n/g, ' ')).toMatch(
      /FAIL\s+evidence\.same-tpm\s+The evidence bundle is of another TPM: manufacturer NTC, 0x4e544300 \(Get-Tpm, Win32_Tpm, tpmtool getdeviceinformation\), this TPM IBM \(0x49424d00\); firmware version 7\.2\.3\.1 \(.*\), this TPM [\d.]+; EK public key hash [0-9a-f ]+ \(Get-TpmEndorsementKeyInfo\), this TPM [0-9a-f ]+\./,
    );
    // A hash longer than the column is cut across lines: checked again with the white space gone.
    expect(paragraph.replace(/\s+/g, '')).toMatch(
      /EKpublickeyhash4c1e8a2f[0-9a-f]+\(Get-TpmEndorsementKeyInfo\),thisTPM[0-9a-f]{64}\./,
    );
    expect(text.stdout).toMatch(/Gate: REFUSED/);

    // No acknowledgement waives a mismatch.
    const acknowledged = await runCli([...args, '--acknowledge', 'evidence.same-tpm,reason,approval'], {
      timeoutMs: 60_000,
    });
    expect(acknowledged.code).toBe(10);

    expect(await tpmState()).toBe(before);
    expect(await tpmState()).toContain(OWNER_KEY);
  }, 120_000);

  it('the same bundle made to describe this TPM (manufacturer, firmware, EK hash) passes the binding', async () => {
    const i = swtpm.get();
    const before = await tpmState();
    const status = JSON.parse((await runCli(['status', '--tpm', i.uri, '--json'])).stdout) as {
      identity: { manufacturer: { id: string; code: string }; firmwareVersion: string };
    };
    // The EK as tpm2-tools reads it, hashed as Windows does (PKCS#1 RSAPublicKey DER, SHA-256).
    const pem = temp.file('ek.pem');
    await tpm2(i, ['tpm2_readpublic', '-c', '0x81010001', '-f', 'pem', '-o', pem]);
    const ekHash = createHash('sha256')
      .update(createPublicKey(readFileSync(pem)).export({ type: 'pkcs1', format: 'der' }))
      .digest('hex');

    const bundle = otherDevicesBundle('this-device');
    const { id, code } = status.identity.manufacturer;
    const version = status.identity.firmwareVersion;
    for (const file of ['get-tpm.json', 'win32-tpm.json']) {
      const source = readJson(path.join(bundle, file));
      writeFileSync(
        path.join(bundle, file),
        JSON.stringify({
          ...source,
          ManufacturerId: Number.parseInt(code, 16),
          ManufacturerIdTxt: id,
          ManufacturerVersion: version,
          ManufacturerVersionFull20: version,
        }),
      );
    }
    // tpmtool's output as a Japanese Windows saves it (UTF-16LE, localised labels): the values change.
    const tpmtool = readFileSync(path.join(bundle, 'tpmtool.txt'), 'utf16le')
      .replace(/: NTC(?=\r?\n)/, `: ${id}`)
      .replace(/: 7\.2\.3\.1(?=\r?\n)/, `: ${version}`);
    writeFileSync(path.join(bundle, 'tpmtool.txt'), tpmtool, 'utf16le');
    const ek = readJson(path.join(bundle, 'ek-info.json'));
    writeFileSync(
      path.join(bundle, 'ek-info.json'),
      JSON.stringify({ ...ek, PublicKeyHash: ekHash.toUpperCase() }),
    );

    const r = await runCli(
      [
        'clear',
        '--tpm',
        i.uri,
        '--evidence',
        bundle,
        ...READY,
        '--dry-run',
        '--json',
        '--state-dir',
        temp.dir(),
      ],
      { timeoutMs: 60_000 },
    );
    const out = JSON.parse(r.stdout) as ClearJson;
    expect(r.code, JSON.stringify(out.gate.checks.filter((c) => c.status !== 'pass'))).toBe(0);
    expect(out.gate.checks[0]).toMatchObject({
      id: 'evidence.same-tpm',
      status: 'pass',
      message:
        'The evidence bundle is of this TPM: its manufacturer, firmware version, EK public key hash match.',
    });
    expect(out.gate.passed).toBe(true);
    expect(await tpmState()).toBe(before);
  }, 120_000);
});
