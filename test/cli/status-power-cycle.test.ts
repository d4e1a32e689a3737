/**
 * A TPM power-cycled (_TPM_Init over swtpm's control channel) and never sent TPM2_Startup: status
 * must say so (exit 4, started false, TPM_RC_INITIALIZE) without sending Startup itself, and be
 * back to normal once tpm2_startup has run.
 */
import { describe, expect, it } from 'vitest';
import { SwtpmControl } from '../../src/tpm/transport/swtpm-control.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { tpm2 } from '../support/tpm2-tools.js';
import { runCli, statusJson, useBuiltCli } from './cli-support.js';

useBuiltCli();
const swtpm = useSwtpm();

async function powerCycle(): Promise<void> {
  const i = swtpm.get();
  const control = new SwtpmControl(i.host, i.controlPort);
  try {
    await control.init();
  } finally {
    await control.close();
  }
}

describe('status on a TPM that was reset and not started', () => {
  it('exits 4 with started false and TPM_RC_INITIALIZE errors, and the text says "not started"', async () => {
    const i = swtpm.get();
    const healthy = await statusJson(i.uri);
    expect(healthy.code).toBe(0);
    expect(healthy.json.started).toBe(true);
    expect(healthy.json.startupClear?.flags.orderly).toBe(true);

    await powerCycle();
    // tpm2-tools confirms the state independently: every command fails with TPM_RC_INITIALIZE.
    const tool = await tpm2(i, ['tpm2_getcap', 'properties-fixed'], { allowFailure: true });
    expect(tool.code).not.toBe(0);
    expect(tool.stderr).toMatch(/0x100\b/);

    const { code, json, stderr } = await statusJson(i.uri);
    expect(code).toBe(4);
    expect(stderr).toBe('');
    expect(json.present).toBe(true);
    expect(json.started).toBe(false);
    expect(json.errors.length).toBeGreaterThan(0);
    expect(json.errors.map((e) => e.section)).toContain('properties');
    for (const error of json.errors) {
      expect(error).toMatchObject({ code: 'TPM_RC_INITIALIZE' });
      expect(error.message).toContain('0x100');
    }
    // Before TPM2_Startup libtpms answers every other command, TPM2_GetTestResult included, with
    // TPM_RC_INITIALIZE, so there is no self-test result to report.
    expect(json.selfTest).toBeNull();
    expect(json.errors.find((e) => e.section === 'selfTest')?.code).toBe('TPM_RC_INITIALIZE');
    expect(json.identity).toBeNull();
    expect(json.properties).toBeNull();

    const text = await runCli(['status', '--tpm', i.uri]);
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/^ {2}Present +yes, but not started/m);
    expect(text.stdout).toMatch(/^Could not read$/m);
    expect(text.stdout).toMatch(/^ {2}properties: .*TPM_RC_INITIALIZE/m);
  });

  it('status itself does not send TPM2_Startup: the TPM is still not started after it, until tpm2_startup -c', async () => {
    const i = swtpm.get();
    const again = await statusJson(i.uri);
    expect(again.code).toBe(4);
    expect(again.json.started).toBe(false);

    await tpm2(i, ['tpm2_startup', '-c']);
    const { code, json } = await statusJson(i.uri);
    expect(code).toBe(0);
    expect(json.started).toBe(true);
    expect(json.errors).toEqual([]);
    expect(json.selfTest?.ok).toBe(true);
    // A power cycle without an orderly TPM2_Shutdown: the TPM records it as not orderly.
    expect(json.startupClear?.flags.orderly).toBe(false);
    const text = await runCli(['status', '--tpm', i.uri]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}Present +yes$/m);
    expect(text.stdout).not.toContain('not started');
  });
});
