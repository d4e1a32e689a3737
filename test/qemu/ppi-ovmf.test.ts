/**
 * The physical-presence clear end to end under a real firmware: OVMF (UEFI) in a qemu guest with
 * swtpm behind tpm-crb. `tpm-doctor clear --method ppi` writes request 14 through the kernel's
 * sysfs files, the guest reboots, OVMF asks "Press F12 to clear the TPM ... Press ESC to reject",
 * the harness presses the key through the qemu monitor, and `tpm-doctor resume` after the boot
 * reads the firmware's response: with F12 it proves the clear; with ESC the run ends as a user
 * abort, the TPM untouched and no second request written (test/qemu/guest-ppi.sh). The guest has
 * no systemd: the resume unit is installed on a tmpfs and never runs, so the script runs
 * `tpm-doctor resume` itself after the boot.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionedTemplateInfo } from '../../src/lab/swtpm-process.js';
import { blocks, bootGuest, type GuestRun, type GuestSetup, prepareGuest, removeGuest } from './guest.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const BOOT_TIMEOUT_MS = 600_000; // two OVMF boots take 2-4 min under TCG on a busy 2-core machine

let setup: GuestSetup | undefined;
let ekState = '';

beforeAll(async () => {
  setup = prepareGuest();
  ekState = (await provisionedTemplateInfo()).stateDir;
}, 120_000);

afterAll(() => removeGuest(setup));

interface RunJson {
  run: {
    runId: string;
    status: string;
    proof: { proven: boolean } | null;
    failure: { step: string; reason: string; message: string } | null;
  };
}

interface StatusJson {
  persistentObjects: { handle: string }[];
  endorsement: { certificates: { nvIndex: string; fingerprintSha256: string }[] };
}

describe.each(['f12', 'esc'] as const)('the PPI clear under OVMF, the prompt answered with %s', (key) => {
  let run: GuestRun;
  let out: ReturnType<typeof blocks>;

  beforeAll(async () => {
    const shared = mkdtempSync(path.join(setup!.dir, 'shared-'));
    run = await bootGuest(setup!, {
      device: 'tpm-crb',
      firmware: 'ovmf',
      script: path.join(here, 'guest-ppi.sh'),
      arg: repo,
      cpus: 2,
      stateFrom: ekState,
      shared,
      ppiKey: key,
      timeoutMs: BOOT_TIMEOUT_MS,
    });
    out = blocks(run.console);
    const keep = process.env.TPM_DOCTOR_QEMU_LOG;
    if (keep) writeFileSync(path.join(keep, `ovmf-${key}.console.txt`), run.console);
    console.log(`ovmf ${key}: guest run ${run.elapsedMs} ms`);
  }, BOOT_TIMEOUT_MS + 30_000);

  const block = (name: string) => {
    const b = out.get(name);
    if (!b)
      throw new Error(`the guest printed no "${name}" block; its console:\n${run.console.slice(-4000)}`);
    return b;
  };
  const ok = (name: string) => {
    const b = block(name);
    expect(b.rc, `${name} failed: ${out.get(`${name}.stderr`)?.text}`).toBe(0);
    return b.text;
  };
  const certificates = (json: StatusJson) =>
    json.endorsement.certificates.map((c) => ({ nvIndex: c.nvIndex, fingerprint: c.fingerprintSha256 }));

  it('clear writes request 14 and waits for the restart', () => {
    expect(run.console).toMatch(/^@@BOOT 1 resetCount=([2-9]|\d\d)/m);
    ok('setup-objects');
    const clear = block('clear-ppi');
    expect(clear.rc).toBe(12); // waiting (docs/exit-codes.md)
    expect((JSON.parse(clear.text) as RunJson).run.status).toBe('waiting');
    expect(ok('ppi-request').trim()).toBe('14');
  });

  it('the firmware asks at the next boot', () => {
    expect(run.console).toMatch(/A configuration change was requested to clear this computer's TPM/);
    expect(run.console).toMatch(/Press F12 to clear the TPM/);
    expect(run.console).toMatch(/^@@BOOT 2 /m);
  });

  if (key === 'f12') {
    it('F12: the firmware clears the TPM and resume proves it, EK certificates kept', () => {
      expect(ok('ppi-response').trim()).toBe('14 0: Success');
      const resumed = JSON.parse(ok('resume')) as RunJson;
      expect(resumed.run).toMatchObject({ status: 'finished', proof: { proven: true }, failure: null });
      const before = JSON.parse(ok('before')) as StatusJson;
      const after = JSON.parse(ok('after')) as StatusJson;
      expect(before.persistentObjects.map((o) => o.handle)).toContain('0x81000005');
      expect(after.persistentObjects.map((o) => o.handle)).not.toContain('0x81000005');
      expect(certificates(before).length).toBeGreaterThan(0);
      expect(certificates(after)).toEqual(certificates(before));
      expect(ok('ppi-request-after').trim()).toBe('0');
    });
  } else {
    it('ESC: the run ends as a user abort, the TPM untouched, no second request', () => {
      expect(ok('ppi-response').trim()).toMatch(/^14 0xFFFFFFF0: User Abort$/i);
      const resumed = block('resume');
      expect(resumed.rc, out.get('resume.stderr')?.text).not.toBe(0);
      const result = JSON.parse(resumed.text) as RunJson;
      expect(result.run.status).toBe('failed');
      expect(result.run.failure?.reason).toMatch(/abort/i);
      expect(result.run.proof).toBeNull();
      const before = JSON.parse(ok('before')) as StatusJson;
      const after = JSON.parse(ok('after')) as StatusJson;
      expect(after.persistentObjects).toEqual(before.persistentObjects);
      expect(certificates(after)).toEqual(certificates(before));
      expect(ok('ppi-request-after').trim()).toBe('0');
    });
  }
});
