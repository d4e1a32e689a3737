/**
 * Before a resume touches the TPM: is it the TPM the run fingerprinted? Checked by the Name of its
 * L-1 EK (derived from the endorsement primary seed, which TPM2_Clear keeps, TCG TPM 2.0 Library
 * Part 3 §24.6, so it is the same before and after a clear, and different on any other TPM).
 */
import { TPM_RH } from '../../tpm/constants/handles.js';
import { createEk } from '../../tpm/ek/read-endorsement-keys.js';
import { ekTemplate } from '../../tpm/ek/templates.js';
import { TpmError } from '../../tpm/rc/tpm-error.js';
import { password } from '../../tpm/session/password.js';
import {
  type ClearFingerprint,
  type NameReading,
  takeClearFingerprint,
} from '../../verify/clear-fingerprint.js';
import { ClearRunError, unreachable } from './clear-run-error.js';
import { type Ctx, fingerprintAuth } from './run-context.js';
import { nameOf, succeededFingerprint } from './run-records.js';

/**
 * Checks that the TPM in `ctx` is the run's, by its EK Name (or, when none was recorded, its EK
 * certificates). Throws ClearRunError 'wrong-tpm' on a mismatch, having sent the TPM nothing but
 * the EK's TPM2_CreatePrimary and TPM2_FlushContext and written nothing to the journal. Before
 * fingerprint-before succeeded the run has changed nothing on any TPM, so there is nothing to check.
 */
export async function verifySameTpm(ctx: Ctx): Promise<void> {
  const { journal } = ctx;
  const before = succeededFingerprint(journal.records(), 'fingerprint-before');
  if (before === null) return;
  const where = ctx.meta.tpm === undefined ? '' : ` (started on ${ctx.meta.tpm})`;
  const expected = nameOf(before.ek);
  if (expected === null) {
    // No EK Name was recorded (the EK could not be made then): fall back on the EK certificates,
    // which are as unique; with neither there is no way to tell this TPM from another.
    const certsBefore = certificateHashes(before);
    if (certsBefore.length === 0) {
      throw new ClearRunError(
        'tpm-unverifiable',
        `${journal.path}: this run${where} recorded neither an EK Name (${'error' in before.ek ? before.ek.error : 'none'}) ` +
          'nor an EK certificate before the clear, so it cannot check that the TPM it is given now is the same one; ' +
          'nothing was sent to it. Check the TPM by hand, then abandon the run (tpm-doctor abandon).',
        journal.path,
      );
    }
    const now = await takeClearFingerprint(ctx.tpm, fingerprintAuth(ctx.auth)).catch((e: unknown) => {
      throw unreachable(journal.path, 'The EK certificates', e);
    });
    const certsNow = certificateHashes(now);
    if (!certsBefore.some((h) => certsNow.includes(h))) {
      throw new ClearRunError(
        'wrong-tpm',
        `${journal.path}: this is not the TPM this run was started on${where}: expected an EK certificate with ` +
          `SHA-256 ${certsBefore.join(' or ')}, found ${certsNow.length === 0 ? 'none' : certsNow.join(', ')}. ` +
          'Nothing was sent to it and the journal is unchanged; resume the run against its own TPM.',
        journal.path,
      );
    }
    return;
  }
  const found = await ekNameNow(ctx);
  if ('error' in found) {
    throw new ClearRunError(
      'tpm-unverifiable',
      `${journal.path}: the EK cannot be made on the TPM given now (${found.error}), so it cannot be checked to be ` +
        `the TPM this run was started on${where} (EK Name ${expected}); nothing was sent to it. If the endorsement ` +
        'hierarchy has an authorization value, resume with it.',
      journal.path,
    );
  }
  if (found.name !== expected) {
    throw new ClearRunError(
      'wrong-tpm',
      `${journal.path}: this is not the TPM this run was started on${where}: expected EK Name ${expected} ` +
        `(recorded by fingerprint-before), found ${found.name}. Nothing was sent to it and the journal is ` +
        'unchanged; resume the run against its own TPM.',
      journal.path,
    );
  }
}

/** The L-1 EK's Name now: the given endorsement auth, then the empty one (what a clear leaves). */
async function ekNameNow(ctx: Ctx): Promise<NameReading> {
  const given = ctx.auth.endorsementAuth;
  let last = '';
  for (const auth of given === undefined ? [undefined] : [given, undefined]) {
    try {
      const { name } = await createEk(ctx.tpm, ekTemplate('L-1').publicArea(), {
        handle: TPM_RH.ENDORSEMENT,
        session: password(auth),
      });
      return { name: Buffer.from(name).toString('hex') };
    } catch (e) {
      // The TPM answered (a wrong auth value, a disabled hierarchy): try the next value.
      if (!(e instanceof TpmError)) throw unreachable(ctx.journal.path, 'The EK', e);
      last = e.message;
    }
  }
  return { error: last };
}

function certificateHashes(print: ClearFingerprint): string[] {
  return print.ekCertificates.flatMap((c) => (c.sha256 === undefined ? [] : [c.sha256]));
}
