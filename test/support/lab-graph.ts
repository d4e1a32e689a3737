/**
 * The real Graph client pointed at a lab tenant, as the CLI builds it: the lab's client-credentials
 * endpoint (LabCredential), Graph's own token scope (the lab, like Entra ID, issues tokens for
 * https://graph.microsoft.com/.default), and the lab's limits.
 */
import { GraphClient, type GraphClientOptions } from '../../src/fleet/graph/graph-client.js';
import { IntuneClient } from '../../src/fleet/graph/intune-client.js';
import { LabCredential } from '../../src/fleet/graph/lab-credential.js';
import type { LabTenant } from '../../src/lab/tenant/index.js';

export function labGraphClient(lab: LabTenant, options: Partial<GraphClientOptions> = {}): GraphClient {
  return new GraphClient({
    credential: new LabCredential({
      labUrl: lab.url,
      tenantId: lab.tenantId,
      clientId: lab.clientId,
      clientSecret: lab.clientSecret,
    }),
    baseUrl: lab.url,
    scopes: ['https://graph.microsoft.com/.default'],
    limits: lab.limits,
    ...options,
  });
}

export function labIntune(lab: LabTenant, options: Partial<GraphClientOptions> = {}): IntuneClient {
  return new IntuneClient(labGraphClient(lab, options));
}
