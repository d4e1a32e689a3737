/**
 * Win32_Tpm::IsReadyInformation bits (Microsoft Learn, "Win32_Tpm::IsReadyInformation method": the
 * bits say what is still needed to fully provision the TPM) and, for diagnosis, which rung of the
 * remedy ladder each one calls for. Names and meanings come from the parser's table
 * (src/snapshot/is-ready-flags.ts), so both read the bits the same way.
 *
 * - restart: Windows provisions the TPM at boot and from the Tpm-Maintenance task, so a restart is
 *   the first thing to try;
 * - reconfigure: the TPM is switched off in firmware (0x20), or Group Policy tells Windows to keep
 *   no owner authorisation (0x20000), which no restart or clear changes;
 * - clear: Windows' record of the storage hierarchy no longer matches the TPM (SRK or owner
 *   authorisation): no restart or update fixes that, only a clear lets Windows provision afresh
 *   (tpm.msc "ready for use, with reduced functionality", information 0x900);
 * - informational: describes state rather than a need (or a pre-1607 AD backup phase).
 */
import { IS_READY_FLAGS } from '../../../snapshot/is-ready-flags.js';

type IsReadyRemedy = 'restart' | 'reconfigure' | 'clear' | 'informational';

export interface IsReadyBit {
  mask: number;
  /** Microsoft's constant name (INFORMATION_TPM_SRKPUB). */
  name: string;
  /** The parser's stable flag name (srkPubMismatch), as in IsReadyInfo.flags. */
  flag: string;
  meaning: string;
  remedy: IsReadyRemedy;
}

/** The rung each documented bit calls for; bits not listed (and undocumented bits) call for a restart. */
const REMEDY_BY_BIT: Readonly<Record<number, IsReadyRemedy>> = {
  8: 'clear', // TPM_FORCE_CLEAR: owned, clear or import the owner authorisation
  32: 'reconfigure', // TPM disabled or deactivated in firmware
  64: 'informational', // ownership taken
  128: 'informational', // an EK exists
  256: 'clear', // owner authorisation not properly stored in the registry
  512: 'clear', // SRK authorisation not all zeros: the SRK is someone else's
  2048: 'clear', // the registry's SRK public key does not match the TPM's SRK
  16384: 'informational', // not backed up to AD (not done since Windows 10 1607)
  32768: 'informational', // AD backup phase I in progress
  65536: 'informational', // AD backup phase II in progress
  131072: 'reconfigure', // Group Policy: store no owner authorisation
};

/** The bits set in `information`, decoded; an undocumented bit is kept as UNKNOWN_0x... (restart). */
export function decodeIsReady(information: number): IsReadyBit[] {
  const v = information >>> 0;
  const out: IsReadyBit[] = [];
  for (let i = 0; i < 32; i++) {
    const mask = 2 ** i;
    if (Math.floor(v / mask) % 2 !== 1) continue;
    const known = IS_READY_FLAGS.find((f) => f.bit === mask);
    const hex = `0x${mask.toString(16).padStart(8, '0')}`;
    out.push({
      mask,
      name: known?.constant ?? `UNKNOWN_${hex}`,
      flag: known?.name ?? `unknownBit${hex}`,
      meaning: known?.description ?? 'An Information bit Microsoft does not document.',
      remedy: REMEDY_BY_BIT[mask] ?? 'restart',
    });
  }
  return out;
}

/** The bits whose fix is a clear (tpm.reduced-functionality). */
export const CLEAR_BITS = Object.entries(REMEDY_BY_BIT)
  .filter(([, remedy]) => remedy === 'clear')
  .reduce((m, [bit]) => m | Number(bit), 0);
