/**
 * A token endpoint that echoes the client secret in its error (docs/security.md, "A hostile tenant
 * response"): the secret is scrubbed from the whole text before the text is cut, so no prefix of it
 * survives the cut, and from the error code too.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCredential } from '../../src/fleet/graph/lab-credential.js';

const SECRET = 'lab~Zq8Xv2Lm4Np6Rt0Ws3Yu5Ab7Cd9Ef1Gh';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl';
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: `invalid_client_${SECRET}`,
          // The secret straddles the old 500-character cut; a JWT and a form echo follow.
          error_description: `${'x'.repeat(470)}${SECRET} ${JWT} client_secret=${encodeURIComponent(SECRET)}`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('token endpoint errors', () => {
  it('never carry the secret, a prefix of it, or a JWT, in the code or the description', async () => {
    const credential = new LabCredential({ labUrl: url, tenantId: 't', clientId: 'c', clientSecret: SECRET });
    const error = (await credential
      .getToken('https://graph.microsoft.com/.default')
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/HTTP 400 invalid_client_\[redacted\]: x+\[redacted\]/);
    expect(error.message).not.toContain(SECRET.slice(0, 8));
    expect(error.message).not.toContain('eyJhbGciOiJSUzI1NiJ9');
    expect(error.message.length).toBeLessThan(800);
  });
});
