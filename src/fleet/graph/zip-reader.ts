import { crc32, createInflateRaw } from 'node:zlib';

/**
 * Reads the files of a zip archive (PKWARE APPNOTE.TXT 6.3.10: the end of central directory
 * record §4.3.16, central directory headers §4.3.12, local headers §4.3.7), as Intune's report
 * exports come: a zip with the report inside. Stored (method 0) and deflated (method 8) entries;
 * no ZIP64, no encryption (a report export uses neither). Each entry's CRC-32 is checked, and
 * its uncompressed size is bounded by `maxBytes`; an entry is inflated piece by piece into its
 * reader (the report's CSV into csv-table.ts), never held whole, so a hostile archive cannot
 * exhaust memory.
 */

export class ZipFormatError extends Error {
  override readonly name = 'ZipFormatError';
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65,535. */
const EOCD_MAX_SEARCH = 22 + 0xffff;

/** An entry as the central directory describes it, its bounds checked against the archive. */
export interface ZipEntryInfo {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Where its data starts in the archive. */
  dataStart: number;
}

/**
 * The archive's files (folders left out), each within the archive, none encrypted, their declared
 * sizes together at most `maxBytes`.
 */
export function zipEntries(zip: Buffer, maxBytes: number): ZipEntryInfo[] {
  const eocd = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  const offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    throw new ZipFormatError('a ZIP64 archive (not expected of a report export)');
  }
  if (offset + size > eocd) throw new ZipFormatError('the central directory lies outside the archive');
  const entries: ZipEntryInfo[] = [];
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
    if (method !== 0 && method !== 8) {
      throw new ZipFormatError(`${name}: compression method ${method} (only stored and deflate)`);
    }
    total += uncompressedSize;
    entries.push({ name, method, crc, compressedSize, uncompressedSize, dataStart });
  }
  return entries;
}

/** Stored entries are handed on in pieces of this size, as the inflater hands on deflated ones. */
const CHUNK_BYTES = 64 * 1024;

/**
 * An entry's bytes, handed to `onChunk` piece by piece as they are inflated, never held whole:
 * more bytes than the directory declares stop the inflater at once, and the size and CRC-32 are
 * checked at the end, so what `onChunk` received counts only once this resolves. An error thrown
 * by `onChunk` stops the entry and propagates as it is.
 */
export async function inflateZipEntry(
  zip: Buffer,
  entry: ZipEntryInfo,
  onChunk: (chunk: Buffer) => void,
): Promise<void> {
  const raw = zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  let size = 0;
  let crc = 0;
  const take = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > entry.uncompressedSize) {
      throw new ZipFormatError(`${entry.name}: its size or CRC-32 does not match the directory`);
    }
    crc = crc32(chunk, crc);
    onChunk(chunk);
  };
  if (entry.method === 0) {
    for (let at = 0; at < raw.length; at += CHUNK_BYTES) take(raw.subarray(at, at + CHUNK_BYTES));
  } else {
    const inflater = createInflateRaw({ chunkSize: CHUNK_BYTES });
    inflater.end(raw);
    let taking = false;
    try {
      for await (const chunk of inflater as AsyncIterable<Buffer>) {
        taking = true;
        take(chunk);
        taking = false;
      }
    } catch (error) {
      if (taking) throw error;
      throw new ZipFormatError(`${entry.name}: does not inflate (${(error as Error).message})`);
    } finally {
      inflater.destroy();
    }
  }
  if (size !== entry.uncompressedSize || crc !== entry.crc) {
    throw new ZipFormatError(`${entry.name}: its size or CRC-32 does not match the directory`);
  }
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const lowest = Math.max(0, zip.length - EOCD_MAX_SEARCH);
  for (let at = zip.length - 22; at >= lowest; at--) {
    if (zip.readUInt32LE(at) === EOCD_SIGNATURE) return at;
  }
  throw new ZipFormatError('not a zip archive (no end of central directory record)');
}
