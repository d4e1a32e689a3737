import { TpmDoctorError } from '../errors.js';
import { Tpm } from '../tpm/tpm.js';
import { defaultTpmUri, environmentTpmUri } from '../tpm/transport/open-transport.js';

/** A resolved --tpm value: where to connect, and what to stop afterwards (a lab TPM). */
export interface TpmTarget {
  uri: string;
  /** The lab scenarios applied, or null when this is not a lab TPM. */
  lab: string[] | null;
  release(): Promise<void>;
}

/**
 * Picks the TPM: --tpm, else TPM_DOCTOR_TPM, else TPM2TOOLS_TCTI, else this machine's own TPM. `lab:` (optionally
 * `lab:SCENARIO[,SCENARIO]`) starts a throwaway, provisioned swtpm for this one run and puts it
 * into the named broken states. The lab modules are imported only then, so ordinary runs never
 * load them.
 */
export async function resolveTpmTarget(flag: string | undefined): Promise<TpmTarget> {
  const uri = (flag ?? environmentTpmUri() ?? defaultTpmUri()).trim();
  if (uri !== 'lab' && !uri.startsWith('lab:')) return { uri, lab: null, release: async () => {} };

  const { parseLabScenarios, LAB_SCENARIOS } = await import('../lab/scenarios.js');
  const scenarios = parseLabScenarios(uri.slice('lab:'.length));
  const { startSwtpm } = await import('../lab/swtpm-process.js');
  let instance: Awaited<ReturnType<typeof startSwtpm>>;
  try {
    instance = await startSwtpm({ provision: true });
  } catch (e) {
    throw new TpmDoctorError('lab-unavailable', `cannot start the lab TPM: ${(e as Error).message}`, {
      cause: e,
    });
  }
  try {
    if (scenarios.length > 0) {
      const { swtpmTransport } = await import('../tpm/transport/swtpm.js');
      const tpm = new Tpm(swtpmTransport(instance.host, instance.port, { timeoutMs: 30_000 }));
      try {
        for (const name of scenarios) await LAB_SCENARIOS[name].apply(tpm);
      } finally {
        await tpm.close();
      }
    }
  } catch (e) {
    await instance.stop();
    throw e;
  }
  return {
    uri: instance.uri,
    lab: scenarios.length > 0 ? scenarios : ['healthy'],
    release: () => instance.stop(),
  };
}
