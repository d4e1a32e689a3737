import { redactThenTruncate } from '../../snapshot/redact-secrets.js';

/** The longest error text kept per device: enough for Graph's code and message, not a whole body. */
const MAX_ERROR_LENGTH = 500;

/**
 * Makes an error text safe to store and print: campaign rows end up in `fleet status`, its JSON
 * and tickets. Graph's error messages do not carry credentials, but a proxy page, an echoed
 * request or an SDK message could: every secret is replaced (src/snapshot/redact-secrets.ts), on
 * one line, then the text is bounded.
 */
export function redactGraphError(text: string): string {
  return redactThenTruncate(text.replace(/\s+/g, ' ').trim(), MAX_ERROR_LENGTH);
}
