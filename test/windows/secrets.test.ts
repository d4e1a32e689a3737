import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBitLockerVolumes, parseManageBde } from '../../src/probe/windows/bitlocker.js';
import { parseDsregcmd } from '../../src/probe/windows/dsregcmd.js';
import { parseEvents } from '../../src/probe/windows/events.js';
import { readEvidenceBundle } from '../../src/probe/windows/evidence-bundle.js';
import { EvidenceError } from '../../src/probe/windows/evidence-error.js';
import { parseGetTpm } from '../../src/probe/windows/get-tpm.js';
import { parseTpmtool } from '../../src/probe/windows/tpmtool.js';
import { redact } from '../../src/snapshot/redact-secrets.js';
import { allFixtureFiles, CASES, FIXTURES, fixtureJson, fixtureText, secretsInFixtures } from './support.js';

const { recoveryPasswords, ownerAuths } = secretsInFixtures();
const SECRETS = [...recoveryPasswords, ...ownerAuths];
const scratch = mkdtempSync(join(tmpdir(), 'tpm-doctor-secrets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Fails naming the secret when the text holds any fixture secret, or any 48-digit password shape. */
function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text, `leaked ${secret}`).not.toContain(secret);
  expect(text).not.toMatch(/\d{6}-\d{6}-\d{6}/);
}

function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EvidenceError);
    return (e as Error).message;
  }
  return '';
}

describe('no secret survives', () => {
  it('the fixtures do hold secrets to leak (so the tests below mean something)', () => {
    expect(recoveryPasswords.length).toBeGreaterThanOrEqual(5);
    expect(ownerAuths.length).toBeGreaterThanOrEqual(3);
  });

  it.each([
    ...CASES,
    'compact/reduced-functionality-0x900.json',
    'compact/lockout-trimmed.txt',
    'bad/garbage-bundle',
  ])('in JSON.stringify of the evidence of %s', async (name) => {
    const evidence = await readEvidenceBundle(join(FIXTURES, name));
    expectNoSecret(JSON.stringify(evidence));
  });

  it('in any parser output, for every fixture file', () => {
    const outputs: unknown[] = [
      parseGetTpm(fixtureText('sources/get-tpm-format-list.txt')),
      parseGetTpm(fixtureJson('sources/get-tpm-raw-ps51.json')),
      parseGetTpm(fixtureJson('entra-key-unusable-0x80090016/get-tpm.json')),
      parseBitLockerVolumes(fixtureJson('reduced-functionality-0x900/bitlocker.json')),
      parseManageBde(fixtureText('sources/manage-bde-en-many.txt')),
      ...CASES.filter((c) => c !== 'autopilot-0x81039001' && c !== 'secureboot-1801').map((c) =>
        parseManageBde(fixtureText(`${c}/manage-bde.txt`)),
      ),
    ];
    for (const output of outputs) expectNoSecret(JSON.stringify(output));
  });

  it('in error messages, even when the bad input is the secret itself', () => {
    for (const password of recoveryPasswords) {
      const messages = [
        errorMessage(() => parseManageBde(`      Password:\r\n        ${password}\r\n`)),
        errorMessage(() => parseTpmtool(`${password}\r\n${password}`)),
        errorMessage(() => parseDsregcmd(`${password} is my key\r\nplease help`)),
        errorMessage(() => parseGetTpm(`${password}`)),
        errorMessage(() => parseGetTpm(`{"x": "${password}"`)),
        errorMessage(() => parseEvents(password)),
      ];
      for (const m of messages) {
        expect(m).not.toBe('');
        expectNoSecret(m);
      }
    }
    for (const auth of ownerAuths) {
      const messages = [
        errorMessage(() => parseGetTpm(`OwnerAuth : ${auth}\r\nnothing else`)),
        errorMessage(() => parseGetTpm(`{"OwnerAuth": "${auth}", "broken`)),
        errorMessage(() => parseGetTpm(`"OwnerAuth":"${auth}"`)),
      ];
      for (const m of messages) expectNoSecret(m);
    }
  });

  it('in the error a bundle reader throws for a single bad file', async () => {
    for (const [i, password] of recoveryPasswords.entries()) {
      const path = join(scratch, `bad-${i}.txt`);
      writeFileSync(path, `${password}\r\nrecovery key for C:\r\n`);
      const error = await readEvidenceBundle(path).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EvidenceError);
      expectNoSecret((error as Error).message);
    }
  });

  it('redacts any recovery password shape from any text (property)', () => {
    const group = fc.integer({ min: 0, max: 999999 }).map((n) => String(n).padStart(6, '0'));
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(group, { minLength: 8, maxLength: 8 }),
        fc.string(),
        (before, groups, after) => {
          const password = groups.join('-');
          const out = redact(`${before}${password}${after}`);
          expect(out).not.toContain(password);
          const message = errorMessage(() => parseTpmtool(`${before}${password}${after}`));
          expect(message).not.toContain(password);
        },
      ),
    );
  });

  it('the fixtures list every file the secret scan read', () => {
    expect(allFixtureFiles().length).toBeGreaterThan(60);
  });
});
