/**
 * The campaign's pure decisions: when a sync counts, what a POST's error means for the device
 * (the never-post-twice rule), error redaction, the phases that end a device's part, the rate and
 * ETA, the status summary, and the evidence script package.
 */
import { describe, expect, it } from 'vitest';
import { isFinalPhase, openPhases } from '../../../src/fleet/campaign/campaign-phases.js';
import { formatProgressLine, ProgressRate } from '../../../src/fleet/campaign/campaign-progress.js';
import {
  isLabTarget,
  renderCampaignList,
  renderCampaignStatus,
  summarize,
} from '../../../src/fleet/campaign/campaign-status.js';
import { EVIDENCE_SCRIPT_NAME, evidenceScriptPackage } from '../../../src/fleet/campaign/evidence-script.js';
import { classifyPostError } from '../../../src/fleet/campaign/post-outcome.js';
import { redactGraphError } from '../../../src/fleet/campaign/redact-graph-error.js';
import { parseGraphTime, syncMovedPast } from '../../../src/fleet/campaign/sync-time.js';
import { AmbiguousWriteError, GraphError } from '../../../src/fleet/graph/graph-error.js';
import type { Campaign, CampaignDevice, DevicePhase } from '../../../src/fleet/store/fleet-store.js';

const graphError = (status: number, code: string, message = 'message') =>
  new GraphError({ status, code, message, requestId: null, method: 'POST', path: '/v1.0/x/syncDevice' });

function counts(values: Partial<Record<DevicePhase, number>>): Record<DevicePhase, number> {
  return {
    pending: 0,
    posting: 0,
    posted: 0,
    unconfirmed: 0,
    synced: 0,
    compliant: 0,
    failed: 0,
    'timed-out': 0,
    ...values,
  };
}

const CAMPAIGN: Campaign = {
  id: 'c-1',
  action: 'sync',
  status: 'running',
  target: 'http://127.0.0.1:40123 tenant lab',
  selection: 'triage 3, class tpm-clear-safe',
  createdAt: '2025-06-01T10:00:00.000Z',
  updatedAt: '2025-06-01T10:05:00.000Z',
  deadline: '2025-06-02T10:00:00.000Z',
  scriptId: null,
};

describe('syncMovedPast', () => {
  it('counts only a later, real time', () => {
    expect(syncMovedPast('2025-06-01T10:00:00Z', '2025-06-01T10:00:01Z')).toBe(true);
    expect(syncMovedPast('2025-06-01T10:00:00Z', '2025-06-01T10:00:00Z')).toBe(false);
    expect(syncMovedPast('2025-06-01T10:00:00Z', '2025-05-01T10:00:00Z')).toBe(false);
    expect(syncMovedPast('2025-06-01T10:00:00Z', null)).toBe(false);
  });

  it("treats Graph's 0001-01-01 as never and a malformed time as no sync", () => {
    expect(parseGraphTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(syncMovedPast('0001-01-01T00:00:00Z', '2025-06-01T10:00:00Z')).toBe(true);
    expect(syncMovedPast(null, '2025-06-01T10:00:00Z')).toBe(true);
    expect(syncMovedPast(null, '0001-01-01T00:00:00Z')).toBe(false);
    expect(syncMovedPast(null, 'yesterday')).toBe(false);
    expect(syncMovedPast('2025-06-01T10:00:00Z', '')).toBe(false);
  });
});

describe('classifyPostError', () => {
  it('a 4xx is a refusal, recorded with its code', () => {
    const outcome = classifyPostError(graphError(404, 'ResourceNotFound', 'no such device'));
    expect(outcome.kind).toBe('refused');
    expect(outcome.kind === 'refused' && outcome.error).toContain('404 ResourceNotFound: no such device');
  });

  it('an ambiguous write is never sent again and does not stop the run', () => {
    const error = new AmbiguousWriteError({
      status: 500,
      code: 'InternalServerError',
      message: 'boom',
      requestId: null,
      method: 'POST',
      path: '/x',
    });
    expect(classifyPostError(error)).toMatchObject({ kind: 'ambiguous', stopRun: false });
  });

  it('429, 503 and failures before sending go back to pending (Graph did not act)', () => {
    expect(classifyPostError(graphError(429, 'TooManyRequests')).kind).toBe('not-sent');
    expect(classifyPostError(graphError(503, 'ServiceUnavailable')).kind).toBe('not-sent');
    expect(classifyPostError(graphError(0, 'TokenUnavailable')).kind).toBe('not-sent');
  });

  it('anything unexplained is treated as possibly sent, and stops the run', () => {
    expect(classifyPostError(new TypeError('bug'))).toMatchObject({ kind: 'ambiguous', stopRun: true });
    expect(classifyPostError(graphError(501, 'NotImplemented'))).toMatchObject({
      kind: 'ambiguous',
      stopRun: true,
    });
    expect(classifyPostError('a string')).toMatchObject({ kind: 'ambiguous', stopRun: true });
  });
});

describe('redactGraphError', () => {
  it('removes tokens, secrets and recovery passwords, and bounds the text', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJlLWJ5dGVz';
    const text = redactGraphError(
      `failed: Authorization: Bearer ${jwt} client_secret=s3cr3t-Value~x "clientSecret": "abc.def" ` +
        'key 123456-123456-123456-123456-123456-123456-123456-123456 OwnerAuth=QUJD',
    );
    for (const secret of [jwt, 's3cr3t-Value~x', 'abc.def', '123456-123456', 'QUJD']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(redactGraphError('x'.repeat(2000)).length).toBeLessThanOrEqual(500);
  });

  it('keeps an ordinary Graph error readable', () => {
    expect(redactGraphError('HTTP 404 ResourceNotFound:\n  Device not found')).toBe(
      'HTTP 404 ResourceNotFound: Device not found',
    );
  });
});

describe('phases', () => {
  it('for sync a device is done when compliant, failed or timed out; for remediate also when synced', () => {
    expect(isFinalPhase('sync', 'synced')).toBe(false);
    expect(isFinalPhase('remediate', 'synced')).toBe(true);
    expect(openPhases('sync')).toEqual(['pending', 'posting', 'posted', 'unconfirmed', 'synced']);
    expect(openPhases('reboot')).toEqual(openPhases('sync'));
    expect(openPhases('remediate')).toEqual(['pending', 'posting', 'posted', 'unconfirmed']);
  });
});

describe('ProgressRate', () => {
  it('measures the recent post rate and the time left to post the rest', () => {
    let t = Date.parse('2025-06-01T10:00:00Z');
    const rate = new ProgressRate(() => new Date(t));
    expect(rate.postsPerSecond()).toBeNull();
    for (let i = 0; i < 11; i += 1) {
      rate.recordPost();
      t += 100; // 10 posts a second
    }
    expect(rate.postsPerSecond()).toBeCloseTo(10, 5);
    const progress = rate.progress(
      CAMPAIGN,
      counts({ pending: 95, posting: 5, posted: 11, compliant: 4 }),
      11,
    );
    expect(progress.total).toBe(115);
    expect(progress.done).toBe(4);
    expect(progress.postingEtaSeconds).toBe(10);
    expect(formatProgressLine(progress)).toBe(
      'sync c-1: 4/115 done · pending 100 · awaiting sync 11 · synced 0 · compliant 4 · failed 0 · timed out 0 · 10.0 posts/s · posting done in 10 s · 23 h 59 min left',
    );
  });

  it('shows the time left to the deadline, and the wait for the next write window while devices wait', () => {
    const rate = new ProgressRate(() => new Date('2025-06-02T09:45:00.000Z'));
    const waiting = rate.progress(CAMPAIGN, counts({ pending: 12, posted: 200 }), 200, 7_400);
    expect(waiting).toMatchObject({ deadlineInSeconds: 900, writeWindowWaitSeconds: 8 });
    expect(formatProgressLine(waiting)).toMatch(
      / · waiting for the next write window \(8 s\) · 15 min left$/,
    );
    // Before this run's first post, the window an earlier process left is said to be that.
    const earlier = rate.progress(CAMPAIGN, counts({ pending: 12, posted: 200 }), 0, 7_400, {
      earlierRun: true,
    });
    expect(earlier.writeWindowOfEarlierRun).toBe(true);
    expect(formatProgressLine(earlier)).toMatch(
      / · waiting for the write window left by an earlier run \(8 s\) · 15 min left$/,
    );
    // Nothing pending: no write window to wait for; past the deadline: 0 left.
    expect(rate.progress(CAMPAIGN, counts({ posted: 3 }), 0, 7_400).writeWindowWaitSeconds).toBeNull();
    const late = new ProgressRate(() => new Date('2025-06-03T00:00:00.000Z'));
    expect(formatProgressLine(late.progress(CAMPAIGN, counts({ posted: 3 }), 0))).toMatch(/ · 0 s left$/);
  });

  it('has no ETA before a rate exists, and zero when nothing is left to post', () => {
    const rate = new ProgressRate(() => new Date(0));
    expect(rate.progress(CAMPAIGN, counts({ pending: 3 }), 0).postingEtaSeconds).toBeNull();
    expect(rate.progress(CAMPAIGN, counts({ posted: 3 }), 0).postingEtaSeconds).toBe(0);
  });
});

describe('campaign status', () => {
  const device = (deviceId: string, phase: DevicePhase, error: string | null): CampaignDevice => ({
    campaignId: 'c-1',
    deviceId,
    deviceName: `PC-${deviceId}`,
    baselineSync: null,
    phase,
    postedAt: null,
    lastSync: null,
    compliantAt: null,
    error,
    updatedAt: CAMPAIGN.updatedAt,
  });

  it('summarises counts and problems, labelled as a lab on loopback, with secrets removed', () => {
    const summary = summarize(
      CAMPAIGN,
      counts({ compliant: 7, failed: 2, 'timed-out': 1, posted: 3 }),
      [
        device('d1', 'failed', 'HTTP 404 ResourceNotFound: gone'),
        device('d2', 'failed', 'token Bearer eyJabcdefgh.eyJabcdefgh.sig leaked'),
        device('d3', 'timed-out', 'posted, no sync seen'),
      ],
      2,
    );
    expect(summary).toMatchObject({ total: 13, done: 10, open: 3, lab: true, problemsOmitted: 1 });
    expect(summary.problems.map((p) => p.deviceId)).toEqual(['d1', 'd2']);
    const json = JSON.stringify(summary);
    expect(json).not.toContain('eyJabcdefgh');
    const text = renderCampaignStatus(summary);
    expect(text).toContain('[LAB] Campaign c-1: sync, running');
    expect(text).toMatch(/compliant\s+7\n/);
    expect(text).toContain('d1 (PC-d1): failed: HTTP 404 ResourceNotFound: gone');
    expect(text).toContain('... and 1 more');
    expect(text).not.toContain('eyJabcdefgh');
  });

  it('tells a real tenant from the lab', () => {
    expect(isLabTarget('https://graph.microsoft.com tenant 72f988bf')).toBe(false);
    expect(isLabTarget('http://localhost:8080')).toBe(true);
    expect(renderCampaignList([{ ...CAMPAIGN, target: 'https://graph.microsoft.com' }])).toMatch(
      /^c-1 {2}sync/,
    );
    expect(renderCampaignList([])).toBe('No campaigns yet.\n');
  });
});

describe('evidence script package', () => {
  it('is detection only, runs as SYSTEM in 64-bit, and carries the script as base64', () => {
    const script = '<#\n tpm-doctor evidence\n#>\nWrite-Output "{}"\n';
    const pkg = evidenceScriptPackage(script);
    expect(pkg.displayName).toBe(EVIDENCE_SCRIPT_NAME);
    expect(pkg.remediationScriptContent).toBeUndefined();
    expect(pkg.runAsAccount).toBe('system');
    expect(pkg.runAs32Bit).toBe(false);
    expect(Buffer.from(pkg.detectionScriptContent ?? '', 'base64').toString('utf8')).toBe(script);
  });
});
