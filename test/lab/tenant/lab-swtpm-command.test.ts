/** `tpm-doctor lab tenant --swtpm N`: real TPMs behind lab devices, shown, and stopped with the lab. */

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runLab } from '../../../src/cli/commands/lab.js';
import { assertSwtpmAvailable } from '../../support/swtpm-harness.js';
import { tpm2 } from '../../support/tpm2-tools.js';

interface Shown {
  swtpmDevices: { deviceId: string; deviceName: string; uri: string; tcti: string; pid: number }[];
}

describe('tpm-doctor lab tenant --swtpm', () => {
  it("backs N devices with a provisioned swtpm holding a previous owner's keys, and stops exactly those PIDs", async () => {
    assertSwtpmAvailable();
    let out = '';
    let persistent: number[] = [];
    const code = await runLab(['tenant', '--devices', '300', '--seed', '2', '--swtpm', '1', '--json'], {
      stdout: (t) => {
        out += t;
      },
      stderr: () => {},
      stop: async (lab) => {
        const [device] = lab.swtpmDevices;
        if (device === undefined) throw new Error('no swtpm device');
        persistent =
          (parse((await tpm2(device, ['tpm2_getcap', 'handles-persistent'])).stdout) as number[]) ?? [];
        const info = (await (await fetch(`${lab.url}/lab/info`)).json()) as Shown;
        expect(info.swtpmDevices.map((d) => d.deviceId)).toEqual([device.deviceId]);
      },
    });
    expect(code).toBe(0);
    const shown = JSON.parse(out) as Shown;
    expect(shown.swtpmDevices).toHaveLength(1);
    const [device] = shown.swtpmDevices;
    expect(device?.uri).toMatch(/^swtpm:\/\/127\.0\.0\.1:\d+$/);
    expect(persistent).toEqual(expect.arrayContaining([0x81000010, 0x81000011]));
    // The lab stopped its swtpm by PID on its way out.
    expect(() => process.kill(device!.pid, 0)).toThrow();
  }, 60_000);

  it('refuses a count out of range as a usage error', async () => {
    await expect(
      runLab(['tenant', '--swtpm', '33'], { stdout: () => {}, stderr: () => {}, stop: async () => {} }),
    ).rejects.toThrow(/--swtpm expects a whole number from 0 to 32, got "33"/);
  });
});
