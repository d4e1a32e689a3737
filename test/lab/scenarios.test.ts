/**
 * The lab's broken states are built by tpm-doctor's own client (they are a demo), so here
 * tpm2-tools checks that each scenario really leaves the TPM in the state it claims.
 */
import { describe, expect, it } from 'vitest';
import { TpmDoctorError } from '../../src/errors.js';
import { LAB_SCENARIOS, parseLabScenarios } from '../../src/lab/scenarios.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { toolYaml, withTpm } from '../tpm/crosscheck-support.js';

const swtpm = useSwtpm({ provision: true });

function variable(yaml: unknown): Record<string, unknown> {
  return yaml as Record<string, unknown>;
}

describe('lab scenarios, checked with tpm2-tools', () => {
  it('stale-objects leaves two owner persistent keys and an owner NV index', async () => {
    await withTpm(swtpm.get(), (tpm) => LAB_SCENARIOS['stale-objects'].apply(tpm));
    const persistent = (await tpm2(swtpm.get(), ['tpm2_getcap', 'handles-persistent'])).stdout;
    expect(persistent).toMatch(/0x81000010/);
    expect(persistent).toMatch(/0x81000011/);
    const nv = (await tpm2(swtpm.get(), ['tpm2_nvreadpublic', '0x1500016'])).stdout;
    expect(nv).toMatch(/ownerwrite/);
    expect(nv).not.toMatch(/platformcreate/);
  });

  it('transient-leak leaves two transient objects loaded', async () => {
    await withTpm(swtpm.get(), (tpm) => LAB_SCENARIOS['transient-leak'].apply(tpm));
    const transient = (await tpm2(swtpm.get(), ['tpm2_getcap', 'handles-transient'])).stdout;
    expect(transient.match(/0x80/g)?.length).toBe(2);
    await tpm2(swtpm.get(), ['tpm2_flushcontext', '-t']);
  });

  it('lockout puts the TPM into dictionary-attack lockout', async () => {
    await withTpm(swtpm.get(), (tpm) => LAB_SCENARIOS.lockout.apply(tpm));
    const props = variable(await toolYaml(swtpm.get(), ['tpm2_getcap', 'properties-variable']));
    const permanent = props.TPM2_PT_PERMANENT as Record<string, string>;
    expect(permanent.inLockout).toBe('1');
  });

  it('disable-clear sets disableClear', async () => {
    await withTpm(swtpm.get(), (tpm) => LAB_SCENARIOS['disable-clear'].apply(tpm));
    const props = variable(await toolYaml(swtpm.get(), ['tpm2_getcap', 'properties-variable']));
    const permanent = props.TPM2_PT_PERMANENT as Record<string, string>;
    expect(permanent.disableClear).toBe('1');
  });

  it('names are parsed, combined and checked', () => {
    expect(parseLabScenarios('')).toEqual([]);
    expect(parseLabScenarios('stale-objects, lockout')).toEqual(['stale-objects', 'lockout']);
    expect(() => parseLabScenarios('melted')).toThrow(TpmDoctorError);
    expect(() => parseLabScenarios('melted')).toThrow(/unknown lab scenario "melted".*stale-objects/);
  });
});
