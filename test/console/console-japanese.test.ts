/**
 * The console in Japanese (`--lang ja`), against `tpm-doctor console --tenant lab`: every text
 * the API shows to people is Japanese (from the CLI's catalogs, src/text/messages/ja.ts) while
 * its codes stay English for scripts; and in Chromium the fleet, a dry run, a campaign and a
 * device show no English sentence. What stays English on purpose is listed in SKIPPED_PATHS and
 * in README.md's "Language" section.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CampaignDetailResponse,
  CampaignPlanResponse,
  CampaignsResponse,
  DeviceListResponse,
  DeviceResponse,
  FleetResponse,
  StartedResponse,
} from '../../src/console/api-types.js';
import { JA } from '../../src/text/messages/ja.js';
import { runCli, useTempDir } from '../cli/cli-support.js';
import { launchChromium, screenshot as shot, UI_TIMEOUT } from './chromium-support.js';
import { readEvents, type SseEvent } from './console-events.js';
import { type HttpAnswer, request, sessionHeaderOf, signIn } from './console-http.js';
import { type ConsoleProcess, startConsoleCli, useBuiltConsole } from './console-support.js';
import { displayTexts, type FoundText, isEnglishSentence } from './english-text.js';

const LAB = ['--tenant', 'lab', '--lab-devices', '1000', '--lab-seed', '21', '--lab-window-ms', '2000'];
/** Generous: the 2-core CI machine runs other suites at the same time. */
const LONG = 300_000;

/** Fields that hold codes, ids, times or counts: English or numbers by contract, never prose. */
const CODE_KEYS = new Set([
  'id',
  'deviceId',
  'deviceName',
  'azureAdDeviceId',
  'tenant',
  'store',
  'target',
  'createdAt',
  'updatedAt',
  'deadline',
  'expiresAt',
  'lastSync',
  'postedAt',
  'compliantAt',
  'finishedAt',
  'planId',
  'action',
  'status',
  'phase',
  'triageClass',
  'clearSafety',
  'code',
  'confirmWord',
  'blockers',
  'model',
  'tpmManufacturer',
  'firmware',
]);

/**
 * What the API keeps in English on purpose, each with why (README.md "Language"):
 * - `plan`: the CLI's `--dry-run --json`, a contract for scripts (JSON stays English);
 * - `facts`: Intune's values (models, makers, versions, its setting names and states);
 * - `reasons`, a blocker's or a refused device's `reason`, `warnings`: the sentences triage stored
 *   with the run, which the CLI also shows as stored;
 * - a campaign's `selection`: the record the store keeps (as `fleet status` shows it);
 * - a device's `error` and `note`: the stored text (`errorText` and `noteText` are the display).
 */
function skipped(at: string, value: unknown): boolean {
  // The key of a value, or of the list it is in (`devices[0].blockers[1]`: blockers).
  const key =
    at
      .replace(/\[\d+\]$/, '')
      .split('.')
      .at(-1) ?? '';
  if (typeof value === 'string' && CODE_KEYS.has(key)) return true;
  if (at === 'plan' || key === 'facts' || key === 'reasons' || key === 'warnings') return true;
  if (/(^|\.)(blockers|refused)\[\d+\]\.reason$/.test(at)) return true;
  if (/^(campaigns\[\d+\]|status)\.selection$/.test(at)) return true;
  if (/(^|\.)(error|note)$/.test(at) && at !== 'error') return true;
  return false;
}

/** The display texts of an answer that are English sentences (none is allowed). */
function english(answer: unknown): FoundText[] {
  return displayTexts(answer, skipped).filter((found) => isEnglishSentence(found.text));
}

useBuiltConsole();
const tmp = useTempDir('tpm-doctor-console-japanese-');
let running: ConsoleProcess;
let cookie: string;
let browser: Browser | undefined;
let shots: string;

async function get<T>(at: string): Promise<T> {
  const answer = await request(running.origin, at, { cookie });
  expect(answer.status, `${at}: ${answer.body}`).toBe(200);
  return JSON.parse(answer.body) as T;
}

function post(at: string, body: unknown): Promise<HttpAnswer> {
  return request(running.origin, at, {
    method: 'POST',
    cookie,
    headers: { origin: running.origin, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
}

async function postOk<T>(at: string, body: unknown, status = 200): Promise<T> {
  const answer = await post(at, body);
  expect(answer.status, `${at}: ${answer.body}`).toBe(status);
  return JSON.parse(answer.body) as T;
}

/** A refusal's answer: its status and its one sentence, which must be Japanese. */
async function refusal(answer: Promise<HttpAnswer>, status: number): Promise<string> {
  const { status: got, body } = await answer;
  expect(got, body).toBe(status);
  const parsed = JSON.parse(body) as { error: string };
  expect(english(parsed)).toEqual([]);
  return parsed.error;
}

beforeAll(async () => {
  const store = `sqlite:${tmp.file('fleet.sqlite')}`;
  const triage = await runCli(['fleet', 'triage', ...LAB, '--store', store, '--quiet', '--format', 'csv'], {
    timeoutMs: 180_000,
  });
  if (triage.code !== 0) throw new Error(`fleet triage failed (${triage.code}): ${triage.stderr}`);
  running = await startConsoleCli([...LAB, '--store', store, '--lang', 'ja']);
  cookie = await signIn(running.signInUrl);
  shots = await mkdtemp(path.join(tmpdir(), 'tpm-doctor-console-ja-shots-'));
}, 400_000);

afterAll(async () => {
  await browser?.close();
  if (running) expect((await running.stop('SIGTERM')).code).toBe(0);
  if (shots) await rm(shots, { recursive: true, force: true });
});

describe('what counts as an English sentence', () => {
  it('finds English prose and passes Japanese, codes, ids, numbers and proper nouns', () => {
    for (const text of ['Nothing to report.', 'Sync stale', 'stopped', 'Would sync 3 devices', 'deadline'])
      expect(isEnglishSentence(text), text).toBe(true);
    for (const text of [
      '検出事項はありません。',
      'TPM',
      'Intune デバイス ID',
      'sync-stale',
      'tpm.lockout',
      '1,000',
      '2026-12-07 10:00',
      'LAB',
      'sqlite:/tmp/fleet.sqlite',
      'BitLocker 無効',
    ])
      expect(isEnglishSentence(text), text).toBe(false);
  });
});

describe('the console API with --lang ja', () => {
  it(
    'answers the fleet, its devices, a device, a triage, a dry run, a campaign and its refusals in Japanese, with English codes',
    async () => {
      const fleet = await get<FleetResponse>('/api/fleet');
      expect(english(fleet)).toEqual([]);
      // The same words as the CLI's Japanese (one catalog), next to the English code.
      expect(fleet.classes.find((c) => c.id === 'sync-stale')).toMatchObject({
        title: JA['triage.class.sync-stale'],
        remedy: JA['triage.remedy.sync-stale'],
      });
      expect(fleet.clearSafeties.find((s) => s.id === 'safe')?.title).toBe(JA['triage.safety.safe']);
      expect(fleet.labLabel).toBe(JA['lab.tenant-label']);

      const devices = await get<DeviceListResponse>('/api/fleet/devices?class=sync-stale');
      expect(devices.total).toBeGreaterThan(0);
      expect(devices.devices[0]?.triageClass).toBe('sync-stale');
      expect(english(devices)).toEqual([]);

      const first = devices.devices[0]!;
      const device = await get<DeviceResponse>(`/api/devices/${encodeURIComponent(first.deviceId)}`);
      expect(device.device.classTitle).toBe(JA['triage.class.sync-stale']);
      expect(english(device)).toEqual([]);

      // A triage from the console: its progress and its end as `fleet triage` says them.
      const triage = await postOk<StartedResponse>('/api/triage', {}, 202);
      const triageEvents = await readEvents(running.origin, `/api/triage/${triage.id}/events`, cookie);
      expect(triageEvents.ended).toBe(true);
      const end = triageEvents.events.at(-1) as SseEvent;
      expect(end.data).toMatchObject({ error: null, devices: 1000 });
      expect(triageEvents.events.some((e) => e.event === 'progress')).toBe(true);
      for (const event of triageEvents.events) expect(english(event.data), event.event).toEqual([]);

      // The dry run: the CLI's own sentence, in Japanese. (Attestation-stale devices: the browser
      // test below syncs the sync-stale ones, which a campaign here would already have posted to.)
      const plan = await postOk<CampaignPlanResponse>('/api/campaigns/plan', {
        action: 'sync',
        classes: ['attestation'],
      });
      expect(plan.devices).toBeGreaterThan(0);
      expect(plan.summary).toEqual([
        JA['fleet.dry-run.campaign']({
          action: JA['fleet.action.sync'],
          devices: plan.devices,
          writes: plan.limits.writesPerWindow,
          seconds: plan.limits.windowMs / 1000,
          minimumSeconds: plan.minimumPostingSeconds,
        }),
      ]);
      expect(plan.selection).toContain(JA['triage.class.attestation']);
      expect(english(plan)).toEqual([]);

      // A clear's dry run, and its start refused without the typed CLEAR: in Japanese.
      const clearPlan = await postOk<CampaignPlanResponse>('/api/campaigns/plan', {
        action: 'clear',
        clearSafety: ['safe'],
      });
      expect(clearPlan.summary.at(-1)).toBe(JA['fleet.clear-plan.would-clear']({ count: clearPlan.devices }));
      expect(english(clearPlan)).toEqual([]);
      const notConfirmed = await refusal(
        post('/api/campaigns', {
          planId: clearPlan.planId,
          approvedBy: 'A. Admin',
          ticket: 'CHG-1',
          confirm: 'clear',
        }),
        400,
      );
      expect(notConfirmed).toBe(JA['console.refuse.not-confirmed']({ word: 'CLEAR' }));

      // A campaign: its events, its page, its refusals.
      const started = await postOk<StartedResponse>('/api/campaigns', { planId: plan.planId }, 202);
      await refusal(post('/api/campaigns', { planId: plan.planId }), 404);
      const eventsPath = `/api/campaigns/${started.id}/events`;
      const watched = await readEvents(running.origin, eventsPath, cookie, (events) =>
        ['progress', 'device'].every((name) => events.some((e) => e.event === name)),
      );
      for (const event of watched.events) expect(english(event.data), event.event).toEqual([]);
      const detail = await get<CampaignDetailResponse>(`/api/campaigns/${started.id}`);
      expect(detail.status.action).toBe('sync');
      expect(detail.status.actionTitle).toBe(JA['fleet.action.sync']);
      expect(detail.phases.map((p) => p.id)).toContain('compliant');
      expect(english(detail)).toEqual([]);
      await refusal(post(`/api/campaigns/${started.id}/resume`, {}), 409);
      await postOk(`/api/campaigns/${started.id}/stop`, {});
      const stopped = await readEvents(running.origin, eventsPath, cookie);
      expect(stopped.events.at(-1)).toMatchObject({
        event: 'end',
        data: { status: 'stopped', statusTitle: JA['fleet.state.stopped'] },
      });
      for (const event of stopped.events) expect(english(event.data), event.event).toEqual([]);
      await refusal(post(`/api/campaigns/${started.id}/stop`, {}), 409);

      const campaigns = await get<CampaignsResponse>('/api/campaigns');
      expect(campaigns.campaigns[0]?.statusTitle).toBe(JA['fleet.state.stopped']);
      expect(english(campaigns)).toEqual([]);
      const inCampaign = detail.devices[0]!;
      const withCampaign = await get<DeviceResponse>(
        `/api/devices/${encodeURIComponent(inCampaign.deviceId)}`,
      );
      expect(withCampaign.campaigns[0]?.actionTitle).toBe(JA['fleet.action.sync']);
      expect(english(withCampaign)).toEqual([]);

      // Abandoned: as `fleet abandon`, in Japanese.
      await postOk(`/api/campaigns/${started.id}/abandon`, {});
      await refusal(post(`/api/campaigns/${started.id}/resume`, {}), 409);
      const abandoned = await get<CampaignDetailResponse>(`/api/campaigns/${started.id}`);
      expect(abandoned.status.statusTitle).toBe(JA['fleet.state.abandoned']);
      expect(english(abandoned)).toEqual([]);

      // Refusals the page can meet.
      await refusal(post('/api/campaigns', { planId: 'lapsed' }), 404);
      await refusal(request(running.origin, '/api/fleet'), 401);
      await refusal(request(running.origin, '/api/devices/no-such-device', { cookie }), 404);
      await refusal(request(running.origin, '/api/campaigns/no-such-campaign', { cookie }), 404);
      await refusal(request(running.origin, '/api/triage/triage-99/events', { cookie }), 404);

      // The server's own pages: the sign-in page, and the one-time link used a second time.
      const signedOut = await request(running.origin, '/');
      expect(signedOut.status).toBe(401);
      expect(signedOut.body).toContain('<html lang="ja">');
      expect(signedOut.body).toContain(`<h1>${JA['console.page.sign-in']}</h1>`);
      expect(signedOut.body).toContain(JA['console.page.sign-in-text']);
      expect(signedOut.body).toContain(JA['lab.tenant-label']);
      const link = new URL(running.signInUrl);
      const usedAgain = await request(running.origin, `${link.pathname}${link.search}`);
      expect(usedAgain.status).toBe(403);
      expect(usedAgain.body).toContain(JA['console.page.link-used']);
    },
    LONG,
  );
});

/** The texts a person sees on the page, without what it shows as data (names, ids, records). */
async function visibleEnglish(page: Page): Promise<string[]> {
  const texts = (await page.evaluate(`(() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const out = [];
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (text === '' || node.parentElement.closest('bdi, code, .id, .brand, .fact, script, style') !== null) continue;
      out.push(text);
    }
    return out;
  })()`)) as string[];
  return texts.filter(isEnglishSentence);
}

describe('the console in Chromium with --lang ja', () => {
  it(
    'shows the fleet, a dry run, a campaign and a device with no English sentence',
    async () => {
      browser = await launchChromium();
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(UI_TIMEOUT);
        // The one-time link was used by the API test: the browser gets that session's cookie, and
        // its header secret the way the sign-in hands it to the page (in the fragment).
        const [name, value] = cookie.split('=') as [string, string];
        await context.addCookies([{ name, value, url: running.origin, httpOnly: true, sameSite: 'Strict' }]);
        await page.goto(`${running.origin}/#session=${sessionHeaderOf(cookie)['x-tpm-doctor-session']}`);
        await page.getByRole('heading', { name: 'フリート', level: 1 }).waitFor();
        await page.locator('table.devices tbody tr').first().waitFor();
        await expect(page.locator('.lab-banner').textContent()).resolves.toBe(JA['lab.tenant-label']);
        expect(await visibleEnglish(page)).toEqual([]);
        await shot(page, shots, 'ja-fleet');

        await page.getByLabel('分類').selectOption('sync-stale');
        await page.waitForURL(/class=sync-stale/);
        await page.getByLabel('操作', { exact: true }).selectOption('sync');
        await page.getByRole('button', { name: 'ドライ ラン' }).click();
        const plan = page.getByRole('form', { name: 'ドライ ラン' });
        await plan.getByText('ドライ ラン: 何も送信していません').waitFor();
        await expect(plan.getByRole('status').textContent()).resolves.toMatch(
          /^ドライ ラン: \d+台のデバイスに同期を送信します。/,
        );
        expect(await visibleEnglish(page)).toEqual([]);
        await shot(page, shots, 'ja-dry-run');

        await plan.getByRole('button', { name: 'キャンペーンを開始' }).click();
        await page.waitForURL(/#\/campaign\//);
        await page.locator('table.campaign-devices tbody tr').first().waitFor();
        await page.locator('.campaign-status strong', { hasText: JA['fleet.state.running'] }).waitFor();
        expect(await visibleEnglish(page)).toEqual([]);
        await shot(page, shots, 'ja-campaign');
        await page.getByRole('button', { name: '停止' }).click();
        await page.locator('.campaign-status strong', { hasText: JA['fleet.state.stopped'] }).waitFor();
        expect(await visibleEnglish(page)).toEqual([]);

        await page.locator('table.campaign-devices tbody tr a').first().click();
        await page.getByRole('heading', { name: 'Intune が報告する情報' }).waitFor();
        await page.getByRole('heading', { name: 'キャンペーン', level: 2 }).waitFor();
        expect(await visibleEnglish(page)).toEqual([]);
        await shot(page, shots, 'ja-device');
      } finally {
        await context.close();
      }
    },
    LONG,
  );
});
