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

interface GateJson {
  gate: {
    passed: boolean;
    checks: {
      id: string;
      status: string;
      message: string;
      evidence: { source: string; field: string; value: unknown }[];
    }[];
  };
}

interface StatusJson {
  startupClear: { flags: Record<string, boolean> };
  persistentObjects: { handle: string }[];
  endorsement: { certificates: { nvIndex: string; fingerprintSha256: string }[] };
}

describe.each(['f12', 'esc'] as const)('the PPI clear under OVMF, the prompt answered with %s', (key) => {
  let run: GuestRun;
  let out: ReturnType<typeof blocks>;

  beforeAll(async () => {
    const shared = mkdtempSync(path.join(setup!.dir, 'shared-'));
    // The script reads which key answers the prompt (the ESC run also tries the platform clear).
    writeFileSync(path.join(shared, 'key'), key);
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
    // On failure, everything the guest printed for the step: stderr, and the JSON's own failure.
    expect(b.rc, `${name} failed: ${out.get(`${name}.stderr`)?.text}\n${b.text.slice(-3000)}`).toBe(0);
    return b.text;
  };
  const certificates = (json: StatusJson) =>
    json.endorsement.certificates.map((c) => ({ nvIndex: c.nvIndex, fingerprint: c.fingerprintSha256 }));

  it('clear writes request 14 and waits for the restart', () => {
    expect(run.console).toMatch(/^@@BOOT 1 resetCount=([2-9]|\d\d)/m);
    ok('setup-objects');
    const clear = block('clear-ppi');
    expect(clear.rc).toBe(12); // waiting (docs/exit-codes.md)
    const started = JSON.parse(clear.text) as RunJson & GateJson;
    expect(started.run.status).toBe('waiting');
    // The gate read OVMF's operation list from the kernel's PPI files: operation 14 is implemented.
    const rights = started.gate.checks.find((c) => c.id === 'rights.clear-authorization');
    expect(rights?.status).toBe('pass');
    expect(rights?.message).toMatch(/implements physical-presence operation 14/);
    expect(rights?.evidence).toContainEqual(
      expect.objectContaining({
        field: 'ppi/tcg_operations',
        value: expect.stringMatching(/(^|; )14 [34]($|;)/),
      }),
    );
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
      expect(resumed.rc).toBe(11); // the clear did not happen (docs/exit-codes.md)
      const result = JSON.parse(resumed.text) as RunJson;
      // One word for a prompt the person declined, in resume and in runs alike (docs/clear.md).
      expect(result.run.status).toBe('rejected');
      expect(result.run.failure?.reason).toBe('ppi-user-aborted');
      const runs = JSON.parse(ok('runs')) as { runs: { runId: string; status: string }[] };
      expect(runs.runs).toEqual([expect.objectContaining({ runId: result.run.runId, status: 'rejected' })]);
      expect(result.run.proof).toBeNull();
      const before = JSON.parse(ok('before')) as StatusJson;
      const after = JSON.parse(ok('after')) as StatusJson;
      expect(after.persistentObjects).toEqual(before.persistentObjects);
      expect(certificates(after)).toEqual(certificates(before));
      expect(ok('ppi-request-after').trim()).toBe('0');
    });

    it('the platform clear where the firmware keeps the platform hierarchy: refused by the gate, nothing written', () => {
      // OVMF leaves phEnable set but sets a random platformAuth: the empty value is refused.
      const platformAuth = block('platform-auth');
      expect(platformAuth.rc).not.toBe(0);
      expect(out.get('platform-auth.stderr')?.text).toMatch(/0x9a2/i); // TPM_RC_BAD_AUTH, session 1
      const after = JSON.parse(ok('after')) as StatusJson;
      expect(after.startupClear.flags.phEnable).toBe(true);
      const refused = block('clear-platform');
      expect(refused.rc).toBe(10); // refused (docs/exit-codes.md)
      expect(out.get('clear-platform.stderr')?.text).toBe('');
      const result = JSON.parse(refused.text) as GateJson & { run: unknown };
      expect(result.run).toBeNull();
      const rights = result.gate.checks.find((c) => c.id === 'rights.clear-authorization');
      expect(rights?.status).toBe('fail');
      expect(rights?.message).toMatch(
        /^Platform authorisation is not available to the OS on a PC: the firmware sets a random platformAuth/,
      );
      expect(rights?.message).toContain('--method ppi');
      expect(rights?.evidence).toContainEqual({
        source: 'tpm',
        field: 'TPMA_STARTUP_CLEAR.phEnable',
        value: true,
      });
      expect(ok('state-platform').trim()).toBe('0');
    });
  }
});
