/**
 * The one rule of which devices of a triage match (src/fleet/triage/triage-filter.ts), used by the
 * console's table, the console's campaigns and `fleet sync|remediate|clear`: each filter alone,
 * combined, and the facts that were not read (`unknown`), which only `unknown` selects.
 */
import { describe, expect, it } from 'vitest';
import type { TriageRow } from '../../../src/fleet/store/fleet-store.js';
import { UNKNOWN_FACTS } from '../../../src/fleet/triage/device-facts.js';
import {
  describeTriageFilter,
  parseNotSyncedFor,
  type TriageFilter,
  triageRowMatcher,
} from '../../../src/fleet/triage/triage-filter.js';

const TRIAGED_AT = '2026-12-01T12:00:00.000Z';
const DAY = 86_400_000;
const daysBefore = (days: number) => new Date(Date.parse(TRIAGED_AT) - days * DAY).toISOString();

function row(id: string, fields: Partial<TriageRow>): TriageRow {
  return {
    deviceId: id,
    deviceName: id,
    azureAdDeviceId: null,
    triageClass: 'sync-stale',
    clearSafety: 'not-the-remedy',
    lastSync: daysBefore(1),
    reasons: [],
    ...fields,
  };
}

const facts = (model: string, tpmManufacturer: string, firmware: string, errorCodes: string[] = []) => ({
  manufacturer: 'Contoso',
  model,
  tpmManufacturer,
  tpmVersion: '7.2.3.1',
  firmware,
  settingErrors: errorCodes.map((errorCode, i) => ({
    setting: `Windows10CompliancePolicy.Setting${i}`,
    status: 'nonCompliant',
    errorCode,
  })),
});

const ROWS: TriageRow[] = [
  row('a', {
    triageClass: 'tpm-clear-safe',
    clearSafety: 'safe',
    lastSync: daysBefore(10),
    facts: facts('Surface Laptop 5', 'IFX', '1.2.3', ['-2016281112']),
  }),
  row('b', {
    triageClass: 'tpm-clear-blocked',
    clearSafety: 'blocked',
    lastSync: daysBefore(2),
    reasons: ['TpmRequired is nonCompliant', 'tpm.da-lockout: the TPM is locked out'],
    facts: facts('Latitude 5420', 'NTC', '1.2.3', ['unknown', '-2016281112']),
  }),
  row('c', {
    lastSync: null,
    facts: facts('Surface Laptop 5', 'unknown', 'unknown', ['-2016345060']),
  }),
  // Stored by an older build: no facts at all, and a last sync that cannot be read.
  row('d', { lastSync: 'not a date' }),
  row('e', {
    triageClass: 'tpm-clear-blocked',
    clearSafety: 'blocked',
    lastSync: daysBefore(30),
    reasons: ['escrow.missing: no recovery key is escrowed'],
    facts: { ...UNKNOWN_FACTS, model: 'Latitude 5420' },
  }),
];

function selected(filter: TriageFilter): string[] {
  const matches = triageRowMatcher(filter, TRIAGED_AT);
  return ROWS.filter((r) => matches(r)).map((r) => r.deviceId);
}

describe('triageRowMatcher', () => {
  it('selects every device without a filter, and by each filter alone', () => {
    expect(selected({})).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(selected({ classes: ['tpm-clear-blocked'] })).toEqual(['b', 'e']);
    expect(selected({ clearSafety: ['safe', 'blocked'] })).toEqual(['a', 'b', 'e']);
    expect(selected({ blockers: ['tpm.da-lockout'] })).toEqual(['b']);
    expect(selected({ blockers: ['escrow.missing', 'tpm.da-lockout'] })).toEqual(['b', 'e']);
    expect(selected({ models: ['Surface Laptop 5'] })).toEqual(['a', 'c']);
    expect(selected({ tpmManufacturers: ['NTC', 'IFX'] })).toEqual(['a', 'b']);
    expect(selected({ firmwares: ['1.2.3'] })).toEqual(['a', 'b']);
    expect(selected({ errorCodes: ['-2016281112'] })).toEqual(['a', 'b']);
    expect(selected({ errorCodes: ['-2016345060'] })).toEqual(['c']);
    expect(selected({ notSyncedFor: '7d' })).toEqual(['a', 'e']);
    expect(selected({ notSyncedFor: '48h' })).toEqual(['a', 'e']);
    expect(selected({ notSyncedFor: '47h' })).toEqual(['a', 'b', 'e']);
  });

  it('selects a device only when it matches every filter given', () => {
    expect(selected({ models: ['Latitude 5420'], clearSafety: ['blocked'] })).toEqual(['b', 'e']);
    expect(selected({ models: ['Latitude 5420'], errorCodes: ['-2016281112'] })).toEqual(['b']);
    expect(selected({ models: ['Surface Laptop 5'], notSyncedFor: '7d' })).toEqual(['a']);
    expect(selected({ tpmManufacturers: ['IFX'], blockers: ['tpm.da-lockout'] })).toEqual([]);
    expect(selected({ classes: ['sync-stale'], models: ['Surface Laptop 5'] })).toEqual(['c']);
  });

  it('selects an unknown fact only by `unknown`, never by another value or an age', () => {
    expect(selected({ tpmManufacturers: ['unknown'] })).toEqual(['c', 'd', 'e']);
    expect(selected({ models: ['unknown'] })).toEqual(['d']);
    expect(selected({ firmwares: ['unknown'] })).toEqual(['c', 'd', 'e']);
    // A failing setting whose code was not read; a device with no failing setting has no code at all.
    expect(selected({ errorCodes: ['unknown'] })).toEqual(['b']);
    // A missing or unreadable last sync is neither recent nor old.
    expect(selected({ notSyncedFor: 'unknown' })).toEqual(['c', 'd']);
    expect(selected({ notSyncedFor: '1h' })).toEqual(['a', 'b', 'e']);
    // Values are matched exactly as stored: no case folding, no partial match.
    expect(selected({ models: ['surface laptop 5'] })).toEqual([]);
    expect(selected({ models: ['Surface'] })).toEqual([]);
  });

  it('matches nothing for a last-sync filter it cannot read', () => {
    expect(selected({ notSyncedFor: '7 days' })).toEqual([]);
    expect(triageRowMatcher({ notSyncedFor: '7d' }, 'not a date')(ROWS[0]!)).toBe(false);
  });

  it('takes the blocker codes a caller already holds', () => {
    const matches = triageRowMatcher({ blockers: ['tpm.da-lockout'] }, TRIAGED_AT);
    expect(matches(ROWS[0]!, ['tpm.da-lockout'])).toBe(true);
    expect(matches(ROWS[1]!, [])).toBe(false);
  });
});

describe('the last-sync filter and the words a dry run shows', () => {
  it('reads days, hours and unknown, and nothing else', () => {
    expect(parseNotSyncedFor('7d')).toBe(7 * DAY);
    expect(parseNotSyncedFor('12h')).toBe(12 * 3_600_000);
    expect(parseNotSyncedFor('unknown')).toBe('unknown');
    for (const bad of ['', '0d', '7', '7m', '-1d', '1.5d', '07d', '123456d', 'Unknown', ' 7d'])
      expect(parseNotSyncedFor(bad), bad).toBeUndefined();
  });

  it('names every filter given, in one order', () => {
    expect(
      describeTriageFilter({
        notSyncedFor: '7d',
        errorCodes: ['-2016281112'],
        firmwares: ['1.2.3'],
        tpmManufacturers: ['IFX', 'NTC'],
        models: ['Surface Laptop 5'],
        blockers: ['tpm.da-lockout'],
        clearSafety: ['safe'],
        classes: ['sync-stale'],
      }),
    ).toEqual([
      'class sync-stale',
      'clear safety safe',
      'blocker tpm.da-lockout',
      'model Surface Laptop 5',
      'TPM maker IFX|NTC',
      'firmware 1.2.3',
      'error code -2016281112',
      'not synced for more than 7d',
    ]);
    expect(describeTriageFilter({ notSyncedFor: 'unknown', models: [] })).toEqual(['last sync unknown']);
  });
});
