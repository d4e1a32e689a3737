import type { Snapshot } from '../snapshot/snapshot.js';
import type { Finding } from './finding.js';

/**
 * A rule: a small pure function over a snapshot. It returns the findings it sees (usually none
 * or one) and never does I/O, so it runs the same on a live device, a saved bundle or the fleet.
 */
export interface Rule {
  /** The finding IDs this rule can produce (for docs and tests). */
  readonly ids: readonly string[];
  evaluate(snapshot: Snapshot): Finding[];
}
