/**
 * The clear campaign's escrow verification (verify-escrow.ts) against the lab tenant over real
 * Graph calls: a device whose escrowed key matches its own protector is verified with exactly
 * that protector ID; a stale key, no key, no evidence or no Entra ID device ID is refused, never
 * verified on a guess.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyEscrow } from '../../../src/fleet/campaign/verify-escrow.js';
import type { IntuneClient } from '../../../src/fleet/graph/intune-client.js';
import { type LabTenant, startLabTenant } from '../../../src/lab/tenant/index.js';
import { ESCROW } from '../../../src/lab/tenant/seed-fleet.js';
import { labIntune } from '../../support/lab-graph.js';

let lab: LabTenant;
let intune: IntuneClient;

beforeAll(async () => {
  lab = await startLabTenant({ devices: 400, seed: 6 });
  intune = labIntune(lab);
});
afterAll(async () => {
  await lab?.close();
});

function firstWith(escrow: number): number {
  const sim = lab.devices;
  for (let i = 0; i < sim.size; i++) {
    const aad = sim.fleet.aadIds[i] ?? '';
    if (sim.fleet.escrow[i] === escrow && /^[0-9a-f-]{36}$/i.test(aad) && !/^0{8}-/.test(aad)) return i;
  }
  throw new Error(`no lab device with escrow ${escrow}`);
}

it('verifies the matching device with its own protector ID, refuses the others with why', async () => {
  const sim = lab.devices;
  const matching = firstWith(ESCROW.matching);
  const stale = firstWith(ESCROW.stale);
  const none = firstWith(ESCROW.none);
  for (const i of [matching, stale, none]) sim.giveEvidence(i);
  const noEvidence = [...Array(sim.size).keys()].find(
    (i) =>
      sim.fleet.hasEvidence[i] !== 1 &&
      sim.fleet.escrow[i] === ESCROW.matching &&
      /^[0-9a-f-]{36}$/i.test(sim.fleet.aadIds[i] ?? ''),
  );
  const device = (i: number, aad: string | null = sim.fleet.aadIds[i] ?? null) => ({
    deviceId: sim.fleet.ids[i]!,
    azureAdDeviceId: aad,
  });
  const asked = [device(matching), device(stale), device(none), device(matching, null)];
  if (noEvidence !== undefined) asked.push(device(noEvidence));
  const result = await verifyEscrow(intune, asked, new Date());
  expect(result.verified).toEqual([
    {
      deviceId: sim.fleet.ids[matching],
      azureAdDeviceId: sim.fleet.aadIds[matching]!.toLowerCase(),
      protectorIds: [sim.keyIds(matching).recoveryProtectorId.toLowerCase()],
    },
  ]);
  const reasonOf = (i: number) =>
    result.refused.filter((r) => r.deviceId === sim.fleet.ids[i]).map((r) => r.reason);
  expect(reasonOf(stale)).toEqual([
    expect.stringMatching(/^escrow not verified now: no recovery key escrowed in Entra ID matches/),
  ]);
  expect(reasonOf(none)).toEqual([
    expect.stringMatching(/^escrow not verified now: no recovery key escrowed/),
  ]);
  expect(reasonOf(matching)).toEqual([expect.stringMatching(/no Entra ID device ID/)]);
  if (noEvidence !== undefined) {
    expect(reasonOf(noEvidence)).toEqual([expect.stringMatching(/evidence does not list the OS volume/)]);
  }
});
