import { TpmDoctorError } from '../../errors.js';

/**
 * A campaign could not be created or run: an unknown campaign, an empty selection, a store or
 * Graph failure that stopped the run. The campaign's state is intact when this is thrown: running
 * it again resumes where it stopped.
 */
export class CampaignError extends TpmDoctorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('fleet-campaign', message, options);
  }
}
