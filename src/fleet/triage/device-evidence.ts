import { diagnose } from '../../diagnose/diagnose.js';
import type { RemedyStep } from '../../diagnose/finding.js';
import { RULES } from '../../diagnose/rules/index.js';
import type { Verdict } from '../../diagnose/verdict.js';
import { COMPACT_MARKER, parseCompactEvidence } from '../../probe/windows/compact.js';
import { EvidenceError } from '../../probe/windows/evidence-error.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import type { WindowsEvidence } from '../../snapshot/windows-evidence.js';
import type { Messages } from '../../text/messages/catalog.js';

/**
 * A device's own diagnosis, from the compact evidence its Intune Remediations detection script
 * (scripts/collect-evidence.ps1) printed: the SAME rules `tpm-doctor diagnose --evidence` runs
 * (src/diagnose/diagnose.ts), so the fleet view and the device view give the same verdict.
 *
 * Only what triage needs is kept (the verdict, finding IDs and remedy steps, the OS volume's
 * recovery password protector IDs), so a tenant where every device runs the script does not hold
 * every device's evidence: a few hundred bytes per device, no evidence text.
 */
export interface DeviceEvidence {
  /** When the device collected it (ISO), when it said. */
  collectedAt: string | null;
  verdict: Verdict;
  findings: ReadonlyArray<{ id: string; step: RemedyStep; blocksClear: string | null }>;
  /**
   * The OS volume's RecoveryPassword KeyProtectorIds, lower-case, without braces: what Entra ID
   * escrows the key under. null when BitLocker was not collected (e.g. not elevated).
   */
  recoveryPasswordIds: string[] | null;
  /**
   * The verdict's action in the admin's language, when triage was asked for one other than English
   * (the table and the HTML show it; JSON, CSV and the store keep the English `verdict.action`).
   */
  localAction?: string;
}

/**
 * Intune keeps at most 2,048 characters of detection output (Remediations, "Script requirements");
 * anything far larger is not from our script and is refused unread.
 */
const MAX_OUTPUT_CHARS = 64 * 1024;

/**
 * Reads a detection script's output (Graph deviceHealthScriptDeviceState
 * .preRemediationDetectionScriptOutput) and diagnoses it. Throws an EvidenceError saying what was
 * expected when the output is not tpm-doctor's compact evidence; the message never quotes a
 * secret (EvidenceError redacts).
 */
export function readDeviceEvidence(
  output: string,
  origin: string,
  now: Date,
  messages?: Messages,
): DeviceEvidence {
  return diagnoseEvidence(parseCompactEvidence(findCompactJson(output, origin), origin), now, messages);
}

/** The device's diagnosis from evidence already read (a compact line, or a bundle directory). */
export function diagnoseEvidence(windows: WindowsEvidence, now: Date, messages?: Messages): DeviceEvidence {
  const snapshot: Snapshot = {
    schema: 'tpm-doctor/snapshot/v1',
    // `tpm-doctor diagnose --evidence` diagnoses at the time it runs; so does triage.
    takenAt: now.toISOString(),
    tpm: null,
    windows,
  };
  const diagnosis = diagnose(snapshot);
  // The same rules again in the admin's language: the words differ, never the verdict.
  const localAction =
    messages === undefined || messages.language === 'en'
      ? undefined
      : diagnose(snapshot, RULES, messages).verdict.action;
  const osVolumes = windows.bitlocker?.filter((v) => v.volumeType === 'OperatingSystem') ?? null;
  return {
    collectedAt: windows.collectedAt,
    verdict: diagnosis.verdict,
    findings: diagnosis.findings.map((f) => ({
      id: f.id,
      step: f.remedy.step,
      blocksClear: f.blocksClear ?? null,
    })),
    recoveryPasswordIds:
      osVolumes === null
        ? null
        : osVolumes.flatMap((v) =>
            v.keyProtectors
              .filter((k) => k.type === 'RecoveryPassword')
              .map((k) => normaliseProtectorId(k.id)),
          ),
    ...(localAction === undefined ? {} : { localAction }),
  };
}

/** A KeyProtectorId or an escrowed key id as compared: lower-case, no braces, trimmed. */
export function normaliseProtectorId(id: string): string {
  return id.replace(/[{}]/g, '').trim().toLowerCase();
}

/**
 * The compact JSON in the output: the script prints one line, but Intune may keep text around
 * it (a header line, a trailing newline), so the last line holding our marker is read.
 */
function findCompactJson(output: string, origin: string): unknown {
  if (typeof output !== 'string') {
    throw new EvidenceError(`expected the detection script's output as text, found ${typeof output}`, origin);
  }
  if (output.length > MAX_OUTPUT_CHARS) {
    throw new EvidenceError(
      `the detection output is ${output.length} characters; Intune keeps at most 2,048, so this is not tpm-doctor's evidence`,
      origin,
    );
  }
  const lines = output.split(/\r\n|\r|\n/).reverse();
  for (const line of lines) {
    const start = line.indexOf('{"tpmdoctor"');
    if (start === -1) continue;
    const end = line.lastIndexOf('}');
    try {
      return JSON.parse(line.slice(start, end + 1));
    } catch {
      throw new EvidenceError(
        `expected one line of compact evidence JSON ({"tpmdoctor":"${COMPACT_MARKER}",...}); the line is not valid JSON (cut short?)`,
        origin,
      );
    }
  }
  throw new EvidenceError(
    `expected compact evidence from scripts/collect-evidence.ps1 (a line starting {"tpmdoctor":"${COMPACT_MARKER}"), found ${output.trim() === '' ? 'no output' : `${lines.length} line(s) without it`}`,
    origin,
  );
}
