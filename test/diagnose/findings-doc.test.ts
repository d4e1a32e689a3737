import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/diagnose/rules/index.js';

/** The finding IDs are a contract: every one a rule can produce is documented, and nothing else is. */
describe('docs/findings.md', () => {
  const doc = readFileSync(new URL('../../docs/findings.md', import.meta.url), 'utf8');
  const ruleIds = RULES.flatMap((r) => r.ids);
  const documented = [...doc.matchAll(/^### ([a-z]+\.[a-z0-9-]+)\s*$/gm)].map((m) => m[1]);

  it('documents every finding ID a rule can produce, once', () => {
    for (const id of ruleIds) expect(documented, id).toContain(id);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('documents no ID that no rule produces', () => {
    for (const id of documented) expect(ruleIds, id!).toContain(id);
  });

  it('covers the IDs the issue names as the contract', () => {
    const required = [
      'tpm.absent',
      'tpm.version-unsupported',
      'tpm.selftest-failed',
      'tpm.not-ready',
      'tpm.reduced-functionality',
      'tpm.lockout',
      'tpm.lockout-counter-high',
      'tpm.clear-disabled',
      'tpm.hierarchy-disabled',
      'tpm.ek-cert-missing',
      'tpm.ek-cert-mismatch',
      'tpm.firmware-vulnerable',
      'tpm.stale-objects',
      'tpm.persistent-space-low',
      'tpm.transient-leak',
      'tpm.sha256-bank-missing',
      'tpm.restart-pending',
      'entra.device-key-unusable',
      'entra.device-key-not-in-tpm',
      'entra.no-prt',
      'hello.not-provisioned',
      'bitlocker.no-recovery-password',
      'bitlocker.tpm-protector-missing',
      'bitlocker.suspended',
      'mdm.not-enrolled',
      'mdm.sync-failing',
      'autopilot.attestation-failed',
      'secureboot.ca-update-pending',
    ];
    for (const id of required) expect(ruleIds, id).toContain(id);
  });
});
