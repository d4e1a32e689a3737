import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvidenceText } from '../../src/probe/windows/text-input.js';

export const FIXTURES = new URL('../fixtures/synthetic/windows/', import.meta.url).pathname;

/** The device cases other engineers test rules with (test/fixtures/synthetic/windows/README.md). */
export const CASES = [
  'healthy',
  'reduced-functionality-0x900',
  'lockout',
  'secureboot-1801',
  'entra-key-unusable-0x80090016',
  'bitlocker-no-recovery-password',
  'autopilot-0x81039001',
] as const;

/** A fixture file's text, decoded the way the bundle reader decodes it (UTF-16LE, BOMs...). */
export function fixtureText(path: string): string {
  return decodeEvidenceText(readFileSync(join(FIXTURES, path)));
}

export function fixtureJson(path: string): unknown {
  return JSON.parse(fixtureText(path).replace(/^\uFEFF/, ''));
}

/** Every file under test/fixtures/synthetic/windows, relative. */
export function allFixtureFiles(dir = ''): string[] {
  return readdirSync(join(FIXTURES, dir)).flatMap((name) => {
    const rel = dir === '' ? name : `${dir}/${name}`;
    return statSync(join(FIXTURES, rel)).isDirectory() ? allFixtureFiles(rel) : [rel];
  });
}

const RECOVERY_PASSWORD = /\d{6}(?:-\d{6}){7}/g;

/** Every recovery password and OwnerAuth value written anywhere in the fixtures. */
export function secretsInFixtures(): { recoveryPasswords: string[]; ownerAuths: string[] } {
  const recoveryPasswords = new Set<string>();
  const ownerAuths = new Set<string>();
  for (const file of allFixtureFiles()) {
    let text: string;
    try {
      text = fixtureText(file);
    } catch {
      continue;
    }
    for (const m of text.matchAll(RECOVERY_PASSWORD)) recoveryPasswords.add(m[0]);
    for (const m of text.matchAll(/"OwnerAuth"\s*:\s*"([^"]+)"/g)) ownerAuths.add(m[1]!);
    for (const m of text.matchAll(/^OwnerAuth\s*:\s*(\S+)\s*$/gm)) ownerAuths.add(m[1]!);
  }
  return { recoveryPasswords: [...recoveryPasswords], ownerAuths: [...ownerAuths] };
}
