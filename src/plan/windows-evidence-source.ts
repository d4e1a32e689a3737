/** Where the Windows half of a clear's snapshot comes from. */
export type WindowsEvidenceSource = { kind: 'bundle'; path: string } | { kind: 'live' } | { kind: 'none' };

/**
 * A bundle given with `--evidence` always; otherwise live collection, but only on Windows and only
 * for this machine's own TPM (no `--tpm`): evidence of this PC says nothing about another TPM.
 */
export function windowsEvidenceSource(input: {
  evidencePath: string | undefined;
  tpmFlag: string | undefined;
  platform: NodeJS.Platform;
}): WindowsEvidenceSource {
  if (input.evidencePath !== undefined) return { kind: 'bundle', path: input.evidencePath };
  if (input.platform === 'win32' && input.tpmFlag === undefined) return { kind: 'live' };
  return { kind: 'none' };
}
