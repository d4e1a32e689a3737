/**
 * The same rules decide in the fleet and on the device: each case of test/corpus/windows-compact
 * (a real output of test/corpus/windows written in the compact form of the Remediations detection
 * script) reaches the conclusion of its source case, read from the bundle file:
 *
 * - alone: the same verdict status, finding IDs and clear recommendation as the source file alone
 *   in a bundle, and the source case's expected finding IDs;
 * - in gate mode: put into the 0x900 compact fixture (which alone recommends a clear) in place of
 *   the keys it stands for, a case whose source the expert says blocks a clear stops the clear.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Diagnosis, diagnose } from '../../src/diagnose/diagnose.js';
import { readEvidenceBundle } from '../../src/probe/windows/evidence-bundle.js';

const ROOT = join(import.meta.dirname, 'windows-compact');
const CORPUS = join(import.meta.dirname, 'windows');
const GATE_COMPACT = join(
  import.meta.dirname,
  '..',
  'fixtures',
  'synthetic',
  'windows',
  'compact',
  'reduced-functionality-0x900.json',
);
const FINDING_ID = /^[a-z]+\.[a-z0-9-]+$/;

interface CompactSidecar {
  derivedFrom: { file: string; operation: string };
  replaces: string[];
}
interface SourceSidecar {
  bundleFile: string;
  expert: { verdict: string; blocksClear: boolean; findings: string[]; clearRecommended: boolean };
}

const CASES = readdirSync(ROOT)
  .filter((n) => n.endsWith('.source.json'))
  .sort()
  .map((n) => {
    const name = n.slice(0, -'.source.json'.length);
    const meta = JSON.parse(readFileSync(join(ROOT, n), 'utf8')) as CompactSidecar;
    const source = JSON.parse(
      readFileSync(join(CORPUS, meta.derivedFrom.file.replace(/\.[a-z]+$/, '.source.json')), 'utf8'),
    ) as SourceSidecar;
    return { name, file: join(ROOT, `${name}.json`), meta, source };
  });

const scratch = mkdtempSync(join(tmpdir(), 'tpm-doctor-compact-corpus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function diagnosePath(path: string): Promise<Diagnosis> {
  const windows = await readEvidenceBundle(path);
  return diagnose({ schema: 'tpm-doctor/snapshot/v1', takenAt: new Date().toISOString(), tpm: null, windows });
}

const conclusion = (d: Diagnosis) => ({
  status: d.verdict.status,
  clearRecommended: d.verdict.clearRecommended,
  findings: d.findings.map((f) => f.id).sort(),
});

describe('the compact corpus', () => {
  it('covers Get-Tpm, tpmtool, BitLocker, events and dsregcmd', () => {
    const sources = new Set(CASES.map((c) => c.source.bundleFile));
    for (const f of ['get-tpm.json', 'tpmtool.txt', 'bitlocker.json', 'events.json', 'dsregcmd.txt']) {
      expect(sources).toContain(f);
    }
  });

  it('the 0x900 compact fixture alone recommends a clear (else gate mode would prove nothing)', async () => {
    expect((await diagnosePath(GATE_COMPACT)).verdict.clearRecommended).toBe(true);
  });
});

describe.each(CASES)('$name', ({ file, meta, source }) => {
  it('reaches the conclusion of its source case read from the bundle file', async () => {
    const compact = await diagnosePath(file);
    const dir = mkdtempSync(join(scratch, 'bundle-'));
    copyFileSync(join(CORPUS, meta.derivedFrom.file), join(dir, source.bundleFile));
    const bundle = await diagnosePath(dir);
    expect(conclusion(compact)).toEqual(conclusion(bundle));
    const ids = compact.findings.map((f) => f.id);
    for (const id of source.expert.findings.filter((f) => FINDING_ID.test(f))) expect(ids).toContain(id);
    if (source.expert.verdict !== 'healthy') expect(compact.verdict.status).not.toBe('healthy');
  });

  it(`inside the 0x900 compact fixture: ${source.expert.blocksClear ? 'stops the clear' : 'may allow it'}`, async () => {
    const base = JSON.parse(readFileSync(GATE_COMPACT, 'utf8')) as Record<string, unknown>;
    const own = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const key of meta.replaces) delete base[key];
    for (const key of meta.replaces) if (key in own) base[key] = own[key];
    const merged = join(mkdtempSync(join(scratch, 'gate-')), 'evidence.json');
    writeFileSync(merged, `${JSON.stringify(base)}\n`);
    const d = await diagnosePath(merged);
    if (source.expert.blocksClear) expect(d.verdict.clearRecommended).toBe(false);
  });
});
