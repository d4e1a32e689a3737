import { matchFirmware } from '../../data/firmware-vulnerabilities.js';
import type { Evidence, Finding } from '../../finding.js';
import type { Rule } from '../../rule.js';
import { firmwareVersion, SOURCE, tpmVendor } from './support.js';

/**
 * tpm.firmware-vulnerable: the TPM's vendor and firmware version fall in a published vulnerable
 * range (src/diagnose/data/firmware-vulnerabilities.ts: ROCA, TPM-Fail, CVE-2023-1017/1018,
 * TCG-VRT0009, ...), or Windows itself says so (tpmtool "TPM Has Vulnerable Firmware: True";
 * Autopilot then fails with 0x81039024). The fix is a firmware update from the PC maker. A clear
 * before the update is wrong: the vulnerable firmware would generate the new keys too. After an
 * update that fixes weak key generation (ROCA), a clear IS needed to regenerate the keys.
 */
export const firmwareVulnerable: Rule = {
  ids: ['tpm.firmware-vulnerable'],
  evaluate(snapshot) {
    const evidence: Evidence[] = [];
    const vendor = tpmVendor(snapshot);
    const version = firmwareVersion(snapshot);
    const matches = vendor && version ? matchFirmware(vendor.value, version.value) : [];
    const windowsSays = snapshot.windows?.tpmtool?.hasVulnerableFirmware === true;
    if (matches.length === 0 && !windowsSays) return [];
    if (vendor) evidence.push(vendor.evidence);
    if (version) evidence.push(version.evidence);
    for (const { vulnerability, range } of matches) {
      evidence.push({
        source: 'tpm-doctor firmware data',
        field: vulnerability.key,
        value: `${[...vulnerability.cves, vulnerability.key].filter((x, i, a) => a.indexOf(x) === i).join(', ')}: affected ${range.min === range.max ? range.min : `${range.min}-${range.max}`}, fixed in ${range.fixed}`,
      });
    }
    if (windowsSays)
      evidence.push({ source: SOURCE.tpmtool, field: 'TPM Has Vulnerable Firmware', value: true });

    const regenerate = matches.some((m) => m.vulnerability.regenerateKeysAfterUpdate);
    const fixed = matches.map((m) => m.range.fixed);
    const titles = matches.map((m) => m.vulnerability.title);
    const action = [
      `Update the TPM firmware with the PC maker's TPM or BIOS update${fixed.length > 0 ? ` (fixed in ${[...new Set(fixed)].join(', ')})` : ''}: suspend BitLocker first and follow the maker's instructions.`,
      regenerate
        ? 'Keys the vulnerable firmware generated stay weak after the update, so afterwards clear the TPM through the gated procedure to regenerate them (BitLocker, Windows Hello, device keys), as the advisory requires. Not before: the old firmware would generate weak keys again.'
        : 'Do not clear the TPM for this: the update is the fix.',
    ].join(' ');
    return [
      {
        id: 'tpm.firmware-vulnerable',
        severity: 'error',
        title:
          matches.length > 0
            ? `Vulnerable TPM firmware: ${titles.join('; ')}`
            : 'Windows reports vulnerable TPM firmware',
        why: 'Keys protected by a TPM with known-vulnerable firmware can be extracted or forged (weak RSA keys, timing leaks, memory corruption), so BitLocker, Windows Hello and the device identity are weaker than they appear; Windows Autopilot refuses attestation on vulnerable TPMs (0x81039024) and compliance that relies on attestation fails.',
        impacts: ['security', 'attestation', 'compliance', 'bitlocker', 'windows-hello'],
        evidence,
        remedy: { step: 'update', action, destroysKeys: false },
        blocksClear:
          'The TPM firmware is vulnerable and not yet updated: keys generated after a clear would come from the same vulnerable firmware. Update first.',
        references: [
          ...new Set(matches.flatMap((m) => m.vulnerability.advisories)),
          'https://learn.microsoft.com/autopilot/known-issues',
        ],
      } satisfies Finding,
    ];
  },
};
