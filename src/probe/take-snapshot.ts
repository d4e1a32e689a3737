import type { Snapshot } from '../snapshot/snapshot.js';
import type { TpmStatus } from '../snapshot/tpm-status.js';
import type { WindowsEvidence } from '../snapshot/windows-evidence.js';
import { Tpm } from '../tpm/tpm.js';
import { openTransport } from '../tpm/transport/open-transport.js';
import { type LinuxPpiLocation, readLinuxPpiFacts } from './linux-ppi.js';
import { probeTpmStatus } from './tpm-status.js';

export interface SnapshotSources {
  /** The TPM to read in TPM 2.0, or null to diagnose from evidence alone. */
  tpm: { uri: string; lab: boolean; timeoutMs?: number } | null;
  /** Windows evidence already read (a bundle, or a live collection), or null. */
  windows: WindowsEvidence | null;
  /** Read the Linux PPI files of this chip too (a PPI clear of a Linux device TPM). */
  linuxPpi?: LinuxPpiLocation;
  now?: Date;
}

/** probe → snapshot: reads every source into the one shape the rules read. */
export async function takeSnapshot(sources: SnapshotSources): Promise<Snapshot> {
  const now = sources.now ?? new Date();
  let tpm: TpmStatus | null = null;
  if (sources.tpm) {
    const client = new Tpm(
      await openTransport(
        sources.tpm.uri,
        sources.tpm.timeoutMs === undefined ? {} : { timeoutMs: sources.tpm.timeoutMs },
      ),
    );
    try {
      tpm = await probeTpmStatus(client, { uri: client.transport.description, lab: sources.tpm.lab, now });
    } finally {
      await client.close();
    }
  }
  const snapshot: Snapshot = {
    schema: 'tpm-doctor/snapshot/v1',
    takenAt: now.toISOString(),
    tpm,
    windows: sources.windows,
  };
  if (sources.linuxPpi) snapshot.linuxPpi = readLinuxPpiFacts(sources.linuxPpi);
  return snapshot;
}
