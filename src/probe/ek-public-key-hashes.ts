import type { PersistentObject } from '../snapshot/tpm-status.js';
import { ReadPublic } from '../tpm/commands/object.js';
import { identifyEkTemplate } from '../tpm/ek/templates.js';
import { windowsEkPublicKeyHash } from '../tpm/ek/windows-ek-hash.js';
import { TpmError } from '../tpm/rc/tpm-error.js';
import type { Tpm } from '../tpm/tpm.js';

/**
 * The Windows-style public key hash (src/tpm/ek/windows-ek-hash.ts) of every RSA EK persisted in
 * the TPM: the persistent objects the status probe listed, read again with TPM2_ReadPublic
 * (Part 3 §12.4, read-only), kept when their public area is one of the EK Credential Profile's
 * templates (src/tpm/ek/templates.ts), wherever they are persisted. `clear --evidence` compares them with
 * the bundle's Get-TpmEndorsementKeyInfo PublicKeyHash. Null when one could not be read: the
 * comparison is then unknown rather than a mismatch.
 */
export async function readEkPublicKeyHashes(
  tpm: Tpm,
  persistent: readonly PersistentObject[],
): Promise<string[] | null> {
  const hashes: string[] = [];
  for (const object of persistent) {
    if (object.error) continue;
    try {
      const { outPublic } = await tpm.run(ReadPublic, { objectHandle: Number.parseInt(object.handle, 16) });
      const hash = identifyEkTemplate(outPublic) ? windowsEkPublicKeyHash(outPublic) : null;
      if (hash !== null) hashes.push(hash);
    } catch (e) {
      if (e instanceof TpmError) return null;
      throw e;
    }
  }
  return hashes;
}
