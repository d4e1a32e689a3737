/** The firmware vulnerability data and its version matching (src/diagnose/data/firmware-vulnerabilities.ts). */
import { describe, expect, it } from 'vitest';
import {
  FIRMWARE_VULNERABILITIES,
  inRange,
  matchFirmware,
  parseVersion,
} from '../../../src/diagnose/data/firmware-vulnerabilities.js';
import { TPM_VENDORS } from '../../../src/tpm/constants/manufacturers.js';

const keys = (vendor: string, version: string) =>
  matchFirmware(vendor, version).map((m) => m.vulnerability.key);

describe('firmware vulnerability data', () => {
  it('every entry is well-formed: known vendor, CVE syntax, https advisories, ranges with min <= max and fixed > max', () => {
    const vendorIds = new Set(Object.values(TPM_VENDORS).map((v) => v.id));
    const seen = new Set<string>();
    for (const v of FIRMWARE_VULNERABILITIES) {
      expect(seen.has(v.key), v.key).toBe(false);
      seen.add(v.key);
      expect(vendorIds.has(v.vendor as never), v.key).toBe(true);
      for (const cve of v.cves) expect(cve).toMatch(/^CVE-\d{4}-\d{4,}$/);
      expect(v.advisories.length).toBeGreaterThan(0);
      for (const url of v.advisories) expect(url).toMatch(/^https:\/\//);
      if (v.affected.kind !== 'ranges') continue;
      for (const r of v.affected.ranges) {
        const [min, max, fixed] = [parseVersion(r.min), parseVersion(r.max), parseVersion(r.fixed)];
        expect(min && max && fixed, `${v.key} ${r.min}`).toBeTruthy();
        expect(min!.length).toBe(max!.length);
        expect(inRange(r.min, r)).toBe(true);
        expect(inRange(r.max, r)).toBe(true);
        expect(inRange(r.fixed, r), `${v.key}: fixed ${r.fixed} inside its own range`).toBe(false);
      }
    }
  });

  it('ROCA (Infineon): the published ranges and their edges', () => {
    expect(keys('IFX', '7.61.2785.0')).toEqual(['ROCA']);
    expect(keys('IFX', '7.62.3126.0')).toEqual([]);
    expect(keys('IFX', '4.33')).toEqual(['ROCA']);
    expect(keys('IFX', '4.34')).toEqual([]);
    expect(keys('IFX', '4.40')).toEqual(['ROCA']);
    expect(keys('IFX', '4.42')).toEqual(['ROCA']);
    expect(keys('IFX', '4.43')).toEqual([]);
    expect(keys('IFX', '5.61')).toEqual(['ROCA']);
    expect(keys('IFX', '6.43')).toEqual([]);
    expect(keys('IFX', '133.32.0.0')).toEqual(['ROCA']);
    expect(keys('IFX', '133.33')).toEqual([]);
    expect(matchFirmware('IFX', '7.40')[0]?.vulnerability.regenerateKeysAfterUpdate).toBe(true);
  });

  it('ROCA versions on another vendor do not match', () => {
    expect(keys('NTC', '7.61.0.0')).toEqual([]);
    expect(keys('INTC', '7.2.0.0')).toEqual([]);
  });

  it('TPM-Fail (ST): only the listed versions', () => {
    expect(keys('STM', '73.8.17568.5632')).toEqual(['TPM-FAIL-ST']);
    expect(matchFirmware('STM', '73.8')[0]?.range.fixed).toBe('73.64');
    expect(keys('STM', '73.64')).toEqual([]);
    expect(keys('STM', '74.16')).toEqual(['TPM-FAIL-ST']);
    expect(keys('STM', '71.16')).toEqual([]);
  });

  it('CVE-2023-1017/1018 (Nuvoton NPCT65x): four-component versions', () => {
    expect(keys('NTC', '1.3.2.8')).toEqual(['CVE-2023-1017-NUVOTON']);
    expect(keys('NTC', '1.3.0.1')).toEqual(['CVE-2023-1017-NUVOTON']);
    expect(keys('NTC', '1.3.2.20')).toEqual([]);
    expect(keys('NTC', '7.2.3.1')).toEqual([]);
  });

  it('TCG-VRT0009 (Infineon SLB9672 15.21, 15.22 -> 15.23)', () => {
    expect(keys('IFX', '15.21.16430.0')).toEqual(['TCG-VRT0009-IFX-SLB9672']);
    expect(keys('IFX', '15.22.16832.0')).toEqual(['TCG-VRT0009-IFX-SLB9672']);
    expect(keys('IFX', '15.23.17664.0')).toEqual([]);
  });

  it('entries that cannot be decided from the version never match: Intel PTT (unknown list), libtpms (host package)', () => {
    expect(keys('INTC', '402.1.0.0')).toEqual([]);
    expect(keys('INTC', '11.8.50.3399')).toEqual([]);
    // swtpm / libtpms reports fixed FIRMWARE_VERSION values (0x20191023 0x00163636).
    expect(keys('IBM', '8217.4131.22.13878')).toEqual([]);
    const kinds = Object.fromEntries(FIRMWARE_VULNERABILITIES.map((v) => [v.key, v.affected.kind]));
    expect(kinds['TPM-FAIL-INTEL-PTT']).toBe('unknown');
    expect(kinds['CVE-2023-1017-LIBTPMS']).toBe('host-software');
  });

  it('versions that are not dotted decimal never match', () => {
    expect(keys('IFX', 'Not Supported for TPM 1.2')).toEqual([]);
    expect(keys('IFX', '')).toEqual([]);
    expect(parseVersion('7.61')).toEqual([7, 61]);
    expect(parseVersion('7.x')).toBeNull();
  });
});
