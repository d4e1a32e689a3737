/**
 * Device facts come from the device (SMBIOS strings, the TPM's maker and version, through Intune's
 * exports and hardwareInformation): each is kept trimmed, without control characters and at most
 * 200 characters, so the console's filter (1 to 200 printable characters) can select every value
 * it lists, and a hostile value cannot bloat the store or /api/fleet.
 */
import { describe, expect, it } from 'vitest';
import { parseDeviceQuery } from '../../../src/console/device-query.js';
import { parseCsvTable } from '../../../src/fleet/graph/csv-table.js';
import type { IntuneApi } from '../../../src/fleet/graph/intune-api.js';
import { deviceFacts, factText } from '../../../src/fleet/triage/device-facts.js';
import { readFleetExports } from '../../../src/fleet/triage/fleet-exports.js';

const HOSTILE: Array<[string, string]> = [
  ['  Surface Laptop 5\t', 'Surface Laptop 5'],
  ['Model\tX\r\nY\u0000Z', 'Model X Y Z'],
  ['OEM\u001b[31mRED\u001b[0m', 'OEM [31mRED [0m'],
  ['right\u202eleft\u200b\u2028end', 'right left end'],
  ['\u0007\u0000 \t', 'unknown'],
  ['x'.repeat(10_000), `${'x'.repeat(199)}…`],
  [`${'😀'.repeat(150)}`, `${'😀'.repeat(150)}`],
  [`${'😀'.repeat(250)}`, `${'😀'.repeat(199)}…`],
  [`${'a'.repeat(198)}  bcd`, `${'a'.repeat(198)}…`],
];

function filterable(fact: string): boolean {
  const query = parseDeviceQuery(new URLSearchParams([['model', fact]]));
  return !('error' in query);
}

describe('a fact as read', () => {
  it('has its control and format characters replaced, is trimmed and cut to 200 characters', () => {
    for (const [raw, read] of HOSTILE) {
      expect(factText(raw), JSON.stringify(raw.slice(0, 40))).toBe(read);
      expect(Array.from(factText(raw)).length).toBeLessThanOrEqual(200);
      expect(filterable(factText(raw)), JSON.stringify(raw.slice(0, 40))).toBe(true);
    }
    // Before: the raw value was kept, which the console's filter refuses.
    expect(filterable(HOSTILE[1]![0])).toBe(false);
    expect(filterable(HOSTILE[5]![0])).toBe(false);
  });

  it("each source's facts are bounded: the device list, hardwareInformation", () => {
    const facts = deviceFacts({
      device: { manufacturer: 'Contoso\u0000', model: 'M'.repeat(500) },
      hardware: {
        tpmManufacturer: 'IFX\r\n',
        tpmVersion: '\t7.2\t',
        systemManagementBIOSVersion: `B\u0085${'1'.repeat(300)}`,
      } as never,
      failingSettings: [],
    });
    expect(facts).toMatchObject({
      manufacturer: 'Contoso',
      model: `${'M'.repeat(199)}…`,
      tpmManufacturer: 'IFX',
      tpmVersion: '7.2',
      firmware: `B ${'1'.repeat(197)}…`,
    });
  });

  it("the inventory export's facts are bounded, and every one of them can be selected in the console", async () => {
    const csv = [
      'Device ID,Manufacturer,Model,SystemManagementBIOSVersion,TPMManufacturerId,TPMManufacturerVersion',
      ...HOSTILE.map(([raw], i) => {
        const field = `"${raw.replaceAll('"', '""')}"`;
        return `d${i},${field},${field},${field},${field},${field}`;
      }),
    ].join('\r\n');
    const api = {
      async exportReport(request: {
        read?: readonly string[];
        where?: { column: string; oneOf: ReadonlySet<string> };
      }) {
        if (request.where)
          return parseCsvTable('DeviceId,SettingName,SettingStatus,SettingStatus_loc,ErrorCode\r\n', request);
        return parseCsvTable(csv, request);
      },
    } as unknown as IntuneApi;
    const { inventory } = await readFleetExports(api);
    expect(inventory.size).toBe(HOSTILE.length);
    HOSTILE.forEach(([, read], i) => {
      const facts = inventory.get(`d${i}`)!;
      for (const value of Object.values(facts)) {
        expect(value).toBe(read);
        expect(filterable(value)).toBe(true);
      }
    });
  });
});
