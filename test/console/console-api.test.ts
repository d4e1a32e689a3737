/**
 * The console's HTTP server and JSON API in this process, over a real SQLite store written the way
 * `fleet triage` writes it: the sign-in, the Host and Origin checks, the headers of every answer,
 * every endpoint with good and bad input, hostile device names, and no secret in any answer.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CampaignsResponse,
  DeviceListResponse,
  DeviceResponse,
  FleetResponse,
} from '../../src/console/api-types.js';
import { type RunningConsole, startConsole } from '../../src/console/console-server.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../src/console/device-query.js';
import { CONTENT_SECURITY_POLICY, LAB_HEADER } from '../../src/console/http-response.js';
import type { FleetStore, TriageRow } from '../../src/fleet/store/fleet-store.js';
import { SqliteFleetStore } from '../../src/fleet/store/sqlite-store.js';
import { type HttpAnswer, rawRequest, rememberSecret, request, signIn } from './console-http.js';

const TENANT = 'LAB tenant in-process (2000 simulated devices, seed 7)';
const OTHER_TENANT = 'https://graph.microsoft.com tenant contoso.onmicrosoft.com';
const HOSTILE_NAME = '</script><img src=x onerror=alert(1)>\u2028"\'&\u202eexe.pdf';

let dir: string;
let store: FleetStore;
let lab: RunningConsole;
let cookie: string;
/** Every answer any test got, checked at the end for secrets. */
const answers: HttpAnswer[] = [];

const LATITUDE_FACTS = {
  manufacturer: 'Dell Inc.',
  model: 'Latitude 5440',
  tpmManufacturer: 'NTC',
  tpmVersion: '7.2.3.1',
  firmware: '1.14.1',
  settingErrors: [
    { setting: 'Windows10CompliancePolicy.TpmRequired', status: 'nonCompliant', errorCode: '-2016281112' },
  ],
};

function row(i: number, overrides: Partial<TriageRow> = {}): TriageRow {
  return {
    deviceId: `dev-${String(i).padStart(5, '0')}`,
    deviceName: `PC-${String(i).padStart(5, '0')}`,
    azureAdDeviceId: `aad-${i}`,
    triageClass: 'healthy',
    clearSafety: 'not-the-remedy',
    lastSync: '2026-12-01T10:00:00Z',
    reasons: [],
    ...overrides,
  };
}

async function get(path: string, options: Parameters<typeof request>[2] = {}): Promise<HttpAnswer> {
  const answer = await request(lab.origin, path, { cookie, ...options });
  answers.push(answer);
  return answer;
}

async function json<T>(path: string): Promise<T> {
  const answer = await get(path);
  expect(answer.status, `${path}: ${answer.body}`).toBe(200);
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  return JSON.parse(answer.body) as T;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-console-api-'));
  const assets = path.join(dir, 'front-end');
  await mkdir(path.join(assets, 'assets'), { recursive: true });
  await writeFile(
    path.join(assets, 'index.html'),
    '<!doctype html><title>tpm-doctor console</title><body><!--tenant-banner--><div id="app"></div><script type="module" src="/assets/app-1.js"></script>',
  );
  await writeFile(path.join(assets, 'assets', 'app-1.js'), 'export {};\n');
  store = await SqliteFleetStore.open(path.join(dir, 'fleet.sqlite'));

  // This tenant's triage: 300 devices, a few of them needing action, one with a hostile name.
  const run = await store.beginTriage(TENANT);
  const rows: TriageRow[] = [];
  for (let i = 0; i < 300; i++) rows.push(row(i));
  rows[3] = row(3, {
    deviceName: HOSTILE_NAME,
    triageClass: 'tpm-clear-candidate',
    clearSafety: 'blocked',
    reasons: [
      'Windows10CompliancePolicy.TpmRequired is nonCompliant: the TPM does not attest.',
      'escrow.missing: No BitLocker recovery key is escrowed in Entra ID for this device.',
      'tpm.lockout: The TPM is in dictionary-attack lockout.',
    ],
  });
  rows[4] = row(4, {
    triageClass: 'tpm-clear-candidate',
    clearSafety: 'safe',
    reasons: ['A recovery key escrowed in Entra ID matches.'],
    facts: LATITUDE_FACTS,
  });
  // Intune's facts, as triage stores them (from the report exports, docs/triage.md).
  for (let i = 40; i < 60; i++)
    rows[i] = row(i, {
      facts: { ...LATITUDE_FACTS, settingErrors: [], model: i < 50 ? 'Latitude 5440' : 'Surface Pro 9' },
    });
  rows[5] = row(5, {
    triageClass: 'tpm-clear-candidate',
    clearSafety: 'blocked',
    reasons: ['escrow.missing: No BitLocker recovery key is escrowed in Entra ID for this device.'],
  });
  for (let i = 10; i < 30; i++)
    rows[i] = row(i, { triageClass: 'sync-stale', lastSync: '2026-10-01T00:00:00Z' });
  // Intune gave no last sync for these two.
  for (const i of [60, 61]) rows[i] = row(i, { lastSync: null });
  await store.addTriageRows(run, rows);
  await store.finishTriage(run, {
    devices: 300,
    needingAction: 23,
    byClass: { healthy: 277, 'sync-stale': 20, 'tpm-clear-candidate': 3 },
    byClearSafety: { safe: 1, blocked: 2, 'not-the-remedy': 297 },
    lastSyncAge: { '7-30d': 280, '30-90d': 20 },
    finishedAt: '2026-12-07T10:00:00.000Z',
    warnings: ['a warning', 42],
    graphRequests: { requests: 12 },
  });
  // A newer triage of another tenant in the same store: never shown by this tenant's console.
  const other = await store.beginTriage(OTHER_TENANT);
  await store.addTriageRows(other, [row(900, { deviceName: 'OTHER-TENANT-PC' })]);
  await store.finishTriage(other, { devices: 1 });

  await store.createCampaign({
    id: 'c-sync-1',
    action: 'sync',
    target: TENANT,
    selection: 'triage 1, class sync-stale',
    deadline: '2026-12-08T10:00:00.000Z',
    devices: [
      { deviceId: 'dev-00003', deviceName: HOSTILE_NAME, baselineSync: null },
      { deviceId: 'dev-00010', deviceName: 'PC-00010', baselineSync: null },
    ],
  });
  await store.createCampaign({
    id: 'c-other-1',
    action: 'reboot',
    target: OTHER_TENANT,
    selection: 'ids',
    deadline: '2026-12-08T10:00:00.000Z',
    devices: [{ deviceId: 'dev-00003', deviceName: 'x', baselineSync: null }],
  });

  lab = await startConsole({
    store,
    tenant: { identity: { display: TENANT }, lab: true },
    host: '127.0.0.1',
    port: 0,
    assetsDir: assets,
    log: () => undefined,
  });
});

afterAll(async () => {
  await lab?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sign-in', () => {
  it('nothing but the sign-in link is answered without a session', async () => {
    for (const p of ['/', '/index.html', '/assets/app-1.js', '/api/fleet', '/api/campaigns', '/nope']) {
      const answer = await get(p, { cookie: '' });
      expect(answer.status, p).toBe(401);
      expect(answer.body).not.toContain('export {}');
    }
    const forged = await get('/api/fleet', { cookie: 'tpm_doctor_console=forged' });
    expect(forged.status).toBe(401);
  });

  it('a wrong token is refused; the right one gives an HttpOnly SameSite=Strict cookie once, then a URL without it', async () => {
    const url = new URL(lab.signInUrl);
    expect(url.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const bad of ['?token=wrong', '', '?token=', `?token=${url.searchParams.get('token')}x`]) {
      const answer = await get(`/sign-in${bad}`, { cookie: '' });
      expect(answer.status, bad).toBe(403);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    const twice = await get(`/sign-in${url.search}${url.search.replace('?', '&')}`, { cookie: '' });
    expect(twice.status).toBe(403);

    const answer = await get(`${url.pathname}${url.search}`, { cookie: '' });
    expect(answer.status).toBe(200);
    const setCookie = answer.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/^tpm_doctor_console=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    // The session's header secret goes to the page in the fragment (src/console/sign-in.ts).
    const secret = /<meta http-equiv="refresh" content="0;url=\/#session=([A-Za-z0-9_-]{43})">/.exec(
      answer.body,
    )?.[1];
    expect(secret).toBeDefined();
    expect(setCookie).not.toContain(secret);
    expect(answer.body).not.toContain(url.searchParams.get('token'));
    cookie = setCookie.split(';')[0]!;
    // The cookie alone opens the page, not the API: that needs the secret too.
    expect((await get('/api/fleet')).status).toBe(401);
    rememberSecret(cookie, secret!);

    const again = await get(`${url.pathname}${url.search}`, { cookie: '' });
    expect(again.status).toBe(403);
    expect(again.body).toContain('already used');

    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>LAB · tpm-doctor console</title>');
    expect(page.body).toContain('<div class="lab-banner" role="note">LAB TENANT — simulated devices</div>');
    expect((await get('/assets/app-1.js')).body).toBe('export {};\n');
    // Dot segments resolve as in any URL (to the page itself); encoded ones name no file.
    expect((await get('/assets/../index.html')).body).toBe(page.body);
    for (const p of [
      '/assets/..%2findex.html',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/.hidden.js',
    ]) {
      expect((await get(p)).status, p).toBe(404);
    }
    expect((await get('/assets/missing.js')).status).toBe(404);
  });
});

describe('the gate of every request', () => {
  it("a Host other than the console's own loopback name and port is refused, signed in or not", async () => {
    const port = new URL(lab.origin).port;
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1:${Number(port) + 1}`,
      `127.0.0.2:${port}`,
    ]) {
      const answer = await get('/api/fleet', { headers: { host } });
      expect(answer.status, host).toBe(403);
      expect(answer.body).not.toContain('"figures"');
    }
    // HTTP/1.0 without any Host header at all.
    const bare = await rawRequest(lab.origin, `GET /api/fleet HTTP/1.0\r\nCookie: ${cookie}\r\n\r\n`);
    expect(bare).toMatch(/^HTTP\/1\.1 403 /);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await get('/api/fleet', { headers: { host } })).status, host).toBe(200);
    }
  });

  it('a foreign Origin is refused on any request; a state-changing one needs our own', async () => {
    const foreign = await get('/api/fleet', { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    for (const origin of [
      'http://evil.example',
      'null',
      `${lab.origin}.evil.example`,
      lab.origin.replace('http:', 'https:'),
    ]) {
      const answer = await get('/api/sign-out', { method: 'POST', headers: { origin } });
      expect(answer.status, origin).toBe(403);
    }
    const noOrigin = await get('/api/sign-out', { method: 'POST' });
    expect(noOrigin.status).toBe(403);
    // Still signed in after all of those.
    expect((await get('/api/fleet', { headers: { origin: lab.origin } })).status).toBe(200);
  });

  it('methods and request targets outside the API are refused', async () => {
    const put = await get('/api/fleet', { method: 'PUT', headers: { origin: lab.origin } });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD');
    const getSignOut = await get('/api/sign-out');
    expect(getSignOut.status).toBe(405);
    expect((await get('http://evil.example/api/fleet')).status).toBe(400);
    expect((await get('//evil.example/api/fleet')).status).toBe(400);
    expect((await get('/api/nope')).status).toBe(404);
    expect((await get('/api/fleet?x=1')).status).toBe(400);
    expect((await get('/api/campaigns?x=1')).status).toBe(400);
  });

  it('every answer carries the CSP, nosniff, no-referrer, and the LAB mark of a lab tenant', async () => {
    for (const answer of answers) {
      expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers[LAB_HEADER]).toBe('LAB tenant, simulated devices');
      if (answer.headers['content-type']?.toString().startsWith('application/json')) {
        expect(JSON.parse(answer.body)).toMatchObject({
          lab: true,
          labLabel: 'LAB TENANT — simulated devices',
          tenant: TENANT,
        });
      }
      if (answer.headers['content-type']?.toString().startsWith('text/html')) {
        expect(answer.body).toContain('LAB TENANT — simulated devices');
      }
    }
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'self'/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(answers.length).toBeGreaterThan(30);
  });
});

describe('GET /api/fleet', () => {
  it("the latest triage of the console's own tenant: its figures as stored, the vocabulary, the blockers", async () => {
    const fleet = await json<FleetResponse>('/api/fleet');
    expect(fleet.run).toMatchObject({ id: 1, target: TENANT });
    expect(fleet.figures).toEqual({
      devices: 300,
      needingAction: 23,
      byClass: expect.objectContaining({
        healthy: 277,
        'sync-stale': 20,
        'tpm-clear-candidate': 3,
        unknown: 0,
      }),
      byClearSafety: { safe: 1, blocked: 2, 'not-the-remedy': 297, unknown: 0 },
      lastSyncAge: expect.objectContaining({ '7-30d': 280, '30-90d': 20, never: 0 }),
      finishedAt: '2026-12-07T10:00:00.000Z',
      warnings: ['a warning'],
    });
    expect(fleet.classes.map((c) => c.id)).toContain('tpm-clear-candidate');
    expect(fleet.classes.find((c) => c.id === 'sync-stale')?.title).toBe('Sync stale');
    expect(fleet.clearSafeties.map((c) => c.id)).toEqual(['safe', 'blocked', 'not-the-remedy', 'unknown']);
    expect(fleet.blockers).toEqual([
      { code: 'escrow.missing', devices: 2 },
      { code: 'tpm.lockout', devices: 1 },
    ]);
    expect(JSON.stringify(fleet)).not.toContain('OTHER-TENANT');
  });
});

describe('GET /api/fleet/devices', () => {
  it('pages through every device, most urgent first, counted on the server', async () => {
    const first = await json<DeviceListResponse>('/api/fleet/devices?pageSize=100');
    expect(first).toMatchObject({ run: 1, total: 300, page: 1, pageSize: 100, pages: 3 });
    expect(first.devices).toHaveLength(100);
    const seen = new Set<string>();
    for (let page = 1; page <= 3; page++) {
      const p = await json<DeviceListResponse>(`/api/fleet/devices?pageSize=100&page=${page}`);
      for (const d of p.devices) seen.add(d.deviceId);
    }
    expect(seen.size).toBe(300);
    const past = await json<DeviceListResponse>('/api/fleet/devices?page=99');
    expect(past).toMatchObject({ total: 300, pageSize: DEFAULT_PAGE_SIZE, pages: 6, devices: [] });
    const largest = await json<DeviceListResponse>(`/api/fleet/devices?pageSize=${MAX_PAGE_SIZE}`);
    expect(largest.devices).toHaveLength(300);
    expect((await get(`/api/fleet/devices?pageSize=${MAX_PAGE_SIZE + 1}`)).status).toBe(400);
    // Most urgent first, as every triage report lists them: the clear candidates (safe before
    // blocked), then the stale syncs, then the rest by name.
    expect(first.devices.slice(0, 3).map((d) => d.deviceId)).toEqual([
      'dev-00004',
      ...['dev-00003', 'dev-00005'].sort((a, b) =>
        (a === 'dev-00003' ? HOSTILE_NAME : 'PC-00005').localeCompare(
          b === 'dev-00003' ? HOSTILE_NAME : 'PC-00005',
        ),
      ),
    ]);
    expect(first.devices.slice(3, 23).every((d) => d.triageClass === 'sync-stale')).toBe(true);
    const rest = first.devices.slice(23).map((d) => d.deviceName ?? '');
    expect(rest).toEqual([...rest].sort((a, b) => a.localeCompare(b)));
  });

  it('filters by class, clear safety, blocker and search', async () => {
    const stale = await json<DeviceListResponse>('/api/fleet/devices?class=sync-stale');
    expect(stale.total).toBe(20);
    expect(stale.devices.every((d) => d.triageClass === 'sync-stale')).toBe(true);
    const safe = await json<DeviceListResponse>('/api/fleet/devices?safety=safe');
    expect(safe.devices.map((d) => d.deviceId)).toEqual(['dev-00004']);
    const either = await json<DeviceListResponse>('/api/fleet/devices?safety=safe&safety=blocked');
    expect(either.total).toBe(3);
    const escrow = await json<DeviceListResponse>('/api/fleet/devices?blocker=escrow.missing');
    expect(escrow.devices.map((d) => d.deviceId).sort()).toEqual(['dev-00003', 'dev-00005']);
    expect(escrow.devices.find((d) => d.deviceId === 'dev-00003')?.blockers).toEqual([
      'escrow.missing',
      'tpm.lockout',
    ]);
    const lockout = await json<DeviceListResponse>(
      '/api/fleet/devices?blocker=tpm.lockout&class=tpm-clear-candidate',
    );
    expect(lockout.total).toBe(1);
    const none = await json<DeviceListResponse>('/api/fleet/devices?blocker=tpm.lockout&class=healthy');
    expect(none).toMatchObject({ total: 0, pages: 0, devices: [] });
    const search = await json<DeviceListResponse>('/api/fleet/devices?q=pc-0002');
    expect(search.devices.map((d) => d.deviceName)).toEqual(
      Array.from({ length: 10 }, (_, i) => `PC-0002${i}`),
    );
    expect(
      (await json<DeviceListResponse>('/api/fleet/devices?q=AAD-299')).devices.map((d) => d.deviceId),
    ).toEqual(['dev-00299']);
    expect(
      (await json<DeviceListResponse>(`/api/fleet/devices?q=${encodeURIComponent('onerror=')}`)).total,
    ).toBe(1);
  });

  it("filters by Intune's facts (model, TPM maker, firmware, error code), listed with counts by /api/fleet", async () => {
    const fleet = await json<FleetResponse>('/api/fleet');
    expect(fleet.facts.models).toEqual([
      { value: 'unknown', devices: 279 },
      { value: 'Latitude 5440', devices: 11 },
      { value: 'Surface Pro 9', devices: 10 },
    ]);
    expect(fleet.facts.tpmManufacturers).toEqual([
      { value: 'unknown', devices: 279 },
      { value: 'NTC', devices: 21 },
    ]);
    expect(fleet.facts.firmwares[1]).toEqual({ value: '1.14.1', devices: 21 });
    expect(fleet.facts.errorCodes).toEqual([{ value: '-2016281112', devices: 1 }]);

    const latitude = await json<DeviceListResponse>('/api/fleet/devices?model=Latitude%205440&pageSize=100');
    expect(latitude.total).toBe(11);
    expect(latitude.devices.every((d) => d.model === 'Latitude 5440' && d.tpmManufacturer === 'NTC')).toBe(
      true,
    );
    const either = await json<DeviceListResponse>(
      '/api/fleet/devices?model=Latitude%205440&model=Surface%20Pro%209&firmware=1.14.1',
    );
    expect(either.total).toBe(21);
    expect(
      (
        await json<DeviceListResponse>('/api/fleet/devices?tpmManufacturer=NTC&class=tpm-clear-candidate')
      ).devices.map((d) => d.deviceId),
    ).toEqual(['dev-00004']);
    const byCode = await json<DeviceListResponse>('/api/fleet/devices?errorCode=-2016281112');
    expect(byCode.devices.map((d) => [d.deviceId, d.firmware])).toEqual([['dev-00004', '1.14.1']]);
    const unknownMaker = await json<DeviceListResponse>('/api/fleet/devices?tpmManufacturer=unknown');
    expect(unknownMaker.total).toBe(279);
    expect((await json<DeviceListResponse>('/api/fleet/devices?errorCode=0')).total).toBe(0);
  });

  it('filters by last sync: more than an age before the triage read it, or unknown (neither old nor recent)', async () => {
    const unknown = await json<DeviceListResponse>('/api/fleet/devices?notSyncedFor=unknown');
    expect(unknown.devices.map((d) => d.deviceId)).toEqual(['dev-00060', 'dev-00061']);
    // The triage ran today: every known last sync (1 October or 1 December 2026) is over a day old.
    expect((await json<DeviceListResponse>('/api/fleet/devices?notSyncedFor=1d')).total).toBe(298);
    // A number of days between the two dates, whatever day this runs: only 1 October is older.
    const DAY = 86_400_000;
    const days = Math.floor((Date.now() - Date.parse('2026-12-01T10:00:00Z')) / DAY) + 2;
    const older = await json<DeviceListResponse>(`/api/fleet/devices?notSyncedFor=${days}d&pageSize=100`);
    expect(older.total).toBe(20);
    expect(older.devices.every((d) => d.triageClass === 'sync-stale')).toBe(true);
    const combined = await json<DeviceListResponse>(
      `/api/fleet/devices?notSyncedFor=${days}d&class=sync-stale&model=Latitude%205440`,
    );
    expect(combined.total).toBe(0);
    for (const query of [
      'notSyncedFor=7',
      'notSyncedFor=0d',
      'notSyncedFor=7d&notSyncedFor=1d',
      'notSyncedFor=Unknown',
    ])
      expect((await get(`/api/fleet/devices?${query}`)).status, query).toBe(400);
  });

  it('refuses bad fact filter values with 400, without quoting them back', async () => {
    for (const query of [
      'model=',
      `model=${'x'.repeat(201)}`,
      'model=a%0Ab',
      'tpmManufacturer=%E2%80%AE',
      'firmware=%00',
      'errorCode=abc',
      'errorCode=1.5',
      'errorCode=%3Cscript%3E',
      `errorCode=${'1'.repeat(21)}`,
      'tpm=NTC',
    ]) {
      const answer = await get(`/api/fleet/devices?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body).not.toContain('script');
      expect(answer.body).not.toContain('xxxxxxxx');
    }
  });

  it('refuses bad paging and filter values with 400, without quoting them back', async () => {
    for (const query of [
      'page=0',
      'page=-1',
      'page=abc',
      'page=1.5',
      'page=1e3',
      'page=',
      'page=1&page=2',
      'page=99999999999',
      'pageSize=0',
      'pageSize=501',
      'pageSize=100000',
      'class=nope',
      'class=%3Cscript%3E',
      'safety=SAFE',
      'blocker=escrow%20missing',
      'blocker=Escrow.Missing',
      `q=${'x'.repeat(201)}`,
      'q=a&q=b',
      'sort=name',
      'page%00=1',
    ]) {
      const answer = await get(`/api/fleet/devices?${query}`);
      expect(answer.status, query).toBe(400);
      const body = JSON.parse(answer.body) as { error: string; lab: boolean };
      expect(body.lab).toBe(true);
      expect(body.error.length).toBeGreaterThan(5);
      expect(answer.body).not.toContain('script');
      expect(answer.body).not.toContain('xxxxxxxx');
    }
  });

  it('a hostile device name is sent as inert JSON and read back exactly', async () => {
    const answer = await get('/api/fleet/devices?safety=blocked');
    expect(answer.status).toBe(200);
    // No raw markup characters or JavaScript line separators in the bytes at all.
    expect(answer.body).not.toMatch(/[<>&\u2028\u2029]/);
    expect(answer.body).toContain('\\u003c/script\\u003e');
    const page = JSON.parse(answer.body) as DeviceListResponse;
    expect(page.devices.map((d) => d.deviceName)).toContain(HOSTILE_NAME);
  });
});

describe('GET /api/devices/ID', () => {
  it("one device's facts: its reasons and its blockers apart, the class's remedy, its campaigns in this tenant", async () => {
    const answer = await json<DeviceResponse>('/api/devices/dev-00003');
    expect(answer.device).toEqual({
      deviceId: 'dev-00003',
      deviceName: HOSTILE_NAME,
      azureAdDeviceId: 'aad-3',
      triageClass: 'tpm-clear-candidate',
      classTitle: 'TPM: clear candidate',
      remedy: expect.stringContaining('gated procedure'),
      clearSafety: 'blocked',
      clearSafetyTitle: 'Clear blocked',
      lastSync: '2026-12-01T10:00:00Z',
      reasons: ['Windows10CompliancePolicy.TpmRequired is nonCompliant: the TPM does not attest.'],
      blockers: [
        {
          code: 'escrow.missing',
          reason: 'No BitLocker recovery key is escrowed in Entra ID for this device.',
        },
        { code: 'tpm.lockout', reason: 'The TPM is in dictionary-attack lockout.' },
      ],
      // Stored without facts: every one unknown, never guessed.
      facts: {
        manufacturer: 'unknown',
        model: 'unknown',
        tpmManufacturer: 'unknown',
        tpmVersion: 'unknown',
        firmware: 'unknown',
        settingErrors: [],
      },
    });
    expect(answer.campaigns).toEqual([
      expect.objectContaining({ id: 'c-sync-1', action: 'sync', status: 'running', phase: 'pending' }),
    ]);
    const encoded = await json<DeviceResponse>(`/api/devices/${encodeURIComponent('dev-00004')}`);
    expect(encoded.device.clearSafety).toBe('safe');
    expect(encoded.device.facts).toEqual(LATITUDE_FACTS);
  });

  it("an unknown device is 404, a malformed or overlong id 400, another tenant's device is not found", async () => {
    expect((await get('/api/devices/dev-99999')).status).toBe(404);
    expect((await get('/api/devices/dev-00900')).status).toBe(404);
    expect((await get('/api/devices/%E0%A4%A')).status).toBe(400);
    expect((await get(`/api/devices/${'a'.repeat(201)}`)).status).toBe(400);
    expect((await get('/api/devices/')).status).toBe(404);
    expect((await get('/api/devices/a/b')).status).toBe(404);
    const hostile = await get(`/api/devices/${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(hostile.status).toBe(404);
    expect(hostile.body).not.toContain('<script>');
  });
});

describe('GET /api/campaigns', () => {
  it("lists this tenant's campaigns with their devices by phase, not another tenant's", async () => {
    const answer = await json<CampaignsResponse>('/api/campaigns');
    expect(answer.campaigns).toEqual([
      expect.objectContaining({
        id: 'c-sync-1',
        action: 'sync',
        status: 'running',
        selection: 'triage 1, class sync-stale',
        devices: 2,
        byPhase: expect.objectContaining({ pending: 2, compliant: 0 }),
      }),
    ]);
  });
});

describe('secrets and sign-out', () => {
  it('neither the sign-in token nor the session id appears in any answer', async () => {
    const token = new URL(lab.signInUrl).searchParams.get('token')!;
    const session = cookie.split('=')[1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const answer of answers) {
      expect(answer.body).not.toContain(token);
      expect(answer.body).not.toContain(session);
    }
  });

  it('sign-out with our Origin ends the session', async () => {
    const out = await get('/api/sign-out', { method: 'POST', headers: { origin: lab.origin } });
    expect(out.status).toBe(204);
    expect(out.headers['set-cookie']?.[0]).toContain('Max-Age=0');
    expect((await get('/api/fleet')).status).toBe(401);
  });
});

describe('a console of a tenant with no triage, not a lab', () => {
  it('says what to run, and marks nothing LAB', async () => {
    const console2 = await startConsole({
      store,
      tenant: { identity: { display: 'https://graph.microsoft.com tenant fabrikam' }, lab: false },
      host: '127.0.0.1',
      port: 0,
      assetsDir: path.join(dir, 'front-end'),
      log: () => undefined,
    });
    try {
      const session = await signIn(console2.signInUrl);
      const fleet = await request(console2.origin, '/api/fleet', { cookie: session });
      expect(fleet.headers['x-tpm-doctor-lab']).toBeUndefined();
      const body = JSON.parse(fleet.body) as FleetResponse;
      expect(body).toMatchObject({ lab: false, labLabel: null, run: null, figures: null });
      expect(body.message).toContain('tpm-doctor fleet triage');
      expect((await request(console2.origin, '/api/fleet/devices', { cookie: session })).status).toBe(404);
      expect((await request(console2.origin, '/api/devices/dev-00001', { cookie: session })).status).toBe(
        404,
      );
      expect((await request(console2.origin, '/', { cookie: session })).body).not.toContain('LAB');
    } finally {
      await console2.close();
    }
  });
});

describe('100,000 devices', () => {
  it('pages and filters a 100,000-device triage', async () => {
    const bigTenant = 'LAB tenant in-process (100000 simulated devices, seed 1)';
    const run = await store.beginTriage(bigTenant);
    for (let start = 0; start < 100_000; start += 10_000) {
      const chunk: TriageRow[] = [];
      for (let i = start; i < start + 10_000; i++) {
        chunk.push(row(i, i % 1000 === 0 ? { triageClass: 'sync-stale' } : {}));
      }
      await store.addTriageRows(run, chunk);
    }
    await store.finishTriage(run, { devices: 100_000 });
    const big = await startConsole({
      store,
      tenant: { identity: { display: bigTenant }, lab: true },
      host: '127.0.0.1',
      port: 0,
      assetsDir: path.join(dir, 'front-end'),
      log: () => undefined,
    });
    try {
      const session = await signIn(big.signInUrl);
      const last = await request(big.origin, '/api/fleet/devices?pageSize=500&page=200', { cookie: session });
      const page = JSON.parse(last.body) as DeviceListResponse;
      expect(page).toMatchObject({ total: 100_000, pages: 200, page: 200 });
      expect(page.devices).toHaveLength(500);
      expect(page.devices.at(-1)?.deviceName).toBe('PC-99999');
      // The 100 stale syncs come first.
      const top = JSON.parse(
        (await request(big.origin, '/api/fleet/devices?pageSize=100', { cookie: session })).body,
      ) as DeviceListResponse;
      expect(top.devices.every((d) => d.triageClass === 'sync-stale')).toBe(true);
      const stale = JSON.parse(
        (await request(big.origin, '/api/fleet/devices?class=sync-stale&q=pc-9', { cookie: session })).body,
      ) as DeviceListResponse;
      expect(stale.total).toBe(10);
    } finally {
      await big.close();
    }
  }, 120_000);
});
