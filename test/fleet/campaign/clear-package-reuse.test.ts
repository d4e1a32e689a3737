/**
 * A clear package found by name in the tenant is reused only when it is exactly the one this
 * approval would upload; an edited one is refused and nothing runs. Real IntuneClient, real lab.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clearScriptPackage, findOrUploadClearScript } from '../../../src/fleet/campaign/clear-script.js';
import type { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { labIntune } from '../../support/lab-graph.js';

let lab: LabTenant;
let intune: IntuneClient;

beforeAll(async () => {
  lab = await startLabTenant({ devices: 50, seed: 4 });
  intune = labIntune(lab);
});
afterAll(async () => {
  await lab?.close();
});

it('reuses its own package, and refuses one edited in the admin center', async () => {
  const detection = '# detection';
  const first = await findOrUploadClearScript(intune, detection, { approvedBy: 'A. Admin', ticket: 'CHG-1' });
  expect(first.uploaded).toBe(true);
  const again = await findOrUploadClearScript(intune, detection, { approvedBy: 'A. Admin', ticket: 'CHG-1' });
  expect(again).toMatchObject({ uploaded: false, script: { id: first.script.id } });

  // Someone "fixes" the package of ticket CHG-2 in the portal: same name, another remediation.
  const approval = { approvedBy: 'A. Admin', ticket: 'CHG-2' };
  const edited = { ...clearScriptPackage(detection, approval) };
  edited.remediationScriptContent = Buffer.from('Clear-Tpm', 'utf8').toString('base64');
  await intune.createHealthScript(edited);
  await expect(findOrUploadClearScript(intune, detection, approval)).rejects.toThrow(
    /is not the one this approval would upload.*nothing was run/,
  );
});
