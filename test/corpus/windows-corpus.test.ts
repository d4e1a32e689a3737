/**
 * Every case of test/corpus/windows (real Windows outputs, each with an expert's verdict in its
 * NAME.source.json sidecar; README there) is a test of the conclusion tpm-doctor reaches:
 *
 * - alone in a bundle (as `bundleFile`): the verdict class the expert gives (a healthy or finding
 *   source is read, an unreadable one is reported as a problem naming its file, and nothing but a
 *   healthy source may end "healthy" with exit 0), the expected finding IDs, and no clear where the
 *   expert says none;
 * - in gate mode: put into the reduced-functionality bundle of test/fixtures/synthetic/windows (which alone
 *   recommends a clear), replacing the sources of its kind, a case the expert says blocks a clear
 *   must stop the clear.
 *
 * A reader change that stops reading a real output, or reads garbage as data, fails here.
 */
import { cpSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnoseExitCode } from '../../src/cli/commands/diagnose.js';
import { EXIT } from '../../src/exit-codes.js';
import { type Diagnosis, diagnose } from '../../src/diagnose/diagnose.js';
import { readEvidenceBundle } from '../../src/probe/windows/evidence-bundle.js';
import type { WindowsEvidence } from '../../src/snapshot/windows-evidence.js';

const ROOT = join(import.meta.dirname, 'windows');
const GATE_BUNDLE = join(import.meta.dirname, '..', 'fixtures', 'synthetic', 'windows', 'reduced-functionality-0x900');
const FINDING_ID = /^[a-z]+\.[a-z0-9-]+$/;

/** Which bundle files a case replaces in gate mode: Get-Tpm and tpmtool tell the same facts, and so do the two BitLocker sources. */
const REPLACES: Record<string, string[]> = {
  'get-tpm.json': ['get-tpm.json', 'tpmtool.txt'],
  'tpmtool.txt': ['tpmtool.txt', 'get-tpm.json'],
  'bitlocker.json': ['bitlocker.json', 'manage-bde.txt'],
  'manage-bde.txt': ['bitlocker.json', 'manage-bde.txt'],
};

interface Sidecar {
  bundleFile: string;
  expert: {
    verdict: 'healthy' | 'finding' | 'incomplete' | 'unreadable';
    blocksClear: boolean;
    findings: string[];
    clearRecommended: boolean;
  };
}

interface Case {
  name: string;
  dataFile: string;
  meta: Sidecar;
}

function sidecars(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return sidecars(p);
      return n.endsWith('.source.json') ? [p] : [];
    })
    .sort();
}

const CASES: Case[] = sidecars(ROOT).map((side) => {
  const base = side.slice(0, -'.source.json'.length);
  const dir = join(base, '..');
  const dataFile = readdirSync(dir)
    .map((n) => join(dir, n))
    .find((p) => p.startsWith(`${base}.`) && !p.endsWith('.source.json'));
  if (dataFile === undefined) throw new Error(`${side}: no data file next to the sidecar`);
  return { name: relative(ROOT, dataFile), dataFile, meta: JSON.parse(readFileSync(side, 'utf8')) as Sidecar };
});

const scratch = mkdtempSync(join(tmpdir(), 'tpm-doctor-corpus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function diagnoseBundle(dir: string): Promise<{ evidence: WindowsEvidence; diagnosis: Diagnosis }> {
  const evidence = await readEvidenceBundle(dir);
  const diagnosis = diagnose({ schema: 'tpm-doctor/snapshot/v1', takenAt: new Date().toISOString(), tpm: null, windows: evidence });
  return { evidence, diagnosis };
}

describe('the Windows corpus', () => {
  it('holds at least 60 cases, each with a bundle file and an expert verdict', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    for (const c of CASES) {
      expect(c.meta.bundleFile, c.name).toMatch(/\.(json|txt)$/);
      expect(['healthy', 'finding', 'incomplete', 'unreadable'], c.name).toContain(c.meta.expert.verdict);
    }
  });

  it('the gate-mode bundle alone recommends a clear (else gate mode would prove nothing)', async () => {
    const { diagnosis } = await diagnoseBundle(GATE_BUNDLE);
    expect(diagnosis.verdict.clearRecommended).toBe(true);
  });
});

describe.each(CASES)('$name', ({ name, dataFile, meta }) => {
  it(`alone in a bundle: ${meta.expert.verdict}`, async () => {
    const dir = mkdtempSync(join(scratch, 'alone-'));
    copyFileSync(dataFile, join(dir, meta.bundleFile));
    const { evidence, diagnosis } = await diagnoseBundle(dir);
    const unread = evidence.problems.filter((p) => p.file === meta.bundleFile);
    const status = diagnosis.verdict.status;
    const exit = diagnoseExitCode(diagnosis);
    if (meta.expert.verdict === 'unreadable') {
      expect(unread.length, `${name} should be reported unreadable`).toBeGreaterThan(0);
      // The reason names what was expected; it never quotes the file.
      for (const p of unread) expect(p.message).toMatch(/expected|found|empty|binary|cut short/i);
    } else {
      expect(unread.map((p) => p.message), `${name} should be read`).toEqual([]);
    }
    if (meta.expert.verdict !== 'healthy') {
      expect(status, name).not.toBe('healthy');
      expect(exit, name).not.toBe(EXIT.OK);
    }
    const ids = diagnosis.findings.map((f) => f.id);
    for (const id of meta.expert.findings.filter((f) => FINDING_ID.test(f))) {
      expect(ids, `${name} should report ${id}`).toContain(id);
    }
    if (!meta.expert.clearRecommended) expect(diagnosis.verdict.clearRecommended, name).toBe(false);
  });

  it(`in a bundle that otherwise recommends a clear: ${meta.expert.blocksClear ? 'stops the clear' : 'may allow it'}`, async () => {
    const dir = mkdtempSync(join(scratch, 'gate-'));
    cpSync(GATE_BUNDLE, dir, { recursive: true });
    for (const f of REPLACES[meta.bundleFile] ?? [meta.bundleFile]) rmSync(join(dir, f), { force: true });
    copyFileSync(dataFile, join(dir, meta.bundleFile));
    const { diagnosis } = await diagnoseBundle(dir);
    if (meta.expert.blocksClear) {
      expect(diagnosis.verdict.clearRecommended, `${name} must stop the clear`).toBe(false);
    }
  });
});
