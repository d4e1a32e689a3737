import { EXIT, type ExitCode } from '../../exit-codes.js';
import type { WindowsEvidence } from '../../snapshot/windows-evidence.js';
import { terminalSafe } from '../../text/terminal-safe.js';

/** Fields of the evidence that describe the collection, not a source. */
const NOT_SOURCES = new Set(['origin', 'collectedAt', 'computerName', 'osVersion', 'elevated', 'problems']);

/** The sources that were collected, by their evidence field names. */
function collectedSources(evidence: WindowsEvidence): string[] {
  return Object.entries(evidence)
    .filter(([key, value]) => value !== null && !NOT_SOURCES.has(key))
    .map(([key]) => key);
}

/**
 * How `collect` ends: everything collected (0); some sources not collected, so the evidence is
 * incomplete (17, as `diagnose` of the same bundle says); nothing collected at all (8): never 0
 * for an empty collection.
 */
export function collectExitCode(evidence: WindowsEvidence): ExitCode {
  if (collectedSources(evidence).length === 0) return EXIT.NOT_DIAGNOSABLE;
  return evidence.problems.length > 0 ? EXIT.EVIDENCE_INCOMPLETE : EXIT.OK;
}

/**
 * What `collect` prints: what was collected, whether it ran elevated (or that this is unknown:
 * never "not elevated" on a guess), and each reason a source was not collected once, with the
 * files it kept out, instead of one line per source with the same reason.
 */
export function renderCollectSummary(evidence: WindowsEvidence, outDir: string | undefined): string {
  const got = collectedSources(evidence);
  const elevation =
    evidence.elevated === true
      ? ''
      : evidence.elevated === false
        ? ' (not elevated: sources that need an administrator were skipped)'
        : ' (whether it ran elevated is unknown: the meta source was not read)';
  const lines = [
    got.length === 0
      ? `Collected nothing from ${terminalSafe(evidence.computerName ?? 'this device')}${elevation}.`
      : `Collected ${got.length} sources from ${terminalSafe(evidence.computerName ?? 'this device')}${elevation}: ${got.join(', ')}`,
  ];
  const byReason = new Map<string, string[]>();
  for (const p of evidence.problems) {
    const file = p.file ?? p.source;
    const prefix = `${file}: not collected on the device: `;
    const reason = p.message.startsWith(prefix) ? p.message.slice(prefix.length) : p.message;
    byReason.set(reason, [...(byReason.get(reason) ?? []), file]);
  }
  if (byReason.size > 0) lines.push('Not collected:');
  for (const [reason, files] of byReason) lines.push(terminalSafe(`  ${files.join(', ')}: ${reason}`));
  if (outDir !== undefined)
    lines.push(
      `Bundle written to ${terminalSafe(outDir)}; diagnose it with: tpm-doctor diagnose --evidence ${terminalSafe(outDir)}`,
    );
  return `${lines.join('\n')}\n`;
}
