import { TpmDoctorError } from '../tpm/errors.js';
import { defaultTpmUri } from '../tpm/transport/open-transport.js';

/** A resolved --tpm value: where to connect, and what to stop afterwards (a lab TPM). */
export interface TpmTarget {
  uri: string;
  lab: boolean;
  release(): Promise<void>;
}

/** `lab:` starts a throwaway, provisioned swtpm for this one run (see src/lab/). */
export const LAB_URI = 'lab:';

/**
 * Picks the TPM: --tpm, else TPM_DOCTOR_TPM, else this machine's own TPM. The lab module is
 * imported only for `lab:`, so ordinary runs never load it.
 */
export async function resolveTpmTarget(flag: string | undefined): Promise<TpmTarget> {
  const uri = flag ?? process.env.TPM_DOCTOR_TPM ?? defaultTpmUri();
  if (uri.trim() !== LAB_URI && uri.trim() !== 'lab') {
    return { uri, lab: false, release: async () => {} };
  }
  const { startSwtpm } = await import('../lab/swtpm-process.js');
  let instance: Awaited<ReturnType<typeof startSwtpm>>;
  try {
    instance = await startSwtpm({ provision: true });
  } catch (e) {
    throw new TpmDoctorError('LAB_UNAVAILABLE', `cannot start the lab TPM: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return { uri: instance.uri, lab: true, release: () => instance.stop() };
}
