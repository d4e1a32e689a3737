/**
 * The columns of the two reports triage exports, against the lists kept verbatim in
 * graph/report-columns.json (DevicesWithInventory from Microsoft's page; NoncompliantDevicesAndSettings
 * as real tenants' exports carry it, Microsoft publishing none: report-columns.source.json): the lab
 * serves exactly these columns, under the names they are received under, and refuses any other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphError } from '../../src/fleet/graph/graph-error.js';
import { IntuneClient } from '../../src/fleet/graph/intune-client.js';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import {
  DEVICES_WITH_INVENTORY,
  INVENTORY_REPORTS,
  NONCOMPLIANT_DEVICES_AND_SETTINGS,
} from '../../src/lab/tenant/inventory-reports.js';
import { RUN_STATES_COLUMNS } from '../../src/lab/tenant/report-exports.js';
import { labGraphClient } from '../support/lab-graph.js';
import { contract } from './graph/contract-fixtures.js';

const documented = contract('report-columns') as {
  DevicesWithInventory: { columns: { requestable: string; received: string; alias?: string }[] };
  NoncompliantDevicesAndSettings: { columns: string[] };
  DeviceRunStatesByProactiveRemediation: { columns: string[] };
};

let lab: LabTenant;
beforeAll(async () => {
  lab = await startLabTenant({ devices: 300, seed: 8, omitRetryAfterRate: 0 });
});
afterAll(async () => {
  await lab?.close();
});

describe('the report columns the lab serves are the documented ones', () => {
  it('DevicesWithInventory: every requestable column (and its alias) with the name it is received under', () => {
    const expected = new Map<string, string>();
    for (const c of documented.DevicesWithInventory.columns) {
      expected.set(c.requestable, c.received);
      if (c.alias !== undefined) expected.set(c.alias, c.received);
    }
    expect(new Map(INVENTORY_REPORTS.get(DEVICES_WITH_INVENTORY)!.columns)).toEqual(expected);
  });

  it('NoncompliantDevicesAndSettings: the observed columns, received under their own names', () => {
    const columns = INVENTORY_REPORTS.get(NONCOMPLIANT_DEVICES_AND_SETTINGS)!.columns;
    expect([...columns.keys()]).toEqual(documented.NoncompliantDevicesAndSettings.columns);
    for (const [name, received] of columns) expect(received).toBe(name);
  });

  it('DeviceRunStatesByProactiveRemediation: every column the lab serves is one the page lists', () => {
    for (const c of RUN_STATES_COLUMNS)
      expect(documented.DeviceRunStatesByProactiveRemediation.columns, c).toContain(c);
  });

  it('an export through the client: the CSV headers are the received names, in the order asked', async () => {
    const intune = new IntuneClient(labGraphClient(lab));
    const table = await intune.exportReport({
      reportName: DEVICES_WITH_INVENTORY,
      select: ['DeviceId', 'Model', 'ComplianceState', 'TPMManufacturerVersion'],
    });
    expect(table.columns).toEqual(['Device ID', 'Model', 'Compliance', 'TPMManufacturerVersion']);
    expect([...table.rows]).toHaveLength(lab.devices.size);
    const settings = await intune.exportReport({
      reportName: NONCOMPLIANT_DEVICES_AND_SETTINGS,
      select: ['DeviceId', 'SettingName', 'SettingStatus', 'ErrorCode'],
    });
    expect(settings.columns).toEqual(['DeviceId', 'SettingName', 'SettingStatus', 'ErrorCode']);
    for (const row of settings.rows) expect(row.SettingName).toMatch(/^[A-Za-z0-9]+\.[A-Za-z0-9]+$/);
  });

  it('refuses a column the report does not have and a filter the lab does not serve', async () => {
    const graph = labGraphClient(lab, { maxRetries: 0 });
    const post = (body: unknown) =>
      graph.post('v1.0', '/deviceManagement/reports/exportJobs', { body }).then(
        () => undefined,
        (e: unknown) => e as GraphError,
      );
    const unknownColumn = await post({
      reportName: DEVICES_WITH_INVENTORY,
      select: ['DeviceId', 'TpmVersion'],
    });
    expect(unknownColumn?.status).toBe(400);
    expect(unknownColumn?.message).toContain('TpmVersion');
    // A received name is not a requestable one.
    expect((await post({ reportName: DEVICES_WITH_INVENTORY, select: ['Device ID'] }))?.status).toBe(400);
    expect(
      (await post({ reportName: NONCOMPLIANT_DEVICES_AND_SETTINGS, select: ['DeviceId', 'SettingState'] }))
        ?.status,
    ).toBe(400);
    expect(
      (
        await post({
          reportName: NONCOMPLIANT_DEVICES_AND_SETTINGS,
          filter: "(OS eq 'Windows')",
          select: ['DeviceId'],
        })
      )?.status,
    ).toBe(400);
  });
});
