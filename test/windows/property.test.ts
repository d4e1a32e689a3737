import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBitLockerVolumes, parseManageBde } from '../../src/probe/windows/bitlocker.js';
import { parseCompactEvidence } from '../../src/probe/windows/compact.js';
import { parseDsregcmd } from '../../src/probe/windows/dsregcmd.js';
import { parseEkInfo } from '../../src/probe/windows/ek-info.js';
import { parseEvents } from '../../src/probe/windows/events.js';
import { evidenceFromSources, readEvidenceBundle } from '../../src/probe/windows/evidence-bundle.js';
import { EvidenceError } from '../../src/probe/windows/evidence-error.js';
import { parseGetTpm } from '../../src/probe/windows/get-tpm.js';
import { parseIsReadyInformation } from '../../src/probe/windows/is-ready-information.js';
import { parseEnrollments, parseMdmSync } from '../../src/probe/windows/mdm-enrollments.js';
import { decodeEvidenceText } from '../../src/probe/windows/text-input.js';
import { parseTpmtool } from '../../src/probe/windows/tpmtool.js';
import { parseWin32Tpm } from '../../src/probe/windows/win32-tpm.js';
import { CASES, fixtureText } from './support.js';

const JSON_PARSERS: Record<string, (input: unknown) => unknown> = {
  parseGetTpm,
  parseIsReadyInformation,
  parseWin32Tpm,
  parseEkInfo,
  parseBitLockerVolumes,
  parseEnrollments,
  parseMdmSync,
  parseEvents,
  parseCompactEvidence: (v) => parseCompactEvidence(v, 'x'),
};
const TEXT_PARSERS: Record<string, (input: string) => unknown> = {
  parseGetTpm,
  parseTpmtool,
  parseDsregcmd,
  parseManageBde,
};

/** Runs fn; anything it throws must be an EvidenceError. */
function onlyEvidenceErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof EvidenceError)) throw new Error(`threw ${String(e)} instead of an EvidenceError`);
    expect(e.code).toBe('evidence');
  }
}

/** Lines of the saved (synthetic) fixtures, to build inputs that are nearly right. */
const LINES = CASES.flatMap((c) =>
  ['tpmtool.txt', 'dsregcmd.txt', 'manage-bde.txt'].flatMap((f) => {
    try {
      return fixtureText(`${c}/${f}`).split(/\r\n/);
    } catch {
      return [];
    }
  }),
);
const nearlyRight = fc
  .array(fc.oneof(fc.constantFrom(...LINES), fc.string()), { maxLength: 40 })
  .map((l) => l.join('\r\n'));
const keys = fc.constantFrom(
  'TpmPresent',
  'TpmReady',
  'IsReady',
  'Information',
  'ReturnValue',
  'MountPoint',
  'KeyProtector',
  'KeyProtectorType',
  'KeyProtectorId',
  'Id',
  'Level',
  'TimeCreated',
  'value',
  'EnrollmentId',
  'ProviderID',
  'tpmdoctor',
  'tt',
  'bl',
  'ev',
  'constructor',
  '__proto__',
);
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.constant('evidence/compact/v1'),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(keys, tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('parsers throw nothing but EvidenceError', () => {
  it.each(Object.entries(TEXT_PARSERS))('%s on arbitrary and nearly-right text', (_, parse) => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), nearlyRight), (s) =>
        onlyEvidenceErrors(() => parse(s)),
      ),
      {
        numRuns: 300,
      },
    );
  });

  it.each(Object.entries(JSON_PARSERS))('%s on arbitrary JSON', (_, parse) => {
    fc.assert(
      fc.property(jsonish, (v) => onlyEvidenceErrors(() => parse(v))),
      { numRuns: 400 },
    );
  });

  it('the compact reader on arbitrary objects with the marker', () => {
    const compact = fc.dictionary(keys, jsonish).map((d) => ({ ...d, tpmdoctor: 'evidence/compact/v1' }));
    fc.assert(
      fc.property(compact, (v) => onlyEvidenceErrors(() => parseCompactEvidence(v, 'x'))),
      { numRuns: 400 },
    );
  });

  it('the text decoder on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => onlyEvidenceErrors(() => decodeEvidenceText(b))),
    );
  });

  it('the bundle assembly on arbitrary file contents: problems, never a throw', () => {
    const names = [
      'meta',
      'get-tpm',
      'win32-tpm',
      'is-ready',
      'ek-info',
      'tpmtool',
      'dsregcmd',
      'bitlocker',
      'manage-bde',
      'enrollments',
      'mdm-sync',
      'events',
    ];
    const contents = fc.oneof(
      fc.string(),
      nearlyRight,
      jsonish.map((v) => JSON.stringify(v) ?? 'null'),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), contents), (files) => {
        const raw = new Map(Object.entries(files).map(([n, text]) => [n, { kind: 'text' as const, text }]));
        const evidence = evidenceFromSources(raw, 'x');
        for (const p of evidence.problems) expect(p.message).toMatch(/^[\w.-]+\.(json|txt): /);
      }),
      { numRuns: 200 },
    );
  });
});

describe('readEvidenceBundle throws nothing but EvidenceError', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tpm-doctor-prop-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('on arbitrary single files', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string().map((s) => Buffer.from(s)),
        ),
        async (bytes) => {
          const path = join(scratch, `f${n++}.json`);
          writeFileSync(path, bytes);
          await readEvidenceBundle(path).catch((e: unknown) => {
            if (!(e instanceof EvidenceError)) throw e;
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
