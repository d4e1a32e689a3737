/** A TPM as `--tpm` resolved it: its URI, and the lab scenarios when it is a throwaway lab TPM. */
export interface ClearTarget {
  uri: string;
  /** The lab scenarios applied, or null when this is not a lab TPM. */
  lab: readonly string[] | null;
}

/**
 * A software TPM: a lab TPM, or a simulator reached over TCP (swtpm://, mssim://). No firmware
 * holds its platform authorisation, so the platform hierarchy is ours to use, and the gate treats
 * it as a lab TPM.
 */
export function isSimulatorTarget(target: ClearTarget): boolean {
  return target.lab !== null || /^(swtpm|mssim):\/\//.test(target.uri);
}
