/** proof: the fingerprints before and after, compared (verify/clear-proof.ts). Not proven ends the run. */

import { proveClear } from '../../../verify/clear-proof.js';
import type { JsonObject } from '../../journal.js';
import { succeededFingerprint } from '../run-records.js';
import { type ClearStep, failedWith, succeeded } from './outcome.js';

export const proofStep: ClearStep = {
  id: 'proof',
  policy: { inFlight: 'repeat' },
  async act(ctx) {
    const records = ctx.journal.records();
    const before = succeededFingerprint(records, 'fingerprint-before');
    const after = succeededFingerprint(records, 'fingerprint-after');
    if (before === null || after === null) throw new Error('the journal has no fingerprint before or after');
    const proof = proveClear(before, after);
    const data = { proof: JSON.parse(JSON.stringify(proof)) as JsonObject };
    if (proof.proven) return succeeded(data);
    const failed = proof.checks.filter((c) => !c.passed);
    return failedWith(
      true,
      {
        reason: 'not-proven',
        message:
          'The clear could not be proven: ' +
          failed.map((c) => `${c.id}: expected ${c.expected}, found ${c.actual}`).join('; '),
      },
      data,
    );
  },
};
