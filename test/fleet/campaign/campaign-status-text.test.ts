/** The campaign summary as a Japanese admin reads it: labels aligned by columns, local times. */
import { describe, expect, it } from 'vitest';
import { renderPlan } from '../../../src/cli/fleet/clear-command.js';
import { formatProgressLine } from '../../../src/fleet/campaign/campaign-progress.js';
import {
  phaseLabel,
  renderCampaignList,
  renderCampaignStatus,
} from '../../../src/fleet/campaign/campaign-status.js';
import { openDeviceLines } from '../../../src/fleet/campaign/open-devices.js';
import type { DevicePhase } from '../../../src/fleet/store/fleet-store.js';
import { displayWidth } from '../../../src/text/display-width.js';
import { formatLocalTime } from '../../../src/text/local-time.js';
import { loadMessages } from '../../../src/text/messages/catalog.js';

const SUMMARY = {
  schema: 'tpm-doctor/campaign-status/v1',
  id: 'c-1',
  action: 'sync',
  status: 'stopped',
  target: 'http://127.0.0.1:40123 tenant lab',
  selection: 'triage 3, class tpm-clear-safe',
  createdAt: '2025-06-01T10:00:00.000Z',
  deadline: '2025-06-02T10:00:00.000Z',
  lab: true,
  scriptId: null,
  total: 3,
  done: 1,
  open: 2,
  counts: {
    pending: 1,
    posting: 0,
    posted: 1,
    unconfirmed: 0,
    synced: 0,
    compliant: 1,
    failed: 0,
    'timed-out': 0,
  },
  problems: [],
  problemsOmitted: 0,
} as unknown as Parameters<typeof renderCampaignStatus>[0];

describe('campaign status in Japanese', () => {
  it('labels, counts and the resume command in Japanese; times in the local zone; IDs unchanged', async () => {
    const { ui } = await loadMessages('ja');
    const text = renderCampaignStatus(SUMMARY, { ui, language: 'ja' });
    expect(text).toContain('[LAB] キャンペーン c-1: 同期、停止中');
    expect(text).toContain(`作成日時:  ${formatLocalTime(SUMMARY.createdAt, 'ja')}`);
    expect(text).toContain('3台（完了1台、未完了2台）');
    expect(text).toContain('停止中:「tpm-doctor fleet resume c-1」で再開できます。');
    // The counts stay in one column whatever the width of the Japanese labels.
    const countColumns = text
      .split('\n')
      .filter((l) => /^ {2}\S.* +\d+$/.test(l) && !l.includes(':'))
      .map((l) => displayWidth(l));
    expect(countColumns).toHaveLength(8);
    expect(new Set(countColumns).size).toBe(1);
  });

  it('English stays as it was, with the times in the local zone', () => {
    const text = renderCampaignStatus(SUMMARY);
    expect(text).toContain(`  Created:   ${formatLocalTime(SUMMARY.createdAt)}   Deadline: `);
    expect(text).toContain('  Devices:   3 (1 done, 2 open)');
    expect(renderCampaignList([])).toBe('No campaigns yet.\n');
  });

  it("a device's stored error shows its times as the header does, not ISO; the resume command as given", () => {
    const error = 'no sync seen at the campaign deadline 2025-06-02T10:00:00.000Z';
    const text = renderCampaignStatus(
      {
        ...SUMMARY,
        problems: [{ deviceId: 'd-1', deviceName: 'PC-1', phase: 'timed-out', error }],
      } as Parameters<typeof renderCampaignStatus>[0],
      { resumeCommand: 'tpm-doctor fleet resume c-1 --tenant lab' },
    );
    expect(text).toContain(
      `    d-1 (PC-1): timed-out: no sync seen at the campaign deadline ${formatLocalTime(SUMMARY.deadline)}`,
    );
    expect(text).toContain(`Deadline: ${formatLocalTime(SUMMARY.deadline)}`);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect(text).toContain('Stopped: "tpm-doctor fleet resume c-1 --tenant lab" resumes it.');
  });
});

/** A timed-out device and an interrupted post, as the campaign tracker and runner store them. */
const WITH_PROBLEMS = {
  ...SUMMARY,
  status: 'abandoned',
  problems: [
    {
      deviceId: 'd-1',
      deviceName: 'TYO-LT-1',
      phase: 'timed-out',
      error: 'posted, no sync seen at the campaign deadline 2025-06-02T10:00:00.000Z',
    },
    {
      deviceId: 'd-2',
      deviceName: null,
      phase: 'unconfirmed',
      error: 'interrupted between the posting mark and the answer: Graph may have acted; not sent again',
    },
    { deviceId: 'd-3', deviceName: null, phase: 'failed', error: 'HTTP 400 BadRequest' },
  ],
} as unknown as Parameters<typeof renderCampaignStatus>[0];

const OPEN = [
  { deviceId: 'd-4', deviceName: 'OSA-DT-2', phase: 'posted', posted: true },
  { deviceId: 'd-5', deviceName: null, phase: 'pending', posted: false },
];

const PROGRESS = {
  action: 'sync',
  campaignId: 'c-1',
  total: 2000,
  done: 812,
  counts: {
    pending: 400,
    posting: 0,
    posted: 700,
    unconfirmed: 88,
    synced: 0,
    compliant: 812,
    failed: 0,
    'timed-out': 0,
  },
  postsPerSecond: 9.8,
  postingEtaSeconds: 121,
  writeWindowWaitSeconds: 5,
  deadlineInSeconds: 600,
} as unknown as Parameters<typeof formatProgressLine>[0];

describe('fleet screens in Japanese: no English word of their own left', () => {
  it('the status of an abandoned campaign: its words, the timed-out reason and the interrupted post', async () => {
    const { ui } = await loadMessages('ja');
    const text = renderCampaignStatus(WITH_PROBLEMS, { ui, language: 'ja' });
    expect(text).toContain('キャンペーン c-1: 同期、中止済み');
    expect(text).toContain(
      `d-1 (TYO-LT-1): タイムアウト: キャンペーンの期限 ${formatLocalTime('2025-06-02T10:00:00.000Z', 'ja')} の時点で送信済みですが、同期が確認できません`,
    );
    expect(text).toContain('d-2: 送信未確認: 送信の記録から応答までの間に中断されました');
    // Graph's own words stay as Graph wrote them.
    expect(text).toContain('d-3: 失敗: HTTP 400 BadRequest');
    for (const english of [
      'sync',
      'abandoned',
      'timed-out',
      'no sync seen',
      'campaign deadline',
      'interrupted',
    ])
      expect(text).not.toContain(english);
    expect(
      renderCampaignList([{ ...WITH_PROBLEMS, target: 'LAB tenant' } as never], { ui, language: 'ja' }),
    ).toMatch(/c-1 {2}同期 {6}中止済み 作成 /);
  });

  it('the open devices of fleet status and fleet abandon', async () => {
    const { ui } = await loadMessages('ja');
    const phase = (p: string) => phaseLabel(ui, 'sync', p as DevicePhase);
    const open = openDeviceLines(
      OPEN,
      ui['fleet.open.heading'],
      { posted: ui['fleet.open.followed'], phase },
      ui,
    ).join('\n');
    expect(open).toContain('未完了 (2):');
    expect(open).toContain(`d-4 (OSA-DT-2): ${phase('posted')} (追跡中)`);
    expect(open).toContain(`d-5: ${phase('pending')}`);
    expect(open).not.toMatch(/Open|posted|pending|followed/);
    const notDone = openDeviceLines(
      OPEN,
      ui['fleet.abandon.heading'],
      { posted: ui['fleet.open.no-longer-followed'], notPosted: ui['fleet.open.never-posted'], phase },
      ui,
    ).join('\n');
    expect(notDone).toContain('(追跡終了)');
    expect(notDone).toContain('(今後も送信しません)');
    expect(notDone).not.toMatch(/Not done|never posted|no longer followed/);
  });

  it('the progress line', async () => {
    const { ui } = await loadMessages('ja');
    expect(formatProgressLine(PROGRESS, ui)).toBe(
      '同期 c-1: 812/2,000台完了 · 未送信 400 · 同期待ち 788 · 同期済み 0 · 準拠 812 · 失敗 0 · タイムアウト 0 · 毎秒 9.8 件送信 · 送信完了まで 2分1秒 · 次の書き込み枠を待機中（5秒） · 残り 10分',
    );
  });

  it('the fleet clear dry run', async () => {
    const { ui } = await loadMessages('ja');
    const plan = renderPlan(
      {
        selection: 'triage 1, clear safety safe',
        approvedBy: null,
        ticket: null,
        devices: [{ deviceId: 'd-1', deviceName: 'TYO-LT-1' }],
        refused: [{ deviceId: 'd-2', deviceName: null, reason: 'no BitLocker recovery key escrowed' }],
      },
      ui,
    );
    expect(plan).toContain(
      'ドライ ラン: TPM のクリア キャンペーン、triage 1, clear safety safe。まだ承認がありません',
    );
    expect(plan).toContain('1台のデバイスの TPM をクリアします');
    expect(plan).toContain('対象外 1台:');
    expect(plan).toContain('何も送信していません。');
    expect(plan).not.toMatch(/Dry run|Would clear|Refused|Nothing was posted/);
  });

  it('English stays as it was', () => {
    expect(formatProgressLine(PROGRESS)).toBe(
      'sync c-1: 812/2,000 done · pending 400 · awaiting sync 788 · synced 0 · compliant 812 · failed 0 · timed out 0 · 9.8 posts/s · posting done in 2 min 1 s · waiting for the next write window (5 s) · 10 min left',
    );
    const text = renderCampaignStatus(WITH_PROBLEMS);
    expect(text).toContain('Campaign c-1: sync, abandoned');
    expect(text).toContain(
      `d-1 (TYO-LT-1): timed-out: posted, no sync seen at the campaign deadline ${formatLocalTime('2025-06-02T10:00:00.000Z')}`,
    );
  });
});
