/**
 * The post-clear runbook's lines quote the device (PowerShell answers, Intune's sync state): each
 * is shown terminal-safe, one line each, nothing lost (src/cli/render/runbook-text.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  renderNextStep,
  renderRunbookProgress,
  renderRunbookStop,
} from '../../src/cli/render/runbook-text.js';

const HOSTILE = 'Sync failed\u001b[1A\u001b[2K\r\u202eOK\u2028done\u0000';
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('runbook lines', () => {
  it('the line where the runbook stopped shows a hostile message escaped, on one line', () => {
    const text = renderRunbookStop({ status: 'waiting', at: 'mdm-synced', message: HOSTILE });
    expect(text).not.toMatch(RAW);
    expect(text).toBe(
      '\nRunbook: waiting at mdm-synced: Sync failed\\x1b[1A\\x1b[2K\\r\\u202eOK\\u2028done\\x00\n',
    );
    expect(renderRunbookStop({ status: 'failed', message: 'plain' })).toBe('\nRunbook: failed: plain\n');
  });

  it('progress and the next step are escaped too', () => {
    const progress = renderRunbookProgress({
      index: 3,
      total: 9,
      title: 'MDM synced',
      phase: 'waiting',
      waitedMs: 120_000,
      message: HOSTILE,
    });
    expect(progress).not.toMatch(RAW);
    expect(progress).toBe(
      '[3/9] MDM synced: waiting (2 min) Sync failed\\x1b[1A\\x1b[2K\\r\\u202eOK\\u2028done\\x00\n',
    );
    const next = renderNextStep(HOSTILE);
    expect(next.split('\n')).toHaveLength(3);
    expect(next).not.toMatch(RAW);
    expect(next).toMatch(/^Next: Sync failed\\x1b/);
    expect(next).toMatch(/\nThen: tpm-doctor resume \(the start-up task runs it at boot\)\n$/);
  });
});
