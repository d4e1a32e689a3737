import { TpmDoctorError } from '../../errors.js';

/** No usable credential for Microsoft Graph, or Entra ID (or the lab) refused it: exit 13. */
export class GraphAuthError extends TpmDoctorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('graph-auth', message, options);
  }
}
