/**
 * Every wait is capped below Node's timer limit and every user-named file is read bounded
 * (docs/security.md). A setTimeout over 2^31-1 ms fires after 1 ms: a Retry-After of 3,000,000 s
 * or a --poll of 30 days would otherwise turn into a busy loop of requests.
 */
import { describe, expect, it } from 'vitest';
import { MAX_POLL_MS, parseDuration } from '../../src/cli/fleet/duration.js';
import { lockoutAuth } from '../../src/cli/lockout-auth.js';
import { readBoundedFile } from '../../src/cli/read-bounded-file.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { abortableSleep } from '../../src/fleet/campaign/abortable-sleep.js';
import { MAX_TIMER_MS, systemClock } from '../../src/fleet/graph/clock.js';
import { MAX_RETRY_AFTER_MS, parseRetryAfter, RetryPolicy } from '../../src/fleet/graph/retry-policy.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');

describe('Retry-After is capped', () => {
  it('3,000,000 s, 99,999 s and a date next year all wait at most MAX_RETRY_AFTER_MS', () => {
    expect(MAX_RETRY_AFTER_MS).toBeLessThan(MAX_TIMER_MS);
    expect(parseRetryAfter('3000000', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('99999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:00 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    const decision = new RetryPolicy().decide(
      { kind: 'response', status: 429, retryAfter: '3000000' },
      true,
      0,
      NOW,
    );
    expect(decision).toMatchObject({ retry: true, delayMs: MAX_RETRY_AFTER_MS, fromRetryAfter: true });
  });
});

describe('waits longer than a timer can hold still wait', () => {
  it('systemClock.sleep(2^32 ms) does not fire at once', async () => {
    const controller = new AbortController();
    let settled = false;
    const sleeping = systemClock.sleep(2 ** 32, controller.signal).then(
      () => {
        settled = true;
      },
      () => undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    controller.abort();
    await sleeping;
    expect(settled).toBe(false);
  });

  it('abortableSleep(2^32 ms) does not fire at once', async () => {
    const controller = new AbortController();
    let done = false;
    const sleeping = abortableSleep(2 ** 32, controller.signal).then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    controller.abort();
    await sleeping;
  });
});

describe('durations on the command line', () => {
  it('--poll is at most a day; any duration at most a year; 0 and garbage refused', () => {
    expect(MAX_POLL_MS).toBeLessThan(MAX_TIMER_MS);
    expect(parseDuration('2s', '--poll', 'fleet sync', MAX_POLL_MS)).toBe(2_000);
    expect(() => parseDuration('30d', '--poll', 'fleet sync', MAX_POLL_MS)).toThrow(/--poll is at most 1d/);
    expect(() => parseDuration('99999999999d', '--deadline', 'fleet sync')).toThrow(UsageError);
    expect(() => parseDuration('0.0001ms', '--deadline', 'fleet sync')).toThrow(/at least 1 ms/);
    expect(() => parseDuration('abc', '--poll', 'fleet sync')).toThrow(/expects a duration/);
  });
});

describe('user-named files are read bounded', () => {
  it('/dev/zero stops at the limit with a clear error', () => {
    expect(() => readBoundedFile('/dev/zero', 1024, 'a small thing')).toThrow(
      'is larger than 1 KB; expected a small thing',
    );
  });

  it('--lockout-auth-file /dev/zero is a usage error, at once', () => {
    const started = Date.now();
    expect(() => lockoutAuth('/dev/zero', 'clear')).toThrow(
      'cannot read --lockout-auth-file /dev/zero: is larger than 4 KB; expected a lockout authorization value',
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(() => lockoutAuth('/nonexistent/auth', 'clear')).toThrow(/ENOENT/);
  });
});
