/**
 * tpm2-tools' TCTI strings (`-T`, TPM2TOOLS_TCTI) name the same TPM to tpm-doctor: the swtpm
 * harness gives tpm2-tools `swtpm:host=127.0.0.1,port=N`; `status --json` read through that
 * string, through TPM2TOOLS_TCTI and through `swtpm://` must be the same TPM (same EK Name), and
 * TCTIs tpm-doctor does not speak are refused with one line and the usage exit code.
 */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/exit-codes.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();
const swtpm = useSwtpm({ provision: true });

/** Every object Name in a status JSON (EKs included): the TPM's identity as read. */
function ekNames(stdout: string): string[] {
  return [...JSON.stringify(JSON.parse(stdout)).matchAll(/"name":"(000b[0-9a-f]{64})"/g)]
    .map((m) => m[1] ?? '')
    .sort();
}

describe('tpm2-tools TCTI strings', () => {
  it('--tpm swtpm:host=..,port=.. and TPM2TOOLS_TCTI read the same TPM as swtpm://', async () => {
    const i = swtpm.get();
    expect(i.tcti).toMatch(/^swtpm:host=127\.0\.0\.1,port=\d+$/);
    const byUri = await runCli(['status', '--json', '--tpm', i.uri]);
    const byTcti = await runCli(['status', '--json', '--tpm', i.tcti]);
    const byEnv = await runCli(['status', '--json'], { env: { TPM2TOOLS_TCTI: i.tcti } });
    for (const result of [byUri, byTcti, byEnv]) expect(result.code, result.stderr).toBe(0);
    const names = ekNames(byUri.stdout);
    expect(names.length).toBeGreaterThan(0);
    expect(ekNames(byTcti.stdout)).toEqual(names);
    expect(ekNames(byEnv.stdout)).toEqual(names);
  });

  it('TPM_DOCTOR_TPM wins over TPM2TOOLS_TCTI', async () => {
    const i = swtpm.get();
    const result = await runCli(['status', '--json'], {
      env: { TPM_DOCTOR_TPM: i.uri, TPM2TOOLS_TCTI: 'tabrmd:bus_name=com.intel.tss2.Tabrmd' },
    });
    expect(result.code, result.stderr).toBe(0);
  });

  it.each([
    ['tabrmd:bus_name=com.intel.tss2.Tabrmd', /tpm2-abrmd.*device:\/dev\/tpmrm0/],
    ['abrmd', /tpm2-abrmd/],
    ['none', /opens no TPM/],
    ['swtpm:host=127.0.0.1,port=99999', /port must be 1-65534/],
    ['mssim:hostname=127.0.0.1', /expected host=HOST and port=PORT/],
    ['swtpm:host=,port=2321', /host is empty/],
  ])('refuses %s in one line, usage exit code', async (tcti, message) => {
    const result = await runCli(['status', '--json', '--tpm', tcti]);
    expect(result.code).toBe(EXIT.USAGE);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')[0]).toMatch(/^tpm-doctor: /);
    expect(result.stdout).toBe('');
  });
});
