import { crc32, inflateRawSync } from 'node:zlib';

/**
 * Reads the files of a zip archive (PKWARE APPNOTE.TXT 6.3.10: the end of central directory
 * record §4.3.16, central directory headers §4.3.12, local headers §4.3.7), as Intune's report
 * exports come: a zip with the report inside. Stored (method 0) and deflated (method 8) entries;
 * no ZIP64, no encryption (a report export uses neither). Each entry's CRC-32 is checked, and
 * its uncompressed size is bounded by `maxBytes`, so a hostile archive cannot exhaust memory.
 */
export interface ZipEntry {
  name: string;
  data: Buffer;
}

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65,535. */
const EOCD_MAX_SEARCH = 22 + 0xffff;

export function readZipEntries(zip: Buffer, maxBytes: number): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  const offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw new ZipFormatError('a ZIP64 archive (not expected of a report export)');
  }
  if (offset + size > eocd) throw new ZipFormatError('the central directory lies outside the archive');
  const entries: ZipEntry[] = [];
  let at = offset;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw new ZipFormatError(`central directory entry ${i} is not where the directory says`);
    }
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const uncompressedSize = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    at += 46 + nameLength + extraLength + commentLength;
    if (flags & 0x1) throw new ZipFormatError(`${name}: encrypted`);
    if (name.endsWith('/')) continue;
    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) {
      throw new ZipFormatError(`${name}: no local header where the directory says`);
    }
    const dataStart =
      localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    if (dataStart + compressedSize > zip.length) throw new ZipFormatError(`${name}: cut off`);
    if (uncompressedSize > maxBytes - total) {
      throw new ZipFormatError(`${name}: ${uncompressedSize} bytes, more than the ${maxBytes} allowed`);
    }
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) {
      try {
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, uncompressedSize) });
      } catch (error) {
        throw new ZipFormatError(`${name}: does not inflate (${(error as Error).message})`);
      }
    } else throw new ZipFormatError(`${name}: compression method ${method} (only stored and deflate)`);
    if (data.length !== uncompressedSize || crc32(data) !== crc) {
      throw new ZipFormatError(`${name}: its size or CRC-32 does not match the directory`);
    }
    total += data.length;
    entries.push({ name, data });
  }
  return entries;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - EOCD_MAX_SEARCH);
  for (let at = zip.length - 22; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === EOCD_SIGNATURE) return at;
  }
  throw new ZipFormatError('not a zip archive (no end of central directory record)');
}
