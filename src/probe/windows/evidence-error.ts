import { TpmDoctorError } from '../../errors.js';
import { redact } from '../../snapshot/redact-secrets.js';
import { describeShape } from './powershell-text.js';

/**
 * Evidence that cannot be read: a missing path, a file in the wrong format, encoding or size.
 * The message names the file and says what was expected and what was found instead.
 *
 * Every message passes through `redact` (src/snapshot/redact-secrets.ts) here, in the one constructor, so no parser can
 * leak a BitLocker recovery password or a TPM owner authorization value into an error, even when
 * it quotes the input. No `cause` is kept: Node's own JSON.parse errors quote the input text.
 */
export class EvidenceError extends TpmDoctorError {
  /** The file the problem is in (as given, or the bundle's file name), or null. */
  readonly file: string | null;
  /** The message without the file name. */
  readonly detail: string;

  constructor(detail: string, file: string | null = null) {
    const clean = redact(detail);
    super('evidence', file === null ? clean : `${redact(file)}: ${clean}`);
    this.file = file;
    this.detail = clean;
  }

  /** The same problem, attributed to a file (a bundle member or the path the user gave). */
  inFile(file: string): EvidenceError {
    return new EvidenceError(this.detail, file);
  }
}

/**
 * A short, safe description of unexpected text for an error message: its shape (how many lines,
 * whether they look like "Name : Value" lines), never its content, which may hold a secret or
 * personal data.
 */
export function describeText(text: string): string {
  return describeShape(text);
}

/** Names of the keys of a JSON object, for "found an object with keys ..." messages. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty object';
    const shown = keys
      .slice(0, 6)
      .map((k) => k.replace(/[^\w.-]/g, '?').slice(0, 30))
      .join(', ');
    return `an object with keys ${shown}${keys.length > 6 ? ', ...' : ''}`;
  }
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `a ${typeof value}`;
}
