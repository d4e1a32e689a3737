import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ActionList } from '../../../src/fleet/triage/action-list.js';
import { classifyDevice } from '../../../src/fleet/triage/classify-device.js';
import { readDeviceEvidence } from '../../../src/fleet/triage/device-evidence.js';
import { CSV_COLUMNS, CsvReportWriter, csvCell } from '../../../src/fleet/triage/report-csv.js';
import { escapeHtml, renderHtmlReport } from '../../../src/fleet/triage/report-html.js';
import { JsonReportWriter, TRIAGE_JSON_SCHEMA } from '../../../src/fleet/triage/report-json.js';
import type { ReportTarget } from '../../../src/fleet/triage/report-sink.js';
import { renderTriageTable } from '../../../src/fleet/triage/report-table.js';
import { CLEAR_SAFETIES, TRIAGE_CLASS_INFO, TRIAGE_CLASSES } from '../../../src/fleet/triage/triage-class.js';
import type { TriageResult } from '../../../src/fleet/triage/triage-result.js';
import { type TriageSummary, TriageTally } from '../../../src/fleet/triage/triage-summary.js';
import { byUrgency } from '../../../src/fleet/triage/urgency.js';
import { displayWidth } from '../../../src/text/display-width.js';
import { loadMessages } from '../../../src/text/messages/catalog.js';
import { device, failing, keys, NOW, TPM_REQUIRED } from './fixtures.js';

/** A made-up recovery password in the shape manage-bde prints (48 digits, 8 groups of 6). */
const RECOVERY_PASSWORD = '123456-234567-345678-456789-567890-678901-789012-890123';
const HOSTILE_NAME = '<script>alert(1)</script>';

/** The lockout device's evidence, with its recovery password left in by a careless collector. */
function evidenceWithSecret() {
  const text = readFileSync('test/fixtures/synthetic/windows/compact/lockout-trimmed.txt', 'utf8').replace(
    '"cn":"PC-LOCKOUT-07"',
    `"cn":"PC-LOCKOUT-07","rp":"${RECOVERY_PASSWORD}","RecoveryPassword":"${RECOVERY_PASSWORD}"`,
  );
  expect(text).toContain(RECOVERY_PASSWORD);
  return readDeviceEvidence(text, 'md-lock', NOW);
}

function sampleResults(): TriageResult[] {
  const hostile = device({
    id: 'md-x',
    deviceName: HOSTILE_NAME,
    complianceState: 'noncompliant',
    userPrincipalName: '=HYPERLINK("http://evil")',
  });
  return [
    classifyDevice({ device: device({ id: 'md-ok', deviceName: 'PC-OK' }), failingSettings: [] }, NOW),
    classifyDevice(
      {
        device: hostile,
        failingSettings: [failing(hostile.id, TPM_REQUIRED)],
        details: {
          ok: true,
          value: {
            id: 'md-x',
            hardwareInformation: {
              tpmSpecificationVersion: '2.0',
              tpmManufacturer: 'NTC',
              tpmVersion: '7.2.3.1',
            },
            // A TPM that cannot sign its health report (no attestation identity key).
            deviceHealthAttestationState: {
              tpmVersion: '2.0',
              bitLockerStatus: 'enabled',
              secureBoot: 'enabled',
              codeIntegrity: 'enabled',
              attestationIdentityKey: 'disabled',
              deviceHealthAttestationStatus: null,
              healthAttestationSupportedStatus: null,
              healthStatusMismatchInfo: null,
              issuedDateTime: '2024-05-19T08:00:00Z',
              lastUpdateDateTime: null,
              pcr0: null,
              pcrHashAlgorithm: null,
              testSigning: null,
              virtualSecureMode: null,
              resetCount: 0,
              restartCount: 0,
            },
          },
        },
        recoveryKeys: keys(),
      },
      NOW,
    ),
    classifyDevice(
      {
        device: device({ id: 'md-lock', deviceName: '+cmd|calc, "quoted"\nline' }),
        failingSettings: [],
        evidence: evidenceWithSecret(),
      },
      NOW,
    ),
  ];
}

function summaryOf(results: readonly TriageResult[]): TriageSummary {
  const tally = new TriageTally(NOW);
  for (const r of results) tally.add(r);
  return {
    startedAt: NOW.toISOString(),
    finishedAt: NOW.toISOString(),
    options: { staleSyncDays: 7, attestationStaleDays: 7, evidenceMaxAgeDays: 14 },
    devices: tally.devices,
    needingAction: tally.needingAction,
    byClass: tally.byClass,
    byClearSafety: tally.byClearSafety,
    lastSyncAge: tally.lastSyncAge,
    evidence: { scriptFound: true, devicesWithOutput: 1, unreadable: 0 },
    lookups: { details: 1, detailsFailed: 0, recoveryKeys: 1, recoveryKeysFailed: 0 },
    graphRequests: null,
    warnings: [`a warning quoting <b>${HOSTILE_NAME}</b>`],
  };
}

async function collect(
  write: (sink: (chunk: string) => void) => Promise<void>,
): Promise<{ text: string; chunks: number }> {
  const chunks: string[] = [];
  await write((c) => {
    chunks.push(c);
  });
  return { text: chunks.join(''), chunks: chunks.length };
}

const LAB: ReportTarget = { description: 'http://127.0.0.1:1234 (lab)', lab: true };
const REAL: ReportTarget = { description: 'https://graph.microsoft.com (contoso)', lab: false };

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('CSV report', () => {
  test('cells are RFC 4180 quoted and formula injection is defused', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    for (const lead of ['=', '+', '-', '@', '\t', '\r'])
      expect(csvCell(`${lead}1+1`).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=SUM(A1),x')).toBe(`"'=SUM(A1),x"`);
    expect(csvCell(null)).toBe('');
  });

  test('streams one record per device and reads back to the same values', async () => {
    const results = sampleResults();
    const { text, chunks } = await collect(async (sink) => {
      const w = new CsvReportWriter(sink);
      for (const r of results) await w.write(r);
      await w.end();
    });
    expect(chunks).toBe(results.length + 1);
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(results.length + 1);
    for (const row of rows) expect(row).toHaveLength(CSV_COLUMNS.length);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(byId.get('md-lock')![1]).toBe(`'+cmd|calc, "quoted"\nline`);
    expect(byId.get('md-x')![3]).toBe(`'=HYPERLINK("http://evil")`);
    expect(byId.get('md-x')![4]).toBe('tpm-clear-candidate');
    expect(byId.get('md-x')![6]).toBe('blocked');
  });

  test('--bom: the file starts with the UTF-8 byte order mark EF BB BF, once, before the header', async () => {
    const { text } = await collect(async (sink) => {
      const w = new CsvReportWriter(sink, LAB, { bom: true });
      for (const r of sampleResults()) await w.write(r);
      await w.end();
    });
    const bytes = Buffer.from(text, 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3, 3 + CSV_COLUMNS[0].length).toString('utf8')).toBe(CSV_COLUMNS[0]);
    expect(text.match(/\uFEFF/g)).toHaveLength(1);
    const { text: empty } = await collect(async (sink) =>
      new CsvReportWriter(sink, LAB, { bom: true }).end(),
    );
    expect(empty).toBe(`\uFEFF${CSV_COLUMNS.join(',')}\r\n`);
    const { text: plain } = await collect(async (sink) => new CsvReportWriter(sink, LAB).end());
    expect(Buffer.from(plain, 'utf8')[0]).toBe(CSV_COLUMNS[0].charCodeAt(0));
  });

  test('an empty fleet still gets a header', async () => {
    const { text } = await collect(async (sink) => new CsvReportWriter(sink).end());
    expect(text).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });
});

describe('JSON report', () => {
  test('has the documented schema shape, streamed', async () => {
    const results = sampleResults();
    const summary = summaryOf(results);
    const { text, chunks } = await collect(async (sink) => {
      const w = new JsonReportWriter(sink, LAB, NOW);
      for (const r of results) await w.write(r);
      await w.end(summary);
    });
    expect(chunks).toBe(results.length + 2);
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual(['schema', 'generatedAt', 'target', 'devices', 'summary']);
    expect(doc.schema).toBe(TRIAGE_JSON_SCHEMA);
    expect(doc.target).toEqual({ description: LAB.description, lab: true });
    expect(doc.devices).toHaveLength(3);
    for (const d of doc.devices) {
      expect(Object.keys(d)).toEqual([
        'deviceId',
        'deviceName',
        'azureAdDeviceId',
        'userPrincipalName',
        'class',
        'clearSafety',
        'clearBlockedBy',
        'escrow',
        'reasons',
        'remedy',
        'findings',
        'failingSettings',
        'lastSync',
        'evidenceAt',
        'facts',
      ]);
      expect(TRIAGE_CLASSES).toContain(d.class);
      expect(CLEAR_SAFETIES).toContain(d.clearSafety);
    }
    expect(doc.summary.devices).toBe(3);
    expect(Object.keys(doc.summary.byClass)).toEqual([...TRIAGE_CLASSES]);
  });

  test('an empty fleet is valid JSON', async () => {
    const { text } = await collect(async (sink) => new JsonReportWriter(sink, REAL, NOW).end(summaryOf([])));
    expect(JSON.parse(text).devices).toEqual([]);
  });
});

describe('HTML report', () => {
  const results = sampleResults();
  const actions = new ActionList();
  for (const r of results) actions.add(r);
  const html = renderHtmlReport({ target: LAB, summary: summaryOf(results), actions, generatedAt: NOW });

  test('lists only the devices needing action, every value escaped', () => {
    expect(actions.devices.map((d) => d.deviceId)).toEqual(['md-x', 'md-lock']);
    expect(html).not.toContain(HOSTILE_NAME);
    expect(html).toContain(escapeHtml(HOSTILE_NAME));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('PC-OK');
  });

  test('is self-contained: nothing loaded from anywhere, charts inline', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<svg /g)).toHaveLength(3);
  });

  test('a lab report carries the LAB TENANT banner; a real one does not', () => {
    expect(html).toContain('LAB TENANT — simulated devices');
    const real = renderHtmlReport({ target: REAL, summary: summaryOf(results), actions, generatedAt: NOW });
    expect(real).not.toContain('LAB TENANT');
  });

  test("each cause's remedy is said once, above the table; rows most urgent first, blockers under why", () => {
    expect(html).toContain('<h2>What to do, by cause</h2>');
    for (const r of actions.devices) {
      const remedy = escapeHtml(TRIAGE_CLASS_INFO[r.class].remedy);
      expect(html.split(remedy).length - 1, r.class).toBe(1);
    }
    // Devices arriving least urgent first are still listed most urgent first.
    const reversed = new ActionList();
    for (const r of [...results].reverse()) reversed.add(r);
    const sorted = [...reversed.devices].sort(byUrgency);
    expect(reversed.devices.map((r) => r.class)).not.toEqual(sorted.map((r) => r.class));
    const reversedHtml = renderHtmlReport({ target: LAB, summary: summaryOf(results), actions: reversed });
    const rowOrder = [
      ...reversedHtml.matchAll(/<tr><td class="device"><span class="nowrap">([^<]*)<\/span>/g),
    ].map((m) => m[1]);
    expect(rowOrder).toEqual(sorted.map((r) => escapeHtml(r.deviceName ?? r.deviceId)));
    // No mid-word breaks: no fixed layout, no "break anywhere"; names, safety and dates on one line.
    expect(html).not.toMatch(/table-layout:\s*fixed|overflow-wrap:\s*anywhere/);
    // The time it was made, in the local zone with the zone named.
    expect(html).toMatch(
      /Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (UTC|GMT[+-]\d+(:\d{2})?|[A-Z]{2,5})\./,
    );
  });

  test('past the limit, devices are counted, not kept', () => {
    const small = new ActionList(1);
    for (const r of results) small.add(r);
    expect(small.devices).toHaveLength(1);
    expect(small.omitted).toBe(1);
    expect(renderHtmlReport({ target: REAL, summary: summaryOf(results), actions: small })).toContain(
      '1 more devices need action',
    );
  });
});

describe('table report', () => {
  const results = sampleResults();
  const actions = new ActionList();
  for (const r of results) actions.add(r);

  test.each([60, 100, 160])('fits %i columns, and control characters never reach the terminal', (width) => {
    const text = renderTriageTable(summaryOf(results), actions, { width, target: LAB });
    const deviceLines = text.split('\n').filter((l) => l.startsWith('<scri') || l.startsWith('+cmd'));
    expect(deviceLines).toHaveLength(2);
    for (const line of deviceLines) expect([...line].length).toBeLessThanOrEqual(width);
    expect(text).toContain('*** LAB TENANT — simulated devices ***');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(text).toMatch(/3 Windows devices, 2 need action/);
  });

  test('a blocker has its own column, and rows come most urgent first (as in the HTML)', () => {
    const reversed = new ActionList();
    for (const r of [...results].reverse()) reversed.add(r);
    const text = renderTriageTable(summaryOf(results), reversed, { width: 160, target: LAB });
    const header = text.split('\n').find((l) => l.startsWith('Device'));
    expect(header).toMatch(/Clear blocked by/);
    const order = text
      .split('\n')
      .filter((l) => l.startsWith('<scri') || l.startsWith('+cmd'))
      .map((l) => (l.startsWith('+cmd') ? 'md-lock' : 'md-x'));
    expect(order).toEqual([...actions.devices].sort(byUrgency).map((r) => r.deviceId));
    for (const r of actions.devices) for (const b of r.clearBlockedBy) expect(text).toContain(b.code);
  });
});

describe('table and HTML report in Japanese', () => {
  test("at 80 columns: Japanese words, class IDs kept for --class, the last sync on the admin's day, each step told once", async () => {
    const { ui } = await loadMessages('ja');
    const lockout = readFileSync('test/fixtures/synthetic/windows/compact/lockout-trimmed.txt', 'utf8');
    const evidence = readDeviceEvidence(lockout, 'md-lock', NOW, await loadMessages('ja'));
    // Two devices with the same evidence: their own step is told once, and both refer to it.
    const results = ['md-a', 'md-b'].map((id) =>
      classifyDevice(
        {
          // 16:30 UTC is the next day in Tokyo (UTC+9).
          device: device({ id, deviceName: `PC-${id}`, lastSyncDateTime: '2024-05-19T16:30:00Z' }),
          failingSettings: [],
          evidence,
        },
        NOW,
      ),
    );
    const actions = new ActionList();
    for (const r of results) actions.add(r);
    const text = renderTriageTable(summaryOf(results), actions, {
      width: 80,
      target: REAL,
      ui,
      timeZone: 'Asia/Tokyo',
    });
    for (const line of text.split('\n')) expect(displayWidth(line), line).toBeLessThanOrEqual(80);
    expect(text).toMatch(/^デバイス +分類 +クリア +最終同期/m);
    expect(text).toContain('原因別の対処');
    expect(text).toContain('TPM: ロックアウト（待機） (tpm-wait)');
    for (const r of results)
      expect(text).toMatch(new RegExp(`^PC-${r.deviceId} +tpm-wait +対象外 +2024-05-20`, 'm'));
    // The device's own step in Japanese (its verdict diagnosed again in Japanese), told once.
    expect(results[0]!.localRemedy).toMatch(/デバイスの電源を入れたまま/);
    expect(text.match(/デバイスの電源を入れたまま/g)).toHaveLength(1);
    expect(text.match(/固有の手順 1（下記）/g)).toHaveLength(2);
    // JSON and CSV keep English: the step they carry is the English one.
    expect(results[0]!.remedy).toMatch(/^Wait /);

    const html = renderHtmlReport({ target: REAL, summary: summaryOf(results), actions, language: 'ja', ui });
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('<h2>原因別の対処</h2>');
    expect(html).toContain('このデバイス固有の手順: デバイスの電源を入れたまま');
  });
});

describe('secrets never reach a report', () => {
  test("a recovery password in a device's evidence appears in no report", async () => {
    const results = sampleResults();
    const summary = summaryOf(results);
    const actions = new ActionList();
    for (const r of results) actions.add(r);
    const csv = await collect(async (sink) => {
      const w = new CsvReportWriter(sink);
      for (const r of results) await w.write(r);
      await w.end();
    });
    const json = await collect(async (sink) => {
      const w = new JsonReportWriter(sink, LAB, NOW);
      for (const r of results) await w.write(r);
      await w.end(summary);
    });
    const outputs = [
      csv.text,
      json.text,
      renderHtmlReport({ target: LAB, summary, actions }),
      renderTriageTable(summary, actions, { width: 120, target: LAB }),
    ];
    const digits = RECOVERY_PASSWORD.replace(/-/g, '');
    for (const out of outputs) {
      expect(out).not.toContain(RECOVERY_PASSWORD);
      expect(out.replace(/\D/g, '')).not.toContain(digits);
    }
    // The evidence was really used (the lockout verdict), so the test is not vacuous.
    expect(results[2]!.class).toBe('tpm-wait');
  });
});
