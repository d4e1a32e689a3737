/**
 * Gate check 6, what will be lost (docs/clear.md, the preflight gate): a clear deletes the keys, so Windows Hello and
 * TPM-bound certificates stop working and must be set up again.
 * - TPM2_Clear evicts every persistent object of the owner and endorsement hierarchies and
 *   undefines every NV index without TPMA_NV_PLATFORMCREATE (TCG TPM 2.0 Part 3 §24.6); platform
 *   objects and indices survive. The EK is recreated identically from the unchanged EPS.
 * - Windows: Windows Hello keys (dsregcmd NgcSet YES), the Entra device key when TPM-protected
 *   (dsregcmd TpmProtected YES), TPM-bound certificates (Microsoft Platform Crypto Provider) and
 *   virtual smart cards (https://learn.microsoft.com/entra/identity/devices/troubleshoot-device-dsregcmd).
 * 'pass' when the TPM's persistent objects and NV indices were read (also when both lists are
 * empty): it is information, returned for the journal and the typed confirmation. 'unknown' when
 * they could not be listed (the TPM not read, or either section failed), so nobody confirms a
 * loss they were never shown unless they acknowledge it.
 */

import type { Snapshot } from '../../snapshot/snapshot.js';
import { check, type Evidence, FLAGS, listWords, type PreflightInput, TPM_PROTECTORS } from './facts.js';
import type { GateCheck, LossInventory } from './gate.js';

/** Certificates and virtual smart cards: no evidence source reads them yet. */
const CERTIFICATES_UNKNOWN =
  'TPM-backed certificates and virtual smart cards: unknown: check certmgr for the Microsoft Platform Crypto Provider (certutil -csp "Microsoft Platform Crypto Provider" -key lists its keys)';

export function checkInventory({ snapshot, ui }: PreflightInput): {
  check: GateCheck;
  inventory: LossInventory;
} {
  const status = snapshot.tpm;
  const evidence: Evidence[] = [];
  const persistentObjects = (status?.persistentObjects ?? [])
    .filter((o) => o.hierarchy !== 'platform')
    .map((o) => {
      const note = o.hierarchy === 'endorsement' ? ui['inventory.recreated'] : '';
      const where = ui[`inventory.hierarchy.${o.hierarchy}`];
      return `${o.handle} ${o.purpose} [${where}]${note}`;
    });
  const nonPlatformNvIndices = (status?.nvIndices ?? [])
    .filter((n) => !n.platformCreated)
    .map((n) => `${n.index} ${n.purpose} ${ui['inventory.nv-size']({ bytes: n.size })}`);
  if (status) {
    evidence.push(
      { source: 'tpm', field: 'persistentObjects', value: status.persistentObjects?.length ?? null },
      { source: 'tpm', field: 'nvIndices', value: status.nvIndices?.length ?? null },
    );
    if (status.persistentObjects === null)
      persistentObjects.push('unknown: the persistent objects could not be read');
    if (status.nvIndices === null) nonPlatformNvIndices.push('unknown: the NV indices could not be read');
  } else {
    persistentObjects.push('unknown: the TPM was not read directly (give --tpm to list them)');
    nonPlatformNvIndices.push('unknown: the TPM was not read directly (give --tpm to list them)');
  }

  const windows: string[] = [];
  const w = snapshot.windows;
  if (w !== null) {
    const ds = w.dsregcmd;
    if (ds?.ngcSet === true)
      windows.push('Windows Hello PIN and keys (dsregcmd NgcSet YES): set the PIN up again after the clear');
    else if (ds === null || ds.ngcSet === null)
      windows.push('Windows Hello: unknown (dsregcmd /status not collected in the user context)');
    if (ds?.tpmProtected === true) {
      windows.push(
        'Entra ID device key (dsregcmd TpmProtected YES): the device re-registers at the next sign-in',
      );
    }
    for (const v of w.bitlocker ?? []) {
      for (const p of v.keyProtectors.filter((k) => TPM_PROTECTORS.has(k.type))) {
        windows.push(
          `BitLocker ${p.type} protector {${p.id}} on ${v.mountPoint} (Windows re-adds it when it re-provisions the TPM)`,
        );
      }
    }
    windows.push(CERTIFICATES_UNKNOWN);
    evidence.push(
      { source: 'dsregcmd', field: 'NgcSet', value: ds?.ngcSet ?? null },
      { source: 'dsregcmd', field: 'TpmProtected', value: ds?.tpmProtected ?? null },
    );
  }

  const unlisted = unlistedReasons(snapshot);
  if (unlisted.length > 0) {
    evidence.push(
      ...(status?.errors ?? [])
        .filter((e) => e.section === 'persistentObjects' || e.section === 'nvIndices')
        .map((e) => ({ source: 'tpm', field: `errors.${e.section}`, value: `${e.code}: ${e.message}` })),
    );
    return {
      check: check(
        'inventory',
        'unknown',
        `What the clear will destroy could not be listed: ${listWords(unlisted)}. ${
          status
            ? 'Run the read again (tpm-doctor status shows why the section failed)'
            : 'Run tpm-doctor clear on the device itself, or give --tpm, so the TPM is read'
        }; or, if you accept destroying what was not listed, acknowledge with ${FLAGS.acknowledge('inventory')}.`,
        evidence,
      ),
      inventory: { persistentObjects, nonPlatformNvIndices, windows },
    };
  }

  return {
    check: check(
      'inventory',
      'pass',
      ui['gate.check.inventory.pass']({
        persistent: status?.persistentObjects ? persistentObjects.length : null,
        nv: status?.nvIndices ? nonPlatformNvIndices.length : null,
        windows: w !== null ? windows.length : null,
      }),
      evidence,
    ),
    inventory: { persistentObjects, nonPlatformNvIndices, windows },
  };
}

/** Why the TPM's part of the inventory could not be listed; empty when both lists were read. */
function unlistedReasons(snapshot: Snapshot): string[] {
  const status = snapshot.tpm;
  if (status === null) return ['the TPM was not read directly (only Windows evidence was given)'];
  const why = (section: 'persistentObjects' | 'nvIndices', what: string) => {
    const error = status.errors.find((e) => e.section === section);
    return `${what} could not be read${error ? ` (${error.code}: ${error.message})` : ''}`;
  };
  return [
    ...(status.persistentObjects === null ? [why('persistentObjects', 'the persistent objects')] : []),
    ...(status.nvIndices === null ? [why('nvIndices', 'the NV indices')] : []),
  ];
}
