import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { ManualClock } from '../../../src/lab/tenant/lab-clock.js';
import { graph, labToken } from './lab-http.js';

describe('lab tenant: token endpoint and authentication', () => {
  const clock = new ManualClock(Date.parse('2025-01-15T12:00:00Z'));
  let lab: LabTenant;
  beforeAll(async () => {
    lab = await startLabTenant({ devices: 50, tokenLifetimeMs: 60_000, clock });
  });
  afterAll(() => lab.close());

  const tokenRequest = (fields: Record<string, string>, tenant = lab.tenantId) =>
    fetch(`${lab.url}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  const good = () => ({
    grant_type: 'client_credentials',
    client_id: lab.clientId,
    client_secret: lab.clientSecret,
    scope: 'https://graph.microsoft.com/.default',
  });

  it('issues a bearer token for the client credentials, in Entra shape', async () => {
    const r = await tokenRequest(good());
    expect(r.status).toBe(200);
    expect(r.headers.get('x-tpm-doctor-lab')).toBe('true');
    const body = (await r.json()) as Record<string, unknown>;
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(60);
    expect(typeof body.access_token).toBe('string');
  });

  it('refuses a wrong secret with invalid_client and never echoes it', async () => {
    const wrong = 'not-the-secret-0123456789-abcdefghijkl';
    const r = await tokenRequest({ ...good(), client_secret: wrong });
    expect(r.status).toBe(401);
    const text = await r.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(lab.clientSecret);
  });

  it('refuses an unknown tenant, client, grant or scope with Entra errors', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [good(), 'invalid_request', '00000000-0000-0000-0000-000000000000'],
      [{ ...good(), client_id: '11111111-1111-1111-1111-111111111111' }, 'unauthorized_client', lab.tenantId],
      [{ ...good(), grant_type: 'password' }, 'unsupported_grant_type', lab.tenantId],
      [{ ...good(), scope: 'User.Read' }, 'invalid_scope', lab.tenantId],
    ];
    for (const [fields, error, tenant] of cases) {
      const r = await tokenRequest(fields, tenant);
      expect(r.status).toBe(400);
      const body = (await r.json()) as { error: string; error_description: string };
      expect(body.error).toBe(error);
      expect(body.error_description).toMatch(/^AADSTS\d+: /);
    }
  });

  it('answers 401 InvalidAuthenticationToken for a missing, unknown or expired token', async () => {
    const path = `${lab.url}/v1.0/deviceManagement/managedDevices`;
    const missing = await fetch(path);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('x-tpm-doctor-lab')).toBe('true');
    expect(await missing.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });

    const unknown = await graph(lab, 'lab.made-up', '/v1.0/deviceManagement/managedDevices');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });

    const token = await labToken(lab);
    expect((await graph(lab, token, '/v1.0/deviceManagement/managedDevices')).status).toBe(200);
    clock.advance(60_001);
    const expired = await graph(lab, token, '/v1.0/deviceManagement/managedDevices');
    expect(expired.status).toBe(401);
    expect(JSON.stringify(expired.body)).toMatch(/expired/);
    // A 401 is not a request served: it counts nowhere.
    expect(lab.stats().apps[lab.clientId]?.requests).toBe(1);
  });

  it('labels itself a lab and keeps the secret out of /lab/info, /lab/stats and JSON', async () => {
    const info = await (await fetch(`${lab.url}/lab/info`)).text();
    const stats = await (await fetch(`${lab.url}/lab/stats`)).text();
    expect(JSON.parse(info)).toMatchObject({
      lab: true,
      devices: 50,
      windowMs: 20_000,
      tenantId: lab.tenantId,
    });
    expect(JSON.parse(stats)).toMatchObject({ lab: true });
    for (const text of [info, stats, JSON.stringify(lab)]) expect(text).not.toContain(lab.clientSecret);
  });
});
