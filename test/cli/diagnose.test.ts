/**
 * `tpm-doctor diagnose` end to end, as an admin or a script runs it: the built CLI against a lab
 * TPM in a broken state, against saved Windows evidence bundles, and against nothing at all.
 */
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, useBuiltCli } from './cli-support.js';

useBuiltCli();

const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', 'synthetic', 'windows', name);

interface DiagnosisJson {
  schema: string;
  verdict: {
    status: string;
    nextStep: string;
    clearRecommended: boolean;
    clearBlockedBy: { finding: string }[];
  };
  findings: { id: string; severity: string }[];
  source: { tpm: string | null; lab: string[] | null; evidence: string | null };
}

async function diagnoseJson(
  args: string[],
): Promise<{ code: number | null; json: DiagnosisJson; raw: string }> {
  const r = await runCli(['diagnose', ...args, '--json'], { timeoutMs: 60_000 });
  return { code: r.code, json: JSON.parse(r.stdout) as DiagnosisJson, raw: r.stdout + r.stderr };
}

describe('diagnose on a lab TPM put into a broken state', () => {
  it('stale objects under a DA lockout: wait, and a clear is refused because of the lockout', async () => {
    const { code, json } = await diagnoseJson(['--tpm', 'lab:stale-objects,lockout']);
    expect(code).toBe(7);
    expect(json.schema).toBe('tpm-doctor/diagnosis/v1');
    expect(json.source.lab).toEqual(['stale-objects', 'lockout']);
    expect(json.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['tpm.lockout', 'tpm.stale-objects']),
    );
    expect(json.verdict).toMatchObject({ status: 'errors', nextStep: 'wait', clearRecommended: false });
    expect(json.verdict.clearBlockedBy.map((b) => b.finding)).toContain('tpm.lockout');
  });

  it('prints the verdict first in text, labelled as a lab', async () => {
    const r = await runCli(['diagnose', '--tpm', 'lab:disable-clear'], { timeoutMs: 60_000 });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/LAB/);
    expect(lines.find((l) => l.startsWith('Verdict'))).toBeDefined();
    expect(r.stdout.indexOf('Verdict')).toBeLessThan(r.stdout.indexOf('tpm.clear-disabled'));
  });
});

describe('diagnose from saved Windows evidence', () => {
  it('reduced functionality (IsReadyInformation 0x900, sync failing): a clear is the fix, nothing blocks it', async () => {
    const { code, json } = await diagnoseJson(['--evidence', fixture('reduced-functionality-0x900')]);
    expect(code).toBe(7);
    expect(json.source.tpm).toBeNull(); // the local TPM is not read for someone else's bundle
    expect(json.verdict).toMatchObject({ nextStep: 'clear', clearRecommended: true });
  });

  it('a Secure Boot certificate event alone is not a TPM fault; unknown BitLocker makes the evidence incomplete (exit 17), no clear', async () => {
    const { code, json } = await diagnoseJson(['--evidence', fixture('secureboot-1801')]);
    // The bundle was collected without admin rights: the OS volume's protectors are unknown, so
    // the verdict cannot be "healthy" (docs/exit-codes.md, 17).
    expect(code).toBe(17);
    expect(json.verdict.status).toBe('incomplete');
    expect(json.findings.map((f) => f.id)).toEqual(['bitlocker.not-read', 'secureboot.ca-update-pending']);
    expect(json.findings.every((f) => f.severity === 'info')).toBe(true);
    expect(json.verdict.clearRecommended).toBe(false);
  });

  it('never prints a recovery password that a bundle carries', async () => {
    for (const name of ['healthy', 'entra-key-unusable-0x80090016']) {
      const r = await runCli(['diagnose', '--evidence', fixture(name), '--json', '--verbose'], {
        timeoutMs: 60_000,
      });
      expect(r.stdout + r.stderr).not.toMatch(/\d{6}-\d{6}-\d{6}-\d{6}-\d{6}-\d{6}-\d{6}-\d{6}/);
      const text = await runCli(['diagnose', '--evidence', fixture(name), '--verbose'], {
        timeoutMs: 60_000,
      });
      expect(text.stdout + text.stderr).not.toMatch(/\d{6}-\d{6}-\d{6}-\d{6}-\d{6}-\d{6}-\d{6}-\d{6}/);
    }
  });

  it('a missing or garbage bundle exits 9 and names the file', async () => {
    const missing = await runCli(['diagnose', '--evidence', fixture('no-such-bundle')]);
    expect(missing.code).toBe(9);
    expect(missing.stderr).toMatch(/no-such-bundle/);
    const garbage = await runCli(['diagnose', '--evidence', fixture('bad/not-evidence.txt')]);
    expect(garbage.code).toBe(9);
    expect(garbage.stderr).toMatch(/not-evidence\.txt/);
  });
});

describe('diagnose exit codes', () => {
  it('nothing listening at a simulator address: could not diagnose (8), no findings', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const { code, json } = await diagnoseJson(['--tpm', `swtpm://127.0.0.1:${port}`]);
    expect(code).toBe(8);
    expect(json.verdict.status).toBe('undiagnosable');
    expect(json.findings).toEqual([]);
  });

  it('--help teaches and exits 0; a wrong flag exits 2', async () => {
    const help = await runCli(['diagnose', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--evidence PATH/);
    expect(help.stdout).toMatch(/Exit status/);
    const wrong = await runCli(['diagnose', '--bogus']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/tpm-doctor diagnose --help/);
  });
});
