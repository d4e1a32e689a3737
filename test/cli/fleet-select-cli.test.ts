/**
 * `fleet sync --model ... --error-code ... --dry-run`: the built CLI against a lab tenant served
 * from this test process, with a real SQLite store. The devices a dry run lists are checked
 * against the triage's own JSON report (each device's class and facts as triage read them), not
 * against the selection rule itself: the set is computed here, independently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { runCli, useBuiltCli, useTempDir } from './cli-support.js';

useBuiltCli();
const tmp = useTempDir('tpm-doctor-fleet-select-');
let lab: LabTenant;

interface ReportedDevice {
  deviceId: string;
  class: string;
  clearSafety: string;
  lastSync: string | null;
  facts: { model: string; tpmManufacturer: string; settingErrors: { errorCode: string }[] };
}
interface DryRun {
  dryRun: true;
  devices: number;
  selection: string;
  selected: { deviceId: string; deviceName: string | null }[];
}

beforeAll(async () => {
  lab = await startLabTenant({ devices: 800, seed: 11, windowMs: 2_000 });
});
afterAll(async () => {
  await lab?.close();
});

function connect(): string[] {
  return ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
}
function env(): NodeJS.ProcessEnv {
  return { AZURE_CLIENT_SECRET: lab.clientSecret };
}

/** The value most devices of `devices` have, and how many have it. */
function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

describe('fleet sync --dry-run selects by the facts triage stored', () => {
  it('by model and by error code, exactly the devices the triage report says, and says which filters chose them', async () => {
    const store = `sqlite:${tmp.file('select.sqlite')}`;
    const triage = await runCli(['fleet', 'triage', ...connect(), '--json', '--store', store, '--quiet'], {
      env: env(),
      timeoutMs: 180_000,
    });
    expect(triage.code, triage.stderr).toBe(0);
    const report = JSON.parse(triage.stdout) as { devices: ReportedDevice[] };
    // The store keeps the devices that need something; a campaign selects among those.
    const stored = report.devices.filter((d) => d.class !== 'healthy');
    expect(stored.length).toBeGreaterThan(10);

    const dryRun = async (flags: string[]): Promise<DryRun> => {
      const r = await runCli(
        ['fleet', 'sync', ...connect(), '--store', store, '--dry-run', '--json', ...flags],
        {
          env: env(),
          timeoutMs: 120_000,
        },
      );
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as DryRun;
    };
    const ids = (devices: readonly { deviceId: string }[]) => devices.map((d) => d.deviceId).sort();

    const model = mostCommon(stored.map((d) => d.facts.model));
    const byModel = stored.filter((d) => d.facts.model === model);
    expect(byModel.length).toBeGreaterThan(0);
    expect(byModel.length).toBeLessThan(stored.length);
    const modelPlan = await dryRun(['--model', model]);
    expect(ids(modelPlan.selected)).toEqual(ids(byModel));
    expect(modelPlan.devices).toBe(byModel.length);
    expect(modelPlan.selection).toBe(`triage 1, model ${model}`);

    const codes = stored.flatMap((d) => [...new Set(d.facts.settingErrors.map((e) => e.errorCode))]);
    const code = mostCommon(codes);
    const byCode = stored.filter((d) => d.facts.settingErrors.some((e) => e.errorCode === code));
    expect(byCode.length).toBeGreaterThan(0);
    const codePlan = await dryRun([`--error-code=${code}`]);
    expect(ids(codePlan.selected)).toEqual(ids(byCode));
    expect(codePlan.selection).toBe(`triage 1, error code ${code}`);

    // Both filters: the devices of that model with that code; a class narrows further.
    const both = byModel.filter((d) => byCode.includes(d));
    const bothPlan = await dryRun([`--error-code=${code}`, '--model', model]);
    expect(ids(bothPlan.selected)).toEqual(ids(both));
    const stale = byModel.filter((d) => d.class === 'sync-stale');
    const stalePlan = await dryRun(['--model', model, '--class', 'sync-stale']);
    expect(ids(stalePlan.selected)).toEqual(ids(stale));
    expect(stalePlan.selection).toBe(`triage 1, class sync-stale, model ${model}`);

    // A clear by model: the devices of that model triaged safe; the others of it refused.
    const clear = await runCli(
      ['fleet', 'clear', ...connect(), '--store', store, '--dry-run', '--json', '--model', model],
      {
        env: env(),
        timeoutMs: 120_000,
      },
    );
    expect(clear.code, clear.stderr).toBe(0);
    const clearPlan = JSON.parse(clear.stdout) as {
      selection: string;
      devices: { deviceId: string }[];
      refused: { deviceId: string }[];
    };
    expect(ids(clearPlan.devices)).toEqual(ids(byModel.filter((d) => d.clearSafety === 'safe')));
    expect(ids(clearPlan.refused)).toEqual(ids(byModel.filter((d) => d.clearSafety !== 'safe')));
    expect(clearPlan.selection).toBe(`triage 1, model ${model}, clear safety safe`);

    // A model nobody has selects nothing; the text dry run names the filters.
    expect((await dryRun(['--model', `${model} (not this one)`])).devices).toBe(0);
    const text = await runCli(
      ['fleet', 'sync', ...connect(), '--store', store, '--dry-run', '--model', model],
      {
        env: env(),
        timeoutMs: 120_000,
      },
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`\nSelection: triage 1, model ${model}\n`);
  }, 600_000);

  it('refuses a filter value no triage could have stored, before connecting', async () => {
    for (const [flags, message] of [
      [['--error-code', '0x87D1FDE8'], /--error-code: "0x87D1FDE8" is not an Intune error code in decimal/],
      [['--not-synced-for', '7 days'], /--not-synced-for expects a number of days or hours/],
      [['--blocker', 'Not A Code'], /--blocker: "Not A Code" is not a blocker code/],
      [['--model', 'x', '--device', 'a'], /either by id/],
    ] as const) {
      const r = await runCli(['fleet', 'sync', '--tenant', 'lab', '--dry-run', ...flags]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
