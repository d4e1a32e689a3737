import type { AccessToken, TokenCredential } from '../../../../src/fleet/graph/token-credential.js';

/** Hands out tokens from a list (the last one repeats) and counts the calls. */
export class StaticCredential implements TokenCredential {
  calls = 0;
  constructor(
    private readonly tokens: string[] = ['test-token-1'],
    private readonly lifetimeMs = 3_600_000,
  ) {}

  async getToken(): Promise<AccessToken> {
    const token = this.tokens[Math.min(this.calls, this.tokens.length - 1)] ?? 'test-token';
    this.calls++;
    return { token, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}
