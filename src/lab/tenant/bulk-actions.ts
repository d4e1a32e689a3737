import { GraphError } from './graph-error.js';

/**
 * The HTTP statuses the lab can refuse executeAction with, as Graph refuses a request as a whole
 * (Microsoft Graph error responses, https://learn.microsoft.com/graph/errors): what the campaign's
 * fallback to per-device POSTs is tested against.
 */
export type BulkActionRefusal = 400 | 403 | 404 | 405 | 501;

const REFUSALS: Record<BulkActionRefusal, { code: string; message: string }> = {
  400: { code: 'BadRequest', message: 'LAB fault: executeAction refused as a bad request.' },
  403: {
    code: 'Forbidden',
    message: 'LAB fault: this app is not allowed to run bulk device actions (executeAction).',
  },
  404: {
    code: 'ResourceNotFound',
    message: "LAB fault: Resource not found for the segment 'executeAction'.",
  },
  405: { code: 'MethodNotAllowed', message: 'LAB fault: POST is not allowed on executeAction.' },
  501: { code: 'NotImplemented', message: 'LAB fault: executeAction is not implemented here.' },
};

/**
 * The lab's executeAction (beta) state: how many calls it answered, and the fault that makes it
 * refuse every call (`refusedWith`, settable while the lab runs, as `exports.refused` is).
 */
export class BulkActions {
  /** When set, every executeAction is answered with this status and acts on no device. */
  refusedWith: BulkActionRefusal | null;
  /** executeAction calls answered 200. */
  calls = 0;

  constructor(refusedWith: BulkActionRefusal | null = null) {
    this.refusedWith = refusedWith;
  }

  /** Throws the refusal when the fault is set. */
  checkAllowed(): void {
    if (this.refusedWith === null) return;
    const { code, message } = REFUSALS[this.refusedWith];
    throw new GraphError(this.refusedWith, code, message);
  }
}
