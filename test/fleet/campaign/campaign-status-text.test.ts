/** The campaign summary as a Japanese admin reads it: labels aligned by columns, local times. */
import { describe, expect, it } from 'vitest';
import { renderCampaignList, renderCampaignStatus } from '../../../src/fleet/campaign/campaign-status.js';
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
    expect(text).toContain('[LAB] キャンペーン c-1: sync、stopped');
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
