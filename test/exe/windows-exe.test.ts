/**
 * tpm-doctor.exe (docs/single-executable.md) under Wine: the Windows build of Node with the bundle
 * injected, run as a Windows program. Wine has no TPM and no PowerShell; what it shows is that the
 * executable starts, reads evidence exactly as the Linux CLI does (drive letters, non-ASCII
 * folders), reaches a swtpm on the Linux side over loopback, and reports `tbs:` clearly when
 * Windows' TPM Base Services has no TPM. One Wine prefix for the whole file (its creation is the
 * slow part).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli, useBuiltCli } from '../cli/cli-support.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { type CASES, FIXTURES } from '../windows/support.js';
import { DEVICE_BUNDLE, NODE_EXE, useBuiltExecutables, useWine, WINDOWS_EXE } from './exe-support.js';

useBuiltCli();
useBuiltExecutables();
const swtpm = useSwtpm();
const wine = useWine();
const scratch = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-exe-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The Linux CLI from another working folder. */
function linuxCli(args: string[], cwd: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    delete env.TPM_DOCTOR_TPM;
    execFile(process.execPath, [CLI, ...args], { cwd, env }, (err, stdout) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout });
    });
  });
}

/** A Linux path as the Windows program sees it (Wine maps / to drive Z:). */
function windowsPath(file: string): string {
  return `Z:${file.replaceAll('/', '\\')}`;
}

function comparableStatus(json: string): unknown {
  const parsed = JSON.parse(json) as Record<string, unknown>;
  delete parsed.collectedAt;
  delete parsed.clock;
  return parsed;
}

describe('tpm-doctor.exe under Wine', () => {
  it('prints its version', () => {
    const r = wine.run(WINDOWS_EXE, ['--version']);
    expect(r).toMatchObject({ status: 0, stdout: 'tpm-doctor 0.1.0\n', stderr: '' });
  });

  // Three of the synthetic device cases (test/windows/support.ts): healthy, an error finding, and
  // a fact a clear depends on missing. Each Wine start costs about a second.
  it.each(['healthy', 'lockout', 'bitlocker-no-recovery-password'] satisfies (typeof CASES)[number][])(
    'diagnoses the %s evidence bundle with the JSON and exit code of the Linux CLI',
    async (name) => {
      const exe = wine.run(WINDOWS_EXE, ['diagnose', '--evidence', name, '--json'], { cwd: FIXTURES });
      const linux = await linuxCli(['diagnose', '--evidence', name, '--json'], FIXTURES);
      expect(exe.stderr).toBe('');
      expect(exe.status).toBe(linux.status);
      expect(exe.stdout).toBe(linux.stdout);
    },
  );

  it('reads a bundle by a drive-letter path through a folder with a Japanese name', async () => {
    const folder = path.join(scratch, '証拠 フォルダ', 'lockout');
    cpSync(path.join(FIXTURES, 'lockout'), folder, { recursive: true });
    const exe = wine.run(WINDOWS_EXE, ['diagnose', '--evidence', windowsPath(folder), '--json']);
    const linux = await linuxCli(['diagnose', '--evidence', 'lockout', '--json'], FIXTURES);
    expect(exe.status).toBe(7);
    const fromExe = JSON.parse(exe.stdout) as { source: { evidence: string } };
    expect(fromExe.source.evidence).toBe(windowsPath(folder));
    fromExe.source.evidence = 'lockout';
    expect(fromExe).toEqual(JSON.parse(linux.stdout));
  });

  it('reads a Linux swtpm over loopback as the Linux CLI does', async () => {
    const args = ['status', '--json', '--tpm', swtpm.get().uri];
    const exe = wine.run(WINDOWS_EXE, args);
    const linux = await runCli(args);
    expect(exe.stderr).toBe('');
    expect(exe.status).toBe(0);
    expect(comparableStatus(exe.stdout)).toEqual(comparableStatus(linux.stdout));
  });

  // Exit codes: docs/exit-codes.md. Wine's tbs.dll answers Tbsi_Context_Create with
  // TBS_E_TPM_NOT_FOUND, which is Windows saying the machine has no TPM: status exits 3 and
  // names the TBS code, diagnose finds tpm.absent (exit 7). That koffi got that far shows that its
  // native module loaded from the executable's asset.
  it('tbs: loads koffi from the executable and reports what tbs.dll says (status exit 3)', () => {
    const r = wine.run(WINDOWS_EXE, ['status', '--tpm', 'tbs:', '--json']);
    expect(r.status).toBe(3);
    const status = JSON.parse(r.stdout) as { errors: { code: string; message: string }[] };
    expect(status.errors).toEqual([
      expect.objectContaining({
        code: 'TPM_ABSENT',
        message: expect.stringContaining('TBS_E_TPM_NOT_FOUND'),
      }),
    ]);
  });

  it('tbs: with TBS_E_TPM_NOT_FOUND is the finding tpm.absent in diagnose (exit 7)', () => {
    const r = wine.run(WINDOWS_EXE, ['diagnose', '--tpm', 'tbs:', '--json']);
    expect(r.status).toBe(7);
    const diagnosis = JSON.parse(r.stdout) as { findings: { id: string }[] };
    expect(diagnosis.findings.map((f) => f.id)).toContain('tpm.absent');
  });

  // node.exe running the bundle from a folder with no node_modules above it has no koffi: the TPM
  // cannot be reached at all, so its state is unknown, never absent: diagnose exits 8 (nothing
  // readable) and status 3, both naming what is missing.
  it('tbs: without koffi is unknown, never absent (diagnose exit 8, status exit 3)', () => {
    const bundle = path.join(scratch, 'no-node-modules', 'tpm-doctor-device.cjs');
    cpSync(DEVICE_BUNDLE, bundle);
    const diagnose = wine.run(NODE_EXE, [windowsPath(bundle), 'diagnose', '--tpm', 'tbs:', '--json']);
    expect(diagnose.status).toBe(8);
    const diagnosis = JSON.parse(diagnose.stdout) as {
      verdict: { status: string };
      findings: { id: string }[];
    };
    expect(diagnosis.verdict.status).toBe('undiagnosable');
    expect(diagnosis.findings.map((f) => f.id)).not.toContain('tpm.absent');

    const status = wine.run(NODE_EXE, [windowsPath(bundle), 'status', '--tpm', 'tbs:']);
    expect(status.status).toBe(3);
    expect(status.stdout).toContain('needs the optional "koffi" package (npm install koffi)');
  });

  it('says fleet is not in the device build (exit 2)', () => {
    const r = wine.run(WINDOWS_EXE, ['fleet', 'triage']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"fleet" is not in this device build');
  });
});
