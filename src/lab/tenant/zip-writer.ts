import { zipSync } from 'fflate';

/**
 * A zip archive of one deflated file, as the lab's report exports are served: Intune's come as a
 * zip with the report inside. Written by fflate, a maintained zip implementation, so the client's
 * own reader (src/fleet/graph/zip-reader.ts) is tested against archives it did not write.
 */
export function zipOneFile(name: string, content: Buffer, modified: Date): Buffer {
  return Buffer.from(zipSync({ [name]: [new Uint8Array(content), { level: 6, mtime: modified }] }));
}
