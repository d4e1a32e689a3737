import type { Snapshot } from '../snapshot/snapshot.js';
import type { FindingTexts } from '../text/messages/en-findings.js';
import type { Finding } from './finding.js';

/**
 * A rule: a small pure function over a snapshot. It returns the findings it sees (usually none
 * or one) and never does I/O, so it runs the same on a live device, a saved bundle or the fleet.
 */
export interface Rule {
  /** The finding IDs this rule can produce (for docs and tests). */
  readonly ids: readonly string[];
  /**
   * `texts`: the words of the findings, English unless a translation is laid over them
   * (src/text/messages/); only the human output asks for another language.
   */
  evaluate(snapshot: Snapshot, texts?: FindingTexts): Finding[];
}
