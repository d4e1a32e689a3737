import type {
  ClearFingerprint,
  NameReading,
  NvIndexPrint,
  PersistentObjectPrint,
} from './clear-fingerprint.js';

/**
 * Proof that a TPM2_Clear happened (or did not) from two fingerprints taken with
 * takeClearFingerprint(). Pure: no TPM, no clock. Each check says what it expected, what it found
 * and why that matters; the proof holds only when every check passes.
 *
 * How objects are compared: by Name, not by handle. A Name is nameAlg || H(public area) (Part 1
 * §16), so a different Name at the same handle is a different object and the one that was there
 * is gone; that is what an OS does when it provisions again after a clear (Windows persists a new
 * SRK at 0x81000001 at the next boot). The same Name at the same handle is failed: either the
 * object survived, or an identical one was made again, which a Name cannot tell apart. That happens
 * only for objects that depend on nothing the clear changes: an NV index (its Name hashes only its
 * public area) or a key derived from the EPS (an EK persisted again). Take the after-fingerprint
 * before anything provisions the TPM again, as the clear runbook does.
 */

export type ClearCheckId =
  | 'srk-name-changed'
  | 'owner-persistent-objects-gone'
  | 'non-platform-nv-gone'
  | 'platform-nv-kept'
  | 'auth-values-reset'
  | 'ek-unchanged'
  | 'ek-certificates-unchanged'
  | 'counters-reset';

export type NoClearCheckId =
  | 'srk-name-unchanged'
  | 'persistent-objects-unchanged'
  | 'nv-indices-unchanged'
  | 'counters-monotonic';

export interface ProofCheck<Id extends string = string> {
  id: Id;
  passed: boolean;
  expected: string;
  actual: string;
  /** Why the check matters, with the spec section it rests on. */
  why: string;
}

export interface ClearProof<Id extends string = ClearCheckId> {
  proven: boolean;
  checks: ProofCheck<Id>[];
}

/** Every check of a TPM2_Clear between `before` and `after`. */
export function proveClear(before: ClearFingerprint, after: ClearFingerprint): ClearProof {
  return proof([
    srkNameChanged(before, after),
    gone(
      'owner-persistent-objects-gone',
      before.persistent.map(asEntry),
      after.persistent.map(asEntry),
      'no owner- or endorsement-hierarchy persistent object of before is still there',
      // Part 3 §24.6: TPM2_Clear flushes persistent and transient objects of the Storage and
      // Endorsement hierarchies.
      'TPM2_Clear flushes every persistent object of the owner and endorsement hierarchies (Part 3 §24.6)',
    ),
    gone(
      'non-platform-nv-gone',
      before.nv.other.map(asNvEntry),
      after.nv.other.map(asNvEntry).concat(after.nv.platform.map(asNvEntry)),
      'no NV index without TPMA_NV_PLATFORMCREATE of before is still there',
      // Part 3 §24.6: every NV Index with TPMA_NV_PLATFORMCREATE CLEAR is deleted.
      'TPM2_Clear deletes every NV index not created by the platform (TPMA_NV_PLATFORMCREATE clear; Part 3 §24.6)',
    ),
    platformNvKept(before, after),
    authValuesReset(after),
    ekUnchanged(before, after),
    ekCertificatesUnchanged(before, after),
    countersReset(before, after),
  ]);
}

/**
 * Proof that nothing was cleared between `before` and `after` (a preflight refused, or a dry run):
 * the SRK's Name, the persistent objects and the NV indices are the same, and the TPM's counters
 * did not go back.
 */
export function proveNoClear(before: ClearFingerprint, after: ClearFingerprint): ClearProof<NoClearCheckId> {
  const srkBefore = nameText(before.srk);
  const srkAfter = nameText(after.srk);
  const objectsBefore = listText(before.persistent.map(asEntry));
  const objectsAfter = listText(after.persistent.map(asEntry));
  const nvBefore = listText([...before.nv.platform, ...before.nv.other].map(asNvEntry));
  const nvAfter = listText([...after.nv.platform, ...after.nv.other].map(asNvEntry));
  const back = countersWentBack(before, after);
  return proof<NoClearCheckId>([
    {
      id: 'srk-name-unchanged',
      passed: 'name' in before.srk && 'name' in after.srk && before.srk.name === after.srk.name,
      expected: `the SRK Name of before: ${srkBefore}`,
      actual: srkAfter,
      why: 'the SRK is derived from the SPS, which only TPM2_Clear changes (Part 3 §24.6, §24.1)',
    },
    {
      id: 'persistent-objects-unchanged',
      passed: objectsBefore === objectsAfter,
      expected: objectsBefore,
      actual: objectsAfter,
      why: 'the owner and endorsement persistent objects, each with the same Name, are all still there',
    },
    {
      id: 'nv-indices-unchanged',
      passed: nvBefore === nvAfter,
      expected: nvBefore,
      actual: nvAfter,
      why: 'every NV index is still defined with the same Name (public area)',
    },
    {
      id: 'counters-monotonic',
      passed: back.length === 0,
      expected: 'clock and resetCount not lower than before',
      actual: back.length === 0 ? countersText(after) : back.join('; '),
      why: 'only TPM2_Clear sets clock and resetCount back to zero (Part 3 §24.6); otherwise they only grow',
    },
  ]);
}

function proof<Id extends string>(checks: ProofCheck<Id>[]): ClearProof<Id> {
  return { proven: checks.every((c) => c.passed), checks };
}

// Part 3 §24.6: TPM2_Clear changes the SPS; Part 3 §24.1: a primary key is derived from its
// hierarchy's seed and the template, so the same template gives another key and another Name.
function srkNameChanged(before: ClearFingerprint, after: ClearFingerprint): ProofCheck<ClearCheckId> {
  const b = before.srk;
  const a = after.srk;
  return {
    id: 'srk-name-changed',
    passed: 'name' in b && 'name' in a && b.name !== a.name,
    expected: `an SRK Name other than before's ${nameText(b)}`,
    actual: 'name' in b && 'name' in a && b.name === a.name ? `the same Name ${a.name}` : nameText(a),
    why: 'the SRK is derived from the storage primary seed, which TPM2_Clear replaces (Part 3 §24.6, §24.1)',
  };
}

interface Entry {
  handle: string;
  name: string;
}

function asEntry(p: PersistentObjectPrint): Entry {
  return { handle: p.handle, name: p.name };
}

function asNvEntry(p: NvIndexPrint): Entry {
  return { handle: p.index, name: p.name };
}

/**
 * Every entry of `before` is absent from `after`, or present with another Name (another object;
 * the one of before is gone). The same Name fails: see the module comment.
 */
function gone(
  id: ClearCheckId,
  before: Entry[],
  after: Entry[],
  expected: string,
  why: string,
): ProofCheck<ClearCheckId> {
  const now = new Map(after.map((e) => [e.handle, e.name]));
  const survivors: string[] = [];
  const replaced: string[] = [];
  for (const e of before) {
    const name = now.get(e.handle);
    if (name === undefined) continue;
    if (name === e.name) survivors.push(e.handle);
    else replaced.push(e.handle);
  }
  let actual: string;
  if (survivors.length > 0) {
    actual =
      `still there with the same Name: ${survivors.join(', ')} ` +
      '(it survived, or an identical one was made again; a Name cannot tell these apart)';
  } else if (before.length === 0) {
    actual = 'nothing to remove: none before';
  } else {
    actual = `all ${before.length} gone`;
  }
  if (replaced.length > 0) {
    actual += `; a new object (another Name) now at ${replaced.join(', ')}`;
  }
  return { id, passed: survivors.length === 0, expected, actual, why };
}

// Part 3 §24.6 deletes only indices without TPMA_NV_PLATFORMCREATE; the EK certificates
// (EK Credential Profile §2.2.1.5) and the platform certificate are platform-created and stay.
function platformNvKept(before: ClearFingerprint, after: ClearFingerprint): ProofCheck<ClearCheckId> {
  const now = new Map(after.nv.platform.map((e) => [e.index, e]));
  const problems: string[] = [];
  for (const e of before.nv.platform) {
    const a = now.get(e.index);
    if (!a) problems.push(`${e.index} is gone`);
    else if (a.name !== e.name) {
      problems.push(`${e.index} has another Name (attributes ${e.attributes} before, ${a.attributes} now)`);
    }
  }
  return {
    id: 'platform-nv-kept',
    passed: problems.length === 0,
    expected: `the ${before.nv.platform.length} platform-created NV indices of before, each with the same Name`,
    actual: problems.length === 0 ? `all ${before.nv.platform.length} kept` : problems.join('; '),
    why: 'TPM2_Clear keeps NV indices with TPMA_NV_PLATFORMCREATE, such as the EK and platform certificates (Part 3 §24.6)',
  };
}

// Part 3 §24.6: ownerAuth, endorsementAuth and lockoutAuth are set to the Empty Buffer, which
// TPMA_PERMANENT reports as ownerAuthSet/endorsementAuthSet/lockoutAuthSet CLEAR (Part 2 §8.6).
function authValuesReset(after: ClearFingerprint): ProofCheck<ClearCheckId> {
  const set = (['ownerAuthSet', 'endorsementAuthSet', 'lockoutAuthSet'] as const).filter(
    (k) => after.permanent[k],
  );
  return {
    id: 'auth-values-reset',
    passed: set.length === 0,
    expected: 'ownerAuthSet, endorsementAuthSet and lockoutAuthSet all clear',
    actual:
      set.length === 0
        ? 'all clear'
        : `still set: ${set.join(', ')} (TPM_PT_PERMANENT ${after.permanent.value})`,
    why: 'TPM2_Clear sets the owner, endorsement and lockout auth values to empty (Part 3 §24.6; Part 2 §8.6)',
  };
}

// Part 3 §24.6 changes the SPS, shProof and ehProof but not the EPS, so the EK (derived from the
// EPS and a fixed template, Part 3 §24.1) keeps its Name. Checked on swtpm: docs/clear.md, test/verify/clear-proof.test.ts.
function ekUnchanged(before: ClearFingerprint, after: ClearFingerprint): ProofCheck<ClearCheckId> {
  return {
    id: 'ek-unchanged',
    passed: 'name' in before.ek && 'name' in after.ek && before.ek.name === after.ek.name,
    expected: `the L-1 EK Name of before: ${nameText(before.ek)}`,
    actual: nameText(after.ek),
    why: 'TPM2_Clear keeps the endorsement primary seed, so the EK and its certificate stay valid (Part 3 §24.6)',
  };
}

// The certificates sit in platform-created indices (EK Credential Profile §2.2.1.5), which
// TPM2_Clear keeps (Part 3 §24.6); their bytes must not change either.
function ekCertificatesUnchanged(
  before: ClearFingerprint,
  after: ClearFingerprint,
): ProofCheck<ClearCheckId> {
  const text = (f: ClearFingerprint): string =>
    f.ekCertificates.length === 0
      ? 'no EK certificate in NV'
      : f.ekCertificates.map((c) => `${c.index} ${c.sha256 ?? `unreadable: ${c.error}`}`).join(', ');
  const unreadable = [...before.ekCertificates, ...after.ekCertificates].some((c) => c.sha256 === undefined);
  const b = text(before);
  const a = text(after);
  return {
    id: 'ek-certificates-unchanged',
    passed: !unreadable && a === b,
    expected: b,
    actual: a,
    why: 'the EK certificates live in platform-created NV indices, which TPM2_Clear keeps (Part 3 §24.6)',
  };
}

/**
 * Part 3 §24.6: TPM2_Clear sets Clock, resetCount and restartCount to zero. Nothing else lowers
 * them: Clock only advances (TPM2_ClockSet cannot set it back, Part 3 §29.2) and resetCount only
 * grows on each TPM Reset. So a lower clock or resetCount after than before is the TPM's own record
 * of a clear. "resetCount after <= before" is not enough (equal when nothing happened), and
 * "resetCount after == 0" is too strict: a reboot between the clear and the after-fingerprint (the
 * PPI route) makes it 1. restartCount is zeroed by every TPM Reset as well, so it only counts when
 * resetCount is unchanged.
 */
function countersReset(before: ClearFingerprint, after: ClearFingerprint): ProofCheck<ClearCheckId> {
  const back = countersWentBack(before, after);
  return {
    id: 'counters-reset',
    passed: back.length > 0,
    expected: `clock or resetCount lower than before (${countersText(before)})`,
    actual: back.length > 0 ? back.join('; ') : `not lower: ${countersText(after)}`,
    why: 'TPM2_Clear zeroes clock, resetCount and restartCount, which otherwise never go back (Part 3 §24.6)',
  };
}

function countersWentBack(before: ClearFingerprint, after: ClearFingerprint): string[] {
  const out: string[] = [];
  if (BigInt(after.clock.clock) < BigInt(before.clock.clock)) {
    out.push(`clock ${before.clock.clock} → ${after.clock.clock} ms`);
  }
  if (after.clock.resetCount < before.clock.resetCount) {
    out.push(`resetCount ${before.clock.resetCount} → ${after.clock.resetCount}`);
  } else if (
    after.clock.resetCount === before.clock.resetCount &&
    after.clock.restartCount < before.clock.restartCount
  ) {
    out.push(`restartCount ${before.clock.restartCount} → ${after.clock.restartCount}`);
  }
  return out;
}

function countersText(f: ClearFingerprint): string {
  return `clock ${f.clock.clock} ms, resetCount ${f.clock.resetCount}, restartCount ${f.clock.restartCount}`;
}

function nameText(r: NameReading): string {
  return 'name' in r ? r.name : `unknown (${r.error})`;
}

function listText(entries: Entry[]): string {
  if (entries.length === 0) return 'none';
  return [...entries]
    .sort((x, y) => x.handle.localeCompare(y.handle))
    .map((e) => `${e.handle} ${e.name}`)
    .join(', ');
}
