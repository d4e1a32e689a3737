/**
 * Generated hostile strings (control characters, ESC sequences, bidi overrides and isolates, line
 * separators, NUL, lone surrogates, huge) thrown at every human renderer and at both stores
 * (docs/security.md). What must hold: no renderer lets a control, bidi or line-separator character
 * through (text from outside is shown escaped, src/text/terminal-safe.ts), none throws, and both
 * stores keep any string (a NUL as U+FFFD, secrets redacted) and give it back to the renderers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { renderPlan } from '../../src/cli/fleet/clear-command.js';
import { renderDiagnosis } from '../../src/cli/render/diagnosis-text.js';
import { renderGate } from '../../src/cli/render/gate-text.js';
import { renderRun } from '../../src/cli/render/run-text.js';
import { renderStatus } from '../../src/cli/render/status-text.js';
import { reportFailure } from '../../src/cli/report-failure.js';
import type { Diagnosis } from '../../src/diagnose/diagnose.js';
import {
  type CampaignStatusSummary,
  campaignStatus,
  renderCampaignList,
  renderCampaignStatus,
} from '../../src/fleet/campaign/campaign-status.js';
import { GraphError } from '../../src/fleet/graph/graph-error.js';
import type { FleetStore } from '../../src/fleet/store/fleet-store.js';
import { PostgresFleetStore } from '../../src/fleet/store/postgres-store.js';
import { emptyPhaseCounts } from '../../src/fleet/store/row-mapping.js';
import { SqliteFleetStore } from '../../src/fleet/store/sqlite-store.js';
import { ActionList } from '../../src/fleet/triage/action-list.js';
import { classifyDevice } from '../../src/fleet/triage/classify-device.js';
import { renderTriageTable } from '../../src/fleet/triage/report-table.js';
import { TriageTally } from '../../src/fleet/triage/triage-summary.js';
import type { GateResult } from '../../src/remedy/preflight/gate.js';
import { redact } from '../../src/snapshot/redact-secrets.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import type { TpmStatus } from '../../src/snapshot/tpm-status.js';
import { terminalSafe } from '../../src/text/terminal-safe.js';
import { device, failing, NOW, TPM_REQUIRED } from '../fleet/triage/fixtures.js';
import { usePostgres } from '../support/postgres-harness.js';

const postgres = usePostgres();
const scratch = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-hostile-strings-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What must never reach a terminal raw: C0 but LF, DEL, C1, bidi controls, line separators, BOM, lone surrogates. */
const FORBIDDEN =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const NASTY = [
  '\u0000',
  '\u001b',
  '\u001b[2K',
  '\u001b[1A',
  '\u001b]0;owned\u0007',
  '\u001b]52;c;Zm9v\u0007',
  '\u009b2J',
  '\r',
  '\n',
  '\b',
  '\u007f',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u200f',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ud800',
  '\udfff',
  '東京',
  '👩‍💻',
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2ln',
];

/** A hostile string: nasty pieces mixed with arbitrary code units; now and then a huge one. */
const hostile: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'binary' })), { maxLength: 12 })
      .map((parts) => parts.join('')),
  },
  {
    weight: 2,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      maxLength: 60,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(...NASTY).map((piece) => `${piece}x`.repeat(20_000)) },
);
const nonEmptyHostile = hostile.map((s) => (s.length === 0 ? '\u001b' : s));

function expectTerminalSafe(text: string): void {
  const match = FORBIDDEN.exec(text);
  expect(match, match ? `U+${match[0].charCodeAt(0).toString(16)} at ${match.index}` : '').toBeNull();
}

describe('every human renderer shows hostile text escaped', () => {
  it('terminalSafe: nothing forbidden comes out, and the output grows only by escapes', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const safe = terminalSafe(text);
        expectTerminalSafe(safe);
        expect(safe.length).toBeGreaterThanOrEqual(text.length - (text.match(/\u200c|\u200d/g)?.length ?? 0));
      }),
    );
  });

  it('the fleet triage table', () => {
    fc.assert(
      fc.property(nonEmptyHostile, hostile, hostile, hostile, (name, upn, warning, target) => {
        const d = device({
          id: 'md-hostile',
          deviceName: name,
          userPrincipalName: upn,
          complianceState: 'noncompliant',
        });
        const result = classifyDevice({ device: d, failingSettings: [failing(d.id, TPM_REQUIRED)] }, NOW);
        const tally = new TriageTally(NOW);
        tally.add(result);
        const actions = new ActionList();
        actions.add(result);
        const text = renderTriageTable(
          {
            startedAt: NOW.toISOString(),
            finishedAt: NOW.toISOString(),
            options: { staleSyncDays: 7, attestationStaleDays: 7, evidenceMaxAgeDays: 14 },
            devices: tally.devices,
            needingAction: tally.needingAction,
            byClass: tally.byClass,
            byClearSafety: tally.byClearSafety,
            lastSyncAge: tally.lastSyncAge,
            evidence: { scriptFound: false, devicesWithOutput: 0, unreadable: 0 },
            lookups: { details: 0, detailsFailed: 0, recoveryKeys: 0, recoveryKeysFailed: 0 },
            graphRequests: null,
            warnings: [warning],
          },
          actions,
          { width: 100, target: { description: target, lab: false } },
        );
        expectTerminalSafe(text);
      }),
      { numRuns: 60 },
    );
  });

  it('the fleet clear dry-run plan, campaign status and campaign list', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 6, maxLength: 6 }), (s) => {
        const plan = renderPlan({
          selection: s[0]!,
          approvedBy: s[1]!,
          ticket: s[2]!,
          devices: [{ deviceId: s[3]!, deviceName: s[4]! }],
          refused: [{ deviceId: s[5]!, deviceName: s[0]!, reason: s[1]! }],
        });
        expectTerminalSafe(plan);
        // The plan says how many devices and shows exactly that many lines for them.
        expect(plan.split('\n').filter((l) => l.startsWith('  '))).toHaveLength(2);
        const summary: CampaignStatusSummary = {
          schema: 'tpm-doctor/campaign-status/v1',
          id: s[0]!,
          action: 'sync',
          status: 'running',
          lab: false,
          target: s[1]!,
          selection: s[2]!,
          createdAt: s[3]!,
          updatedAt: s[3]!,
          deadline: s[4]!,
          scriptId: s[5]!,
          total: 1,
          done: 1,
          open: 0,
          counts: emptyPhaseCounts(),
          problems: [{ deviceId: s[5]!, deviceName: s[0]!, phase: 'failed', error: s[1]! }],
          problemsOmitted: 0,
        };
        expectTerminalSafe(renderCampaignStatus(summary));
        expectTerminalSafe(
          renderCampaignList([
            {
              id: s[0]!,
              action: 'sync',
              status: 'running',
              target: s[1]!,
              tenantKey: null,
              selection: s[2]!,
              createdAt: s[3]!,
              updatedAt: s[3]!,
              deadline: s[4]!,
              scriptId: null,
            },
          ] as unknown as Parameters<typeof renderCampaignList>[0]),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('status (TPM vendor strings), diagnosis --verbose (evidence values), the gate and a clear run', () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 6, maxLength: 6 }), (s) => {
        const status = {
          tpm: { uri: s[0], lab: null },
          present: true,
          started: true,
          identity: {
            family: '2.0',
            level: 0,
            revision: 1.59,
            specDate: null,
            manufacturer: { name: s[1], id: s[2], code: 0 },
            vendorString: s[3],
            firmwareVersion: s[4],
          },
          selfTest: { ok: false, name: s[5], code: 0x101, message: s[0] },
          permanent: null,
          startupClear: null,
          dictionaryAttack: null,
          pcrBanks: null,
          persistentObjects: null,
          nvIndices: null,
          transientHandles: null,
          capacity: null,
          endorsement: null,
          algorithms: null,
          eccCurves: null,
          properties: null,
          clock: null,
          errors: [{ section: 'identity', message: s[1] }],
        } as unknown as TpmStatus;
        expectTerminalSafe(renderStatus(status, { verbose: true }));

        const diagnosis = {
          verdict: {
            status: 'errors',
            nextStep: 'clear',
            because: [s[0]],
            action: s[1],
            clearBlockedBy: [{ finding: 'x', reason: s[2] }],
            clearRecommended: false,
            unknown: [{ fact: 'bitlocker-os-protectors', reason: s[3], blocksClear: true }],
          },
          findings: [
            {
              id: 'tpm.hostile',
              severity: 'error',
              title: s[3],
              why: s[4],
              remedy: { action: s[5], destroysKeys: false },
              evidence: [{ source: 'evidence', field: s[0], value: s[1] }],
            },
          ],
          ruleErrors: [{ rule: 'x', message: s[2] }],
        } as unknown as Diagnosis;
        const snapshot = {
          tpm: null,
          windows: { origin: s[3], problems: [{ source: 'tpmtool', message: s[4] }] },
        } as unknown as Snapshot;
        expectTerminalSafe(renderDiagnosis(diagnosis, snapshot, { verbose: true, lab: null }));

        const gate = {
          checks: [{ id: 'reason', status: 'fail', message: s[0] }],
          inventory: { persistentObjects: [s[1]], nonPlatformNvIndices: [s[2]], windows: [s[3]] },
          passed: false,
        } as unknown as GateResult;
        expectTerminalSafe(renderGate(gate, []));

        const run = {
          runId: s[0],
          status: 'failed',
          journalPath: s[1],
          receiptPath: s[2],
          failure: { step: s[3], message: s[4] },
          proof: { proven: false, checks: [{ id: 'srk-changed', passed: false, actual: s[5] }] },
        } as unknown as Parameters<typeof renderRun>[0];
        expectTerminalSafe(renderRun(run));
      }),
      { numRuns: 60 },
    );
    // Pure CPU work (wrapping every hostile string in four renderers): about 40 s alone, and up
    // to twice that while qemu guests share the machine's two cores in CI.
  }, 300_000);

  it('error messages: Graph errors and any other message, in one plain report', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      fc.assert(
        fc.property(hostile, hostile, (code, message) => {
          written.length = 0;
          reportFailure(
            new GraphError({ status: 400, code, message, requestId: null, method: 'GET', path: '/v1.0/x' }),
          );
          // Line feeds we write are kept; everything else from the message is escaped.
          for (const line of written.join('').split('\n')) expectTerminalSafe(line);
        }),
        { numRuns: 100 },
      );
    } finally {
      spy.mockRestore();
    }
  });
});

describe('both stores keep hostile strings and give them back safely', () => {
  async function roundTrip(store: FleetStore, run: number, s: string[]): Promise<void> {
    const id = `c-${run}`;
    await store.createCampaign({
      id,
      action: 'sync',
      target: s[0]!,
      selection: s[1]!,
      deadline: '2099-01-01T00:00:00.000Z',
      devices: [{ deviceId: `d-${run}`, deviceName: s[2]!, baselineSync: null }],
    });
    await store.changePhases(id, [{ deviceId: `d-${run}`, from: ['pending'], to: 'failed', error: s[3]! }]);
    const stored = (await store.campaignDevices(id))[0]!;
    // NUL and lone surrogates, which no backend can hold, are stored as U+FFFD; secrets redacted.
    const kept = (text: string) =>
      redact(
        text.replace(
          /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
          '\ufffd',
        ),
      );
    expect(stored.deviceName).toBe(kept(s[2]!));
    expect(stored.error).toBe(kept(s[3]!));
    const campaign = await store.getCampaign(id);
    expect(campaign?.target).toBe(kept(s[0]!));
    expectTerminalSafe(renderCampaignStatus(await campaignStatus(store, id)));

    const runId = await store.beginTriage(s[0]!);
    await store.addTriageRows(runId, [
      {
        deviceId: `d-${run}`,
        deviceName: s[2]!,
        azureAdDeviceId: null,
        triageClass: 'sync-stale',
        clearSafety: 'not-the-remedy',
        lastSync: null,
        reasons: [s[3]!, s[4]!],
      },
    ]);
    const rows = await store.triageRows(runId);
    expect(rows[0]?.deviceName).toBe(kept(s[2]!));
    // Reasons are stored as JSON text, where a NUL is the escape \u0000: kept exactly.
    expect(rows[0]?.reasons).toEqual([redact(s[3]!), redact(s[4]!)]);
  }

  const strings = fc.array(nonEmptyHostile, { minLength: 5, maxLength: 5 });

  it('SQLite', async () => {
    const store = await SqliteFleetStore.open(path.join(scratch, 'hostile.sqlite'));
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(strings, (s) => roundTrip(store, run++, s)),
        { numRuns: 40 },
      );
    } finally {
      await store.close();
    }
  }, 120_000);

  it('PostgreSQL', async () => {
    const store = await PostgresFleetStore.open(await postgres.get().freshDatabase());
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(strings, (s) => roundTrip(store, run++, s)),
        { numRuns: 40 },
      );
    } finally {
      await store.close();
    }
  }, 120_000);
});
