// A Win32 app package for Intune (.intunewin), in the format Microsoft's Win32 Content Prep Tool
// (IntuneWinAppUtil.exe) writes (docs/deploy-windows.md):
//   a ZIP holding IntuneWinPackage/Metadata/Detection.xml and
//   IntuneWinPackage/Contents/IntunePackage.intunewin, which is the source folder as a ZIP,
//   encrypted: HMAC-SHA256 (32 bytes) || IV (16 bytes) || AES-256-CBC ciphertext (PKCS#7 padding),
//   the HMAC taken with its own key over IV || ciphertext. Detection.xml carries both keys, the IV,
//   the HMAC and the SHA-256 of the unencrypted ZIP; Intune reads them when the app is uploaded
//   (Graph: mobileAppContentFile commit, fileEncryptionInfo).
import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/** The Content Prep Tool's version whose output this reproduces (Detection.xml's ToolVersion). */
const TOOL_VERSION = '1.8.6.0';

/** Every file under dir, as ZIP names (forward slashes), sorted so a package is reproducible. */
function filesUnder(dir, prefix = '') {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const name = `${prefix}${entry.name}`;
      if (entry.isDirectory()) return filesUnder(path.join(dir, entry.name), `${name}/`);
      if (!entry.isFile())
        throw new Error(`intunewin: ${path.join(dir, entry.name)} is neither a file nor a folder`);
      return [name];
    });
}

/** MS-DOS date and time of a ZIP entry (APPNOTE.TXT 4.4.6); fixed, so a package is reproducible. */
const DOS_TIME = 0;
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

/**
 * A ZIP archive (PKWARE APPNOTE.TXT: local headers, central directory, end record), each entry
 * deflated. Names are UTF-8 (general purpose bit 11). No ZIP64: entries stay under 4 GiB.
 */
export function zip(entries) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = deflateRawSync(data);
    const crc = crc32(data);
    if (data.length >= 0xffffffff || offset >= 0xffffffff)
      throw new Error('intunewin: ZIP64 is not supported');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBytes, compressed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(DOS_TIME, 12);
    entry.writeUInt16LE(DOS_DATE, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(compressed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The encrypted content: HMAC || IV || AES-256-CBC(plain), and what Detection.xml records. */
export function encryptContent(
  plain,
  keys = { encryptionKey: randomBytes(32), macKey: randomBytes(32), iv: randomBytes(16) },
) {
  const cipher = createCipheriv('aes-256-cbc', keys.encryptionKey, keys.iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  const mac = createHmac('sha256', keys.macKey).update(keys.iv).update(ciphertext).digest();
  return {
    encrypted: Buffer.concat([mac, keys.iv, ciphertext]),
    info: { ...keys, mac, fileDigest: createHash('sha256').update(plain).digest() },
  };
}

function xmlText(s) {
  return String(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function detectionXml({ setupFile, unencryptedSize, info }) {
  const b64 = (b) => b.toString('base64');
  return `<ApplicationInfo xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ToolVersion="${TOOL_VERSION}">
  <Name>${xmlText(setupFile)}</Name>
  <UnencryptedContentSize>${unencryptedSize}</UnencryptedContentSize>
  <FileName>IntunePackage.intunewin</FileName>
  <SetupFile>${xmlText(setupFile)}</SetupFile>
  <EncryptionInfo>
    <EncryptionKey>${b64(info.encryptionKey)}</EncryptionKey>
    <MacKey>${b64(info.macKey)}</MacKey>
    <InitializationVector>${b64(info.iv)}</InitializationVector>
    <Mac>${b64(info.mac)}</Mac>
    <ProfileIdentifier>ProfileVersion1</ProfileIdentifier>
    <FileDigest>${b64(info.fileDigest)}</FileDigest>
    <FileDigestAlgorithm>SHA256</FileDigestAlgorithm>
  </EncryptionInfo>
</ApplicationInfo>
`;
}

/**
 * Packages sourceDir (every file in it, at the root of the package) with setupFile as the setup
 * file the content prep tool would be given, into output. Returns the Detection.xml text.
 */
export function buildIntunewin({ sourceDir, setupFile, output }) {
  const names = filesUnder(sourceDir);
  if (!names.includes(setupFile))
    throw new Error(`intunewin: the setup file ${setupFile} is not in ${sourceDir}`);
  const inner = zip(
    names.map((name) => ({ name, data: readFileSync(path.join(sourceDir, ...name.split('/'))) })),
  );
  const { encrypted, info } = encryptContent(inner);
  const detection = detectionXml({ setupFile, unencryptedSize: inner.length, info });
  writeFileSync(
    output,
    zip([
      { name: 'IntuneWinPackage/Contents/IntunePackage.intunewin', data: encrypted },
      { name: 'IntuneWinPackage/Metadata/Detection.xml', data: Buffer.from(detection, 'utf8') },
    ]),
  );
  if (statSync(output).size === 0) throw new Error(`intunewin: ${output} is empty`);
  return detection;
}
