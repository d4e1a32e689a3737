import { EN_FINDINGS } from '../../../text/messages/en-findings.js';
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
  evaluate(snapshot, texts = EN_FINDINGS) {
    const t = texts['tpm.firmware-vulnerable'];
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
    const update = t.actionUpdate({ fixedIn: fixed.length > 0 ? [...new Set(fixed)].join(', ') : null });
    const action = regenerate ? t.actionRegenerate({ update }) : t.actionNoClear({ update });
    return [
      {
        id: 'tpm.firmware-vulnerable',
        severity: 'error',
        title: matches.length > 0 ? t.titleKnown({ titles: titles.join('; ') }) : t.titleWindows,
        why: t.why,
        impacts: ['security', 'attestation', 'compliance', 'bitlocker', 'windows-hello'],
        evidence,
        remedy: { step: 'update', action, destroysKeys: false },
        blocksClear: t.blocksClear,
        references: [
          ...new Set(matches.flatMap((m) => m.vulnerability.advisories)),
          'https://learn.microsoft.com/autopilot/known-issues',
        ],
      } satisfies Finding,
    ];
  },
};
