// Types of scripts/intunewin.mjs for the tests that use it (test/exe/intunewin.test.ts).
export interface EncryptionKeys {
  encryptionKey: Buffer;
  macKey: Buffer;
  iv: Buffer;
}
export function zip(entries: { name: string; data: Buffer }[]): Buffer;
export function encryptContent(
  plain: Buffer,
  keys?: EncryptionKeys,
): { encrypted: Buffer; info: EncryptionKeys & { mac: Buffer; fileDigest: Buffer } };
export function detectionXml(options: {
  setupFile: string;
  unencryptedSize: number;
  info: EncryptionKeys & { mac: Buffer; fileDigest: Buffer };
}): string;
export function buildIntunewin(options: { sourceDir: string; setupFile: string; output: string }): string;
