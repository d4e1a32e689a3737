import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCredential } from '../../../src/fleet/graph/credentials.js';
import { GraphClient } from '../../../src/fleet/graph/graph-client.js';
import type { GraphEvent } from '../../../src/fleet/graph/graph-events.js';
import { LabCredential } from '../../../src/fleet/graph/lab-credential.js';
import { GraphTestServer, graphErrorBody, sendJson } from './support/graph-test-server.js';
import { StaticCredential } from './support/static-credential.js';

/**
 * A hostile server: it echoes whatever it receives (Authorization header, form body) into error
 * messages, headers and malformed bodies. Nothing it echoes may carry a token or a secret into
 * our errors, events or stats.
 */
let server: GraphTestServer;
beforeAll(async () => {
  server = await GraphTestServer.start((request, response, index) => {
    const echo = `${request.headers.authorization ?? ''} ${request.body}`;
    if (request.url.includes('/oauth2/v2.0/token')) {
      sendJson(response, 400, { error: 'invalid_client', error_description: `bad: ${echo}` });
      return;
    }
    switch (index % 4) {
      case 0:
        return sendJson(response, 400, graphErrorBody('BadRequest', `you sent ${echo}`));
      case 1:
        return sendJson(response, 200, { value: echo });
      case 2:
        response.writeHead(200, { 'request-id': echo.slice(0, 100).replace(/[^\x20-\x7e]/g, '') });
        response.end(`not json ${echo}`);
        return;
      default:
        return sendJson(response, 500, graphErrorBody('InternalError', echo));
    }
  });
});
afterAll(() => server.close());

const secretText = fc
  .string({ minLength: 12, maxLength: 40, unit: 'grapheme-ascii' })
  .filter((s) => s.trim().length >= 12);

it('an access token never appears in errors, events or stats, whatever the server echoes', async () => {
  await fc.assert(
    fc.asyncProperty(secretText, async (token) => {
      const events: GraphEvent[] = [];
      const graph = new GraphClient({
        baseUrl: server.url,
        credential: new StaticCredential([token]),
        maxRetries: 0,
        timeoutMs: 2_000,
        onEvent: (event) => events.push(event),
      });
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const error = await graph
          .pages('v1.0', `/deviceManagement/managedDevices?$filter=${encodeURIComponent(token)}`, (x) => x)
          .next()
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        seen.push(String(error), inspect(error), JSON.stringify(error));
      }
      seen.push(JSON.stringify(events), JSON.stringify(graph.stats), inspect(graph));
      for (const text of seen) expect(text).not.toContain(token);
    }),
    { numRuns: 25 },
  );
});

it('a client secret never appears in LabCredential errors or its printed form', async () => {
  await fc.assert(
    fc.asyncProperty(secretText, async (secret) => {
      const credential = new LabCredential({
        labUrl: server.url,
        tenantId: 't1',
        clientId: 'c1',
        clientSecret: secret,
      });
      const error = await credential
        .getToken('https://graph.microsoft.com/.default')
        .catch((e: unknown) => e);
      expect(String(error)).toMatch(/HTTP 400 invalid_client/);
      const form = new URLSearchParams({ client_secret: secret }).toString().slice('client_secret='.length);
      for (const text of [String(error), inspect(error), inspect(credential), JSON.stringify(credential)]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(form);
      }
    }),
    { numRuns: 25 },
  );
});

it('the secret is read only from AZURE_CLIENT_SECRET, and its absence is explained', async () => {
  await expect(createCredential({ mode: 'client-secret', tenantId: 't', clientId: 'c' }, {})).rejects.toThrow(
    /expected in the AZURE_CLIENT_SECRET environment variable/,
  );
  const credential = await createCredential(
    { mode: 'client-secret', tenantId: '00000000-0000-0000-0000-000000000001', clientId: 'c' },
    { AZURE_CLIENT_SECRET: 'env-secret-value-123' },
  );
  expect(typeof credential.getToken).toBe('function');
  expect(inspect(credential, { depth: 1 })).not.toContain('env-secret-value-123');
});
