/**
 * tpm-doctor against a real Linux kernel TPM driver: a qemu guest (Debian's kernel, plain TCG)
 * with swtpm behind qemu's tpm-tis and tpm-crb devices, two guest CPUs. In the same guest
 * tpm-doctor and tpm2-tools read the TPM through /dev/tpmrm0 and /dev/tpm0 and must agree; the
 * lockout clear runs through the kernel's resource manager and is proven; a dictionary-attack
 * lockout made with tpm2-tools is diagnosed; tpm-doctor and two tpm2-tools loops share
 * /dev/tpmrm0 without a single error (the kernel answers 0-byte reads under that load:
 * src/tpm/transport/device.ts). One boot per device runs every check (test/qemu/guest-checks.sh).
 * Needs `npm run build` (dist/tpm-doctor.cjs) and the packages in QEMU_PACKAGES.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { provisionedTemplateInfo } from '../../src/lab/swtpm-process.js';
import { runCli } from '../cli/cli-support.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { map, num, tpm2 } from '../support/tpm2-tools.js';
import { bitsToWord, PERMANENT_BITS, STARTUP_CLEAR_BITS } from '../tpm/crosscheck-support.js';
import { blocks, bootGuest, type GuestRun, type GuestSetup, prepareGuest, removeGuest } from './guest.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const BOOT_TIMEOUT_MS = 480_000; // a boot takes 1-3 min under TCG on a busy 2-core machine

let setup: GuestSetup | undefined;
let ekState = '';

beforeAll(async () => {
  setup = prepareGuest();
  ekState = (await provisionedTemplateInfo()).stateDir;
}, 120_000);

afterAll(() => removeGuest(setup));

interface StatusJson {
  tpm: { uri: string };
  present: boolean;
  errors: unknown[];
  identity: unknown;
  permanent: { value: string; flags: Record<string, boolean> };
  startupClear: { value: string };
  properties: Record<string, number>;
  pcrBanks: { hashAlg: string; values: Record<string, string> }[];
  persistentObjects: { handle: string }[];
  nvIndices: { index: string }[];
  endorsement: { certificates: { nvIndex: string; fingerprintSha256: string }[] };
  clock: { resetCount: number };
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
  run: unknown;
}

interface DiagnosisJson {
  verdict: { status: string; nextStep: string; action: string };
  findings: { id: string; severity: string }[];
}

const findingsOf = (d: DiagnosisJson) => d.findings.map((f) => [f.id, f.severity]).sort();

// The same facts on swtpm (the provisioned template the guests start from, cleared as the guest's
// lockout clear does, then test/qemu/make-stale-state.sh): the reference diagnosis.
const swtpm = useSwtpm({ provision: true });
let onSwtpm: { code: number; json: DiagnosisJson };

beforeAll(async () => {
  const i = swtpm.get();
  await tpm2(i, ['tpm2_clear', '-c', 'l']);
  await tpm2(i, ['sh', path.join(here, 'make-stale-state.sh'), setup!.dir]);
  const r = await runCli(['diagnose', '--json', '--tpm', i.uri]);
  onSwtpm = { code: r.code ?? -1, json: JSON.parse(r.stdout) as DiagnosisJson };
}, 120_000);

describe.each(['tpm-tis', 'tpm-crb'] as const)('a Linux guest with %s', (device) => {
  let run: GuestRun;
  let out: ReturnType<typeof blocks>;

  beforeAll(async () => {
    run = await bootGuest(setup!, {
      device,
      script: path.join(here, 'guest-checks.sh'),
      arg: repo,
      cpus: 2,
      stateFrom: ekState,
      timeoutMs: BOOT_TIMEOUT_MS,
    });
    out = blocks(run.console);
    // TPM_DOCTOR_QEMU_LOG=folder keeps each guest's serial console for a look afterwards.
    const keep = process.env.TPM_DOCTOR_QEMU_LOG;
    if (keep) writeFileSync(path.join(keep, `${device}.console.txt`), run.console);
    const times = [...run.console.matchAll(/^@@TIME (\S+) (\d+)$/gm)].map((m) => `${m[1]}=${m[2]}ms`);
    console.log(`${device}: guest run ${run.elapsedMs} ms; ${times.join(' ')}`);
  }, BOOT_TIMEOUT_MS + 30_000);

  const block = (name: string) => {
    const b = out.get(name);
    if (!b)
      throw new Error(`the guest printed no "${name}" block; its console:\n${run.console.slice(-4000)}`);
    return b;
  };
  const ok = (name: string) => {
    const b = block(name);
    expect(b.rc, `${name} failed: ${out.get(`${name}.stderr`)?.text}\n${b.text.slice(-3000)}`).toBe(0);
    return b.text;
  };
  const status = (name: string) => JSON.parse(ok(name)) as StatusJson;
  const yaml = (name: string) => parse(ok(name), { schema: 'failsafe' }) as unknown;

  it('the guest ran every check and powered off', () => {
    expect(run.console).toMatch(/^@@GUEST-DONE /m);
    ok('setup-objects');
  });

  it('status --json through /dev/tpmrm0 equals tpm2-tools reading the same TPM', () => {
    const json = status('status-tpmrm0');
    expect(json.present).toBe(true);
    expect(json.errors).toEqual([]);
    const tools = { ...map(yaml('tools-fixed')), ...map(yaml('tools-variable')) };
    let compared = 0;
    for (const [name, printed] of Object.entries(tools)) {
      if (name === 'TPM2_PT_PERMANENT' || name === 'TPM2_PT_STARTUP_CLEAR' || !(name in json.properties))
        continue;
      // properties-fixed prints { raw, value }; properties-variable a plain value.
      const raw = typeof printed === 'string' ? printed : map(printed).raw;
      expect(json.properties[name], name).toBe(num(raw));
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
    expect(bitsToWord(tools.TPM2_PT_PERMANENT, PERMANENT_BITS)).toBe(Number(json.permanent.value));
    expect(bitsToWord(tools.TPM2_PT_STARTUP_CLEAR, STARTUP_CLEAR_BITS)).toBe(Number(json.startupClear.value));

    const pcrs = map(yaml('tools-pcrs'));
    for (const bank of json.pcrBanks) {
      const printed = map(pcrs[bank.hashAlg]);
      expect(Object.keys(bank.values)).toHaveLength(24);
      for (const [pcr, value] of Object.entries(bank.values)) {
        expect(String(printed[pcr]).toLowerCase(), `${bank.hashAlg}:${pcr}`).toBe(`0x${value.toLowerCase()}`);
      }
    }
    const handles = (name: string) => ((yaml(name) as string[] | null) ?? []).map(num).sort();
    expect(json.persistentObjects.map((o) => Number(o.handle)).sort()).toEqual(handles('tools-persistent'));
    expect(json.persistentObjects.map((o) => o.handle)).toContain('0x81000005');
    expect(json.nvIndices.map((n) => Number(n.index)).sort()).toEqual(handles('tools-nv'));
    expect(json.endorsement.certificates.length).toBeGreaterThan(0);
  });

  it('status --json through /dev/tpm0 and through the default URI reads the same TPM', () => {
    const viaRm = status('status-tpmrm0');
    for (const name of ['status-tpm0', 'status-default']) {
      const json = status(name);
      expect(json.errors, name).toEqual([]);
      expect(json.identity, name).toEqual(viaRm.identity);
      expect(json.permanent, name).toEqual(viaRm.permanent);
      expect(json.pcrBanks, name).toEqual(viaRm.pcrBanks);
      expect(json.persistentObjects, name).toEqual(viaRm.persistentObjects);
      expect(json.nvIndices, name).toEqual(viaRm.nvIndices);
    }
    expect(status('status-tpm0').tpm.uri).toBe('device:/dev/tpm0');
    expect(status('status-default').tpm.uri).toBe('device:/dev/tpmrm0');
  });

  it('tpm-doctor and two tpm2-tools loops share /dev/tpmrm0 without an error', () => {
    const runs = [...out.keys()].filter((k) => /^concurrent-\d+$/.test(k));
    expect(runs.length).toBeGreaterThan(0);
    for (const name of runs) ok(name);
    const [first, second, ...errors] = block('load').text.trim().split('\n');
    for (const loop of [first, second]) {
      const [commands, failures] = (loop ?? '').split(' ').map(Number);
      expect(commands).toBeGreaterThan(0);
      expect(failures).toBe(0);
    }
    expect(errors).toEqual([]);
  });

  it('the lockout clear through the resource manager is proven, and keeps the EK certificate', () => {
    const result = JSON.parse(ok('clear-lockout')) as {
      gate: { passed: boolean };
      run: { status: string; proof: { proven: boolean } };
    };
    expect(result.gate.passed).toBe(true);
    expect(result.run).toMatchObject({ status: 'finished', proof: { proven: true } });
    const before = status('status-tpmrm0');
    const after = status('after-clear');
    expect(after.persistentObjects.map((o) => o.handle)).not.toContain('0x81000005');
    expect(after.nvIndices.map((n) => n.index)).not.toContain('0x01800005');
    // The certificates stay (platform-written NV); the persistent EKs go with the clear.
    const certificates = (json: StatusJson) =>
      json.endorsement.certificates.map((c) => ({ nvIndex: c.nvIndex, fingerprint: c.fingerprintSha256 }));
    expect(certificates(before).length).toBeGreaterThan(0);
    expect(certificates(after)).toEqual(certificates(before));
  });

  it('under SeaBIOS (a PPI with no operation) the PPI clear ends in a clear error and writes nothing', () => {
    expect(ok('ppi-files')).toMatch(/^version=1\.3;\ntcg_operations=\nrequest=0;$/m);
    // The gate decides from the kernel's PPI files, before a run starts or a fingerprint is taken.
    const refused = block('clear-ppi-seabios');
    expect(refused.rc, out.get('clear-ppi-seabios.stderr')?.text).toBe(10); // refused (docs/exit-codes.md)
    const result = JSON.parse(refused.text) as GateJson;
    expect(result.run).toBeNull();
    expect(result.gate.passed).toBe(false);
    const rights = result.gate.checks.find((c) => c.id === 'rights.clear-authorization');
    expect(rights?.status).toBe('fail');
    expect(rights?.message).toMatch(
      /implements no physical-presence operation \(\/sys\/class\/tpm\/tpm0\/ppi\/tcg_operations is empty/,
    );
    expect(rights?.evidence).toContainEqual({ source: 'sysfs', field: 'ppi/tcg_operations', value: '' });
    expect(ok('ppi-request-after').trim()).toBe('0');
  });

  it('diagnose on stale objects and disableClear made with tpm2-tools finds what it finds on swtpm', () => {
    ok('make-stale');
    const diagnosed = block('diagnose-state');
    const guest = JSON.parse(diagnosed.text) as DiagnosisJson;
    expect(diagnosed.rc).toBe(onSwtpm.code);
    expect(findingsOf(guest)).toEqual(findingsOf(onSwtpm.json));
    expect(findingsOf(guest)).toEqual(
      expect.arrayContaining([
        ['tpm.stale-objects', 'warning'],
        ['tpm.clear-disabled', 'info'],
      ]),
    );
    expect(guest.verdict.status).toBe(onSwtpm.json.verdict.status);
    expect(guest.verdict.nextStep).toBe(onSwtpm.json.verdict.nextStep);
  });

  it('diagnose on a busy /dev/tpm0 gives the EBUSY reason, as status does', () => {
    const busy = block('diagnose-busy');
    expect(busy.rc, out.get('diagnose-busy.stderr')?.text).toBe(8); // nothing could be read
    const diagnosis = JSON.parse(busy.text) as DiagnosisJson;
    expect(diagnosis.verdict.status).toBe('undiagnosable');
    expect(diagnosis.verdict.action).toContain(
      'cannot open /dev/tpm0: the device is busy (another program holds /dev/tpm0; use /dev/tpmrm0)',
    );
  });

  it('diagnose names the dictionary-attack lockout made with tpm2-tools', () => {
    ok('make-lockout');
    const diagnosed = block('diagnose-lockout');
    expect(diagnosed.rc, out.get('diagnose-lockout.stderr')?.text).toBe(7); // errors found (docs/exit-codes.md)
    const diagnosis = JSON.parse(diagnosed.text) as {
      verdict: { status: string };
      findings: { id: string }[];
    };
    expect(diagnosis.verdict.status).toBe('errors');
    expect(diagnosis.findings.map((f) => f.id)).toContain('tpm.lockout');
  });
});
