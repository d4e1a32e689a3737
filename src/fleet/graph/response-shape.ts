import { TpmDoctorError } from '../../errors.js';

/**
 * Checks that a Graph response body has the shape we are about to rely on. A failure throws
 * ResponseShapeError naming what was expected and what came; the Graph client turns it into a
 * GraphError (code MalformedResponse) with the request's method, path and request-id.
 */
export class ResponseShapeError extends TpmDoctorError {
  constructor(expected: string, actual: unknown) {
    super('graph-response-shape', `expected ${expected}, got ${describeValue(actual)}`);
    this.name = 'ResponseShapeError';
  }
}

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw new ResponseShapeError(`${what} (a JSON object)`, value);
  return value;
}

/** An OData collection page: an object whose `value` is an array (nextLink optional, a string). */
export function expectPage(body: unknown): { value: unknown[]; nextLink: string | undefined } {
  const page = expectObject(body, 'an OData collection page');
  if (!Array.isArray(page.value)) {
    throw new ResponseShapeError('an OData collection page with a "value" array', page.value);
  }
  const nextLink = page['@odata.nextLink'];
  if (nextLink !== undefined && typeof nextLink !== 'string') {
    throw new ResponseShapeError('"@odata.nextLink" to be a string', nextLink);
  }
  return { value: page.value, nextLink };
}

/**
 * A Graph entity with a string `id`. Only the id is verified: it keys everything downstream; the
 * other properties are taken as Graph documents them (graph-types.ts) and read defensively.
 */
export function expectEntity<T extends { id: string }>(value: unknown, what: string): T {
  const entity = expectObject(value, what);
  if (typeof entity.id !== 'string' || entity.id.length === 0) {
    throw new ResponseShapeError(`${what} with a string "id"`, entity.id);
  }
  return entity as T;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return `${typeof value} ${String(value)}`;
}
