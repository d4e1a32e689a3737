import { describe, expect, it } from 'vitest';
import { parseRetryAfter, RetryPolicy } from '../../../src/fleet/graph/retry-policy.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP-dates; anything else is unusable (backoff applies)', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter('-3', NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
  });
});

describe('RetryPolicy', () => {
  const policy = new RetryPolicy({ maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 });

  it('retries reads on 429, 5xx, timeouts and broken connections, but not 4xx or 501', () => {
    for (const status of [429, 500, 502, 503, 504]) {
      expect(policy.decide({ kind: 'response', status, retryAfter: null }, true, 0, NOW).retry).toBe(true);
    }
    expect(policy.decide({ kind: 'timeout' }, true, 0, NOW).retry).toBe(true);
    expect(policy.decide({ kind: 'network', sent: true }, true, 0, NOW).retry).toBe(true);
    for (const status of [400, 401, 403, 404, 501]) {
      expect(policy.decide({ kind: 'response', status, retryAfter: null }, true, 0, NOW).retry).toBe(false);
    }
  });

  it('retries writes only when the service refused them; otherwise they are ambiguous', () => {
    expect(policy.decide({ kind: 'response', status: 429, retryAfter: '2' }, false, 0, NOW)).toEqual({
      retry: true,
      delayMs: 2_000,
      reason: 'HTTP 429',
      fromRetryAfter: true,
    });
    expect(policy.decide({ kind: 'response', status: 503, retryAfter: null }, false, 0, NOW).retry).toBe(
      true,
    );
    expect(policy.decide({ kind: 'network', sent: false }, false, 0, NOW).retry).toBe(true);
    for (const outcome of [
      { kind: 'timeout' } as const,
      { kind: 'network', sent: true } as const,
      { kind: 'response', status: 500, retryAfter: null } as const,
      { kind: 'response', status: 502, retryAfter: null } as const,
      { kind: 'response', status: 504, retryAfter: '1' } as const,
    ]) {
      expect(policy.decide(outcome, false, 0, NOW)).toEqual({ retry: false, ambiguousWrite: true });
    }
    expect(policy.decide({ kind: 'response', status: 400, retryAfter: null }, false, 0, NOW)).toEqual({
      retry: false,
      ambiguousWrite: false,
    });
  });

  it('is bounded, and backs off exponentially with full jitter under a ceiling', () => {
    expect(policy.decide({ kind: 'response', status: 503, retryAfter: null }, true, 3, NOW).retry).toBe(
      false,
    );
    const delays = [0, 1, 2, 3, 10].map((retry) => policy.backoffMs(retry));
    expect(delays).toEqual([50, 100, 200, 400, 500]);
    const zero = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0 });
    expect(zero.backoffMs(4)).toBe(0); // full jitter reaches down to no wait at all
  });
});
