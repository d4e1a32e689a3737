/**
 * The one redactor (src/snapshot/redact-secrets.ts) on the secrets of the Graph side, which used
 * to have redactors of their own: tokens and JWTs, client secrets, passwords in URLs, known values;
 * and scrubbing before any cut. The evidence side (recovery passwords, TPM authorization values)
 * is tested in test/diagnose/windows/redaction.test.ts and test/windows/secrets.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { complianceDetailReasons } from '../../src/fleet/triage/compliance-detail.js';
import { parseEvents } from '../../src/probe/windows/events.js';
import {
  isSecretField,
  REDACTED,
  redact,
  redactJsonValue,
  redactKnown,
  redactThenTruncate,
} from '../../src/snapshot/redact-secrets.js';

// Test values shaped like the real thing (none is a live credential).
const JWT = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJncmFwaCJ9.c2lnbmF0dXJlLWJ5dGVz';
const CLIENT_SECRET = 'abc8Q~Zx9yW_vU-tS.rQ8pO7nM6lK5jI4hG3fE2d';
const RECOVERY_PASSWORD = '123456-234567-345678-456789-567890-678901-789012-890123';

describe('redact: the Graph side', () => {
  it('removes a JWT, also cut to two parts, and a bearer value of any shape', () => {
    expect(redact(`token ${JWT} end`)).toBe(`token ${REDACTED} end`);
    expect(redact(`cut ${JWT.split('.').slice(0, 2).join('.')}`)).toBe(`cut ${REDACTED}`);
    expect(redact('Bearer %not-b64%$token')).toBe(`Bearer ${REDACTED}`);
  });

  it('removes client secrets and tokens in form, JSON and camelCase fields, and an Entra secret by shape', () => {
    const text = redact(
      `client_secret=${encodeURIComponent(CLIENT_SECRET)}&x=1 {"clientSecret": "s3cr3t", "accessToken":"a.b"} assertion=zzz ${CLIENT_SECRET}`,
    );
    for (const secret of [CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), 's3cr3t', 'a.b', 'zzz']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('&x=1');
  });

  it('removes the password of a connection URL and keeps the rest', () => {
    expect(redact('postgres://admin:pa55w0rd@db.example:5432/fleet')).toBe(
      `postgres://admin:${REDACTED}@db.example:5432/fleet`,
    );
    expect(redact('https://login.microsoftonline.com/tenant/oauth2/v2.0/token')).toBe(
      'https://login.microsoftonline.com/tenant/oauth2/v2.0/token',
    );
  });

  it('removes values the caller knows, wherever they stand; an empty one changes nothing', () => {
    expect(redactKnown('pw=hunter2 and hunter2 again', ['hunter2', ''])).toBe(
      `pw=${REDACTED} and ${REDACTED} again`,
    );
    expect(redactKnown('text', [])).toBe('text');
  });
});

describe('scrub, then cut', () => {
  it('a secret straddling the cut leaves no prefix behind', () => {
    const text = `${'x'.repeat(90)}${JWT}`;
    const out = redactThenTruncate(text, 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out).not.toContain('eyJ0eX');
    expect(redactThenTruncate('short', 100)).toBe('short');
  });

  it("a compliance setting's reported value from Graph is redacted before it is cut", () => {
    const [line] = complianceDetailReasons(
      {
        ok: true,
        value: [
          {
            id: 'p1',
            displayName: 'baseline',
            settingStates: [
              {
                setting: 'S',
                settingName: 'S',
                state: 'nonCompliant',
                errorCode: 0,
                errorDescription: null,
                currentValue: `${'v'.repeat(70)} ${JWT}`,
              },
            ],
          },
        ],
      } as unknown as Parameters<typeof complianceDetailReasons>[0],
      ['S'],
    );
    expect(line).toContain('device reports "vvv');
    expect(line).not.toContain('eyJ');
  });

  it('an event message is redacted before it is cut to its limit', () => {
    const message = `${'x'.repeat(4000 - 30)} ${RECOVERY_PASSWORD} and more`;
    const [event] = parseEvents([{ Id: 1, ProviderName: 'p', LogName: 'l', Message: message }]);
    expect(event?.message).not.toMatch(/\d{6}-\d{6}/);
    expect(event?.message.length).toBeLessThanOrEqual(4000);
  });
});

describe('secret names', () => {
  it('names a field or key as secret by how it ends, on both sides', () => {
    for (const name of [
      'OwnerAuth',
      'lockoutAuth',
      'RecoveryPassword',
      'clientSecret',
      'access_token',
      'owner_auth',
    ]) {
      expect(isSecretField(name), name).toBe(true);
    }
    for (const name of ['AuthCodeUrl', 'KeyProvider', 'tokenType', 'secretName']) {
      expect(isSecretField(name), name).toBe(false);
    }
  });

  it('withholds secret keys of a JSON value and redacts its strings, keeping its shape', () => {
    expect(
      redactJsonValue({ note: `access_token=${JWT}`, clientSecret: 'x', nested: [{ OwnerAuth: 'y', n: 1 }] }),
    ).toEqual({
      note: `access_token=${REDACTED}`,
      clientSecret: REDACTED,
      nested: [{ OwnerAuth: REDACTED, n: 1 }],
    });
  });
});
