/**
 * The Intune Win32 app package (scripts/intunewin.mjs, docs/deploy-windows.md), read back with
 * independent tools: `unzip` for both ZIPs and the `openssl` command line for the HMAC and the
 * AES-256-CBC decryption, as Intune does with the keys in Detection.xml.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIntunewin } from '../../scripts/intunewin.mjs';
import { ROOT } from '../cli/cli-support.js';
import { child, readXml, textAt } from '../support/read-xml.js';
import { EXE_DIR, useBuiltExecutables, WINDOWS_EXE } from './exe-support.js';

useBuiltExecutables();
const scratch = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-intunewin-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tool(file: string, args: string[], cwd?: string): Buffer {
  try {
    return execFileSync(file, args, { cwd, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error(`${file} is missing: apt-get install unzip openssl`);
    throw new Error(`${file} ${args.join(' ')} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

/** Every file under dir, relative, with its bytes. */
function filesOf(dir: string, prefix = ''): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory())
      for (const [k, v] of filesOf(path.join(dir, entry.name), `${rel}/`)) files.set(k, v);
    else files.set(rel, readFileSync(path.join(dir, entry.name)));
  }
  return files;
}

/** Opens a package as Intune does and returns the files it carries. */
function openPackage(packageFile: string, work: string) {
  const outer = path.join(work, 'outer');
  mkdirSync(outer, { recursive: true });
  tool('unzip', ['-q', packageFile, '-d', outer]);
  expect([...filesOf(outer).keys()].sort()).toEqual([
    'IntuneWinPackage/Contents/IntunePackage.intunewin',
    'IntuneWinPackage/Metadata/Detection.xml',
  ]);
  const info = readXml(readFileSync(path.join(outer, 'IntuneWinPackage/Metadata/Detection.xml'), 'utf8'));
  const encryption = child(info, 'EncryptionInfo');
  const b64 = (name: string) => Buffer.from(textAt(encryption, name), 'base64');
  const content = readFileSync(path.join(outer, 'IntuneWinPackage/Contents/IntunePackage.intunewin'));
  const [mac, iv, ciphertext] = [content.subarray(0, 32), content.subarray(32, 48), content.subarray(48)];
  expect(mac.equals(b64('Mac'))).toBe(true);
  expect(iv.equals(b64('InitializationVector'))).toBe(true);
  expect(textAt(encryption, 'ProfileIdentifier')).toBe('ProfileVersion1');
  expect(textAt(encryption, 'FileDigestAlgorithm')).toBe('SHA256');
  expect(textAt(info, 'FileName')).toBe('IntunePackage.intunewin');

  // HMAC-SHA256 over IV || ciphertext with MacKey, by openssl.
  const signed = path.join(work, 'signed.bin');
  writeFileSync(signed, content.subarray(32));
  const hmac = tool('openssl', [
    'dgst',
    '-sha256',
    '-mac',
    'HMAC',
    '-macopt',
    `hexkey:${b64('MacKey').toString('hex')}`,
    '-binary',
    signed,
  ]);
  expect(hmac.toString('hex')).toBe(mac.toString('hex'));

  // AES-256-CBC with EncryptionKey and the IV, by openssl; then the inner ZIP by unzip.
  const encrypted = path.join(work, 'ciphertext.bin');
  const innerZip = path.join(work, 'inner.zip');
  writeFileSync(encrypted, ciphertext);
  tool('openssl', [
    'enc',
    '-d',
    '-aes-256-cbc',
    '-K',
    b64('EncryptionKey').toString('hex'),
    '-iv',
    iv.toString('hex'),
    '-in',
    encrypted,
    '-out',
    innerZip,
  ]);
  const plain = readFileSync(innerZip);
  expect(plain.length).toBe(Number(textAt(info, 'UnencryptedContentSize')));
  expect(tool('openssl', ['dgst', '-sha256', '-binary', innerZip]).toString('hex')).toBe(
    b64('FileDigest').toString('hex'),
  );
  const inner = path.join(work, 'inner');
  mkdirSync(inner);
  tool('unzip', ['-q', innerZip, '-d', inner]);
  return { info, files: filesOf(inner) };
}

describe('.intunewin', () => {
  // Names are ASCII: the package writes UTF-8 names with the ZIP flag for them (APPNOTE 4.4.4 bit
  // 11), which Windows reads, but Debian's unzip ignores that flag and would mangle them.
  it('decrypts back, with openssl and unzip, to the same files (folders, spaces, an empty file)', () => {
    const source = path.join(scratch, 'source');
    mkdirSync(path.join(source, 'sub folder'), { recursive: true });
    const files = new Map<string, Buffer>([
      ['install.ps1', Buffer.from("Write-Output 'install'\r\n")],
      ['empty.txt', Buffer.alloc(0)],
      ['sub folder/data.bin', Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251))],
      ['sub folder/read me.txt', Buffer.from('a name with a space\n')],
      // 15 bytes short of a block, a whole block: both ends of the PKCS#7 padding.
      ['odd.bin', Buffer.alloc(17, 1)],
      ['block.bin', Buffer.alloc(16, 2)],
    ]);
    for (const [name, data] of files) writeFileSync(path.join(source, ...name.split('/')), data);
    const output = path.join(scratch, 'test.intunewin');
    buildIntunewin({ sourceDir: source, setupFile: 'install.ps1', output });
    const opened = openPackage(output, path.join(scratch, 'open-test'));
    expect([...opened.files.keys()].sort()).toEqual([...files.keys()].sort());
    for (const [name, data] of files) expect(opened.files.get(name)?.equals(data), name).toBe(true);
    expect(textAt(opened.info, 'SetupFile')).toBe('install.ps1');
    expect(textAt(opened.info, 'Name')).toBe('install.ps1');
  });

  it('uses fresh keys and IV for every package', () => {
    const source = path.join(scratch, 'twice');
    mkdirSync(source);
    writeFileSync(path.join(source, 'install.ps1'), 'x');
    const keys = [1, 2].map((n) => {
      const output = path.join(scratch, `twice-${n}.intunewin`);
      const xml = readXml(buildIntunewin({ sourceDir: source, setupFile: 'install.ps1', output }));
      const encryption = child(xml, 'EncryptionInfo');
      return ['EncryptionKey', 'MacKey', 'InitializationVector'].map((name) => textAt(encryption, name));
    });
    for (let i = 0; i < 3; i++) expect(keys[0]![i]).not.toBe(keys[1]![i]);
  });

  it('refuses a setup file that is not in the folder', () => {
    const source = path.join(scratch, 'no-setup');
    mkdirSync(source);
    writeFileSync(path.join(source, 'other.ps1'), 'x');
    expect(() =>
      buildIntunewin({
        sourceDir: source,
        setupFile: 'install.ps1',
        output: path.join(scratch, 'x.intunewin'),
      }),
    ).toThrow(/setup file install.ps1 is not in/);
  });

  it('npm run build:intunewin packages tpm-doctor.exe with the install scripts, and a detection script for this version', async () => {
    await new Promise<void>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(ROOT, 'scripts', 'build-intunewin.mjs')],
        { cwd: ROOT, timeout: 300_000 },
        (err, _o, stderr) => (err ? reject(new Error(stderr)) : resolve()),
      ),
    );
    const { files, info } = openPackage(
      path.join(EXE_DIR, 'tpm-doctor.intunewin'),
      path.join(scratch, 'open-real'),
    );
    expect([...files.keys()].sort()).toEqual(['install.ps1', 'tpm-doctor.exe', 'uninstall.ps1']);
    // Buffer.equals: a deep comparison of 70 MB element by element would take minutes.
    expect(files.get('tpm-doctor.exe')?.equals(readFileSync(WINDOWS_EXE))).toBe(true);
    expect(textAt(info, 'SetupFile')).toBe('install.ps1');
    for (const [name, text] of [...files].filter(([n]) => n.endsWith('.ps1'))) {
      expect(/[^\t\r\n\x20-\x7e]/.test(text.toString('latin1')), `${name} is ASCII`).toBe(false);
    }
    const install = files.get('install.ps1')!.toString('ascii');
    expect(install).toContain("'*S-1-5-18:(OI)(CI)F' '*S-1-5-32-544:(OI)(CI)F' '*S-1-5-32-545:(OI)(CI)RX'");
    expect(install).toContain('/inheritance:r');
    const detect = readFileSync(path.join(EXE_DIR, 'detect.ps1'), 'ascii');
    expect(detect).toContain("$expected = 'tpm-doctor 0.1.0'");
    expect(detect).not.toContain('__VERSION__');
  }, 600_000);
});
