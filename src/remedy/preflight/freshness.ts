/**
 * Freshness of Windows evidence read from a bundle (`--evidence PATH`, origin not 'live'): the
 * backup and approval checks judge BitLocker and the MDM enrollment as they were when the
 * evidence was collected. A protector removed, BitLocker resumed or a device enrolled since then
 * would be missed, so evidence older than MAX_EVIDENCE_AGE_HOURS before the snapshot (or of
 * unknown age) cannot pass them: their passes become unknown (blocking unless acknowledged), and
 * their fails and unknowns keep their status and say how old the evidence is.
 */
import { check, type Evidence, FLAGS, type PreflightInput } from './facts.js';
import type { CheckId, GateCheck } from './gate.js';

/** How old bundle evidence may be, relative to snapshot.takenAt, for the checks that rely on it. */
const MAX_EVIDENCE_AGE_HOURS = 24;

const HOUR_MS = 3_600_000;

type EvidenceFreshness = { fresh: true } | { fresh: false; problem: string; evidence: Evidence[] };

function evidenceFreshness({ snapshot }: Pick<PreflightInput, 'snapshot'>): EvidenceFreshness {
  const windows = snapshot.windows;
  if (windows === null || windows.origin === 'live') return { fresh: true };
  const evidence: Evidence[] = [
    { source: 'evidence', field: 'origin', value: windows.origin },
    { source: 'evidence', field: 'collectedAt', value: windows.collectedAt },
    { source: 'snapshot', field: 'takenAt', value: snapshot.takenAt },
  ];
  const again = 'collect again on the device (tpm-doctor collect, or collect-evidence.ps1 -Full elevated)';
  if (windows.collectedAt === null) {
    return {
      fresh: false,
      problem: `the evidence does not say when it was collected, so it may be out of date: ${again}`,
      evidence,
    };
  }
  const collected = Date.parse(windows.collectedAt);
  const taken = Date.parse(snapshot.takenAt);
  if (Number.isNaN(collected) || Number.isNaN(taken)) {
    return {
      fresh: false,
      problem: `the evidence's collection time "${windows.collectedAt}" cannot be compared with the snapshot's "${snapshot.takenAt}": ${again}`,
      evidence,
    };
  }
  const ageHours = (taken - collected) / HOUR_MS;
  evidence.push({ source: 'preflight', field: 'evidenceAgeHours', value: +ageHours.toFixed(1) });
  if (ageHours > MAX_EVIDENCE_AGE_HOURS) {
    return {
      fresh: false,
      problem: `the evidence was collected at ${windows.collectedAt}, ${Math.floor(ageHours)} h ago (the limit is ${MAX_EVIDENCE_AGE_HOURS} h): ${again}`,
      evidence,
    };
  }
  if (ageHours < -MAX_EVIDENCE_AGE_HOURS) {
    return {
      fresh: false,
      problem: `the evidence was collected at ${windows.collectedAt}, ${Math.floor(-ageHours)} h after this check's time ${snapshot.takenAt}, so a clock is wrong and its age is unknown: ${again}`,
      evidence,
    };
  }
  return { fresh: true };
}

/** The checks that judge the device from the Windows evidence: backup and approval (docs/clear.md, the preflight gate). */
const RELIES_ON_EVIDENCE: ReadonlySet<CheckId> = new Set([
  'backup.recovery-password',
  'backup.escrow',
  'backup.bitlocker-suspended',
  'approval',
]);

/**
 * Applies freshness to the checks that rely on bundle evidence. An approval recorded with
 * --approved-by and --ticket does not rely on the evidence, so it is left as it is.
 */
export function applyFreshness(checks: GateCheck[], input: PreflightInput): GateCheck[] {
  const freshness = evidenceFreshness(input);
  if (freshness.fresh) return checks;
  const approved = Boolean(input.options.approvedBy?.trim() && input.options.ticket?.trim());
  return checks.map((c) => {
    if (!RELIES_ON_EVIDENCE.has(c.id) || (c.id === 'approval' && approved)) return c;
    const evidence = [...c.evidence, ...freshness.evidence];
    if (c.status === 'pass') {
      return check(
        c.id,
        'unknown',
        `Out-of-date evidence: ${freshness.problem}; or acknowledge with ${FLAGS.acknowledge(c.id)} if nothing changed since. On that evidence: ${c.message}`,
        evidence,
      );
    }
    return check(c.id, c.status, `${c.message} Note: ${freshness.problem}.`, evidence);
  });
}
