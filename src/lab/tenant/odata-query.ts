import { badRequest } from './graph-error.js';

/**
 * The OData query options the lab understands ($select, $top, $skiptoken, $filter, $expand), read
 * from a URL's search parameters. Only the forms tpm-doctor's client sends are accepted; anything
 * else is a 400 BadRequest, as Graph answers an option it cannot apply.
 */
export interface ODataQuery {
  select: string[] | null;
  top: number | null;
  /** The device index (or run index) the page starts at, from our own $skiptoken. */
  skip: number;
  filter: FilterClause[];
  expand: string | null;
}

/** `field eq 'value'`, or its negation `not(field eq 'value')` (op 'not-eq'). */
export interface FilterClause {
  field: string;
  op: 'eq' | 'not-eq';
  value: string;
}

const KNOWN = new Set(['$select', '$top', '$skiptoken', '$filter', '$expand']);

export function parseODataQuery(params: URLSearchParams): ODataQuery {
  for (const key of params.keys()) {
    if (!KNOWN.has(key)) {
      throw badRequest(
        `Query option '${key}' is not supported by this lab tenant (it serves the calls in docs/graph-calls.md).`,
      );
    }
  }
  const select = params.get('$select');
  const top = params.get('$top');
  const skiptoken = params.get('$skiptoken');
  const filter = params.get('$filter');
  return {
    select: select === null ? null : select.split(',').map((s) => s.trim()),
    top: top === null ? null : parseTop(top),
    skip: skiptoken === null ? 0 : parseSkipToken(skiptoken),
    filter: filter === null ? [] : parseFilter(filter),
    expand: params.get('$expand'),
  };
}

function parseTop(text: string): number {
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) {
    throw badRequest(`Invalid value '${text}' for $top: expected a positive integer.`);
  }
  return Number(text);
}

/** Our $skiptoken: opaque to clients, base64url of "lab:<start index>". */
export function makeSkipToken(start: number): string {
  return Buffer.from(`lab:${start}`).toString('base64url');
}

function parseSkipToken(token: string): number {
  const m = /^lab:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m)
    throw badRequest(`Invalid $skiptoken '${token}': expected one from an @odata.nextLink of this lab.`);
  return Number(m[1]);
}

const CLAUSE = /^\s*([A-Za-z][A-Za-z0-9]*)\s+(eq)\s+'((?:[^']|'')*)'\s*$/;
const NOT_CLAUSE = /^\s*not\s*\(\s*([A-Za-z][A-Za-z0-9]*)\s+(eq)\s+'((?:[^']|'')*)'\s*\)\s*$/;

/**
 * `a eq 'x' and not(b eq 'y')`: OData string literals, '' for a quote; no or, functions or other
 * operators. `ne` is refused: Intune's documentation never shows it on these collections, so a
 * client that sends it would be relying on the lab (the community's form is `not(x eq 'y')`).
 */
function parseFilter(text: string): FilterClause[] {
  return text.split(/\s+and\s+/).map((part) => {
    const negated = NOT_CLAUSE.exec(part);
    const m = negated ?? CLAUSE.exec(part);
    if (!m) {
      throw badRequest(
        `Invalid filter clause '${part.trim()}': this lab supports only "property eq 'value'" and "not(property eq 'value')" joined by "and".`,
      );
    }
    return { field: m[1]!, op: negated ? 'not-eq' : 'eq', value: m[3]!.replace(/''/g, "'") };
  });
}

/** Rejects clauses on fields (or with operators) a route does not support. */
export function checkFilter(
  clauses: readonly FilterClause[],
  allowed: Readonly<Record<string, readonly FilterClause['op'][]>>,
  resource: string,
): void {
  for (const c of clauses) {
    const ops = Object.hasOwn(allowed, c.field) ? allowed[c.field] : undefined;
    if (!ops?.includes(c.op)) {
      throw badRequest(
        `Filter '${c.op === 'eq' ? `${c.field} eq` : `not(${c.field} eq`} ...' is not supported on ${resource}; supported: ${Object.entries(
          allowed,
        )
          .map(([f, o]) => o.map((op) => (op === 'eq' ? `${f} eq '...'` : `not(${f} eq '...')`)).join(', '))
          .join(', ')}.`,
      );
    }
  }
}

/** True when a record's field values pass every clause (case-insensitive, as Graph compares strings). */
export function matchesFilter(
  clauses: readonly FilterClause[],
  read: (field: string) => string | null,
): boolean {
  return clauses.every((c) => {
    const equal = (read(c.field) ?? '').toLowerCase() === c.value.toLowerCase();
    return c.op === 'eq' ? equal : !equal;
  });
}

/** Checks $select against a resource's properties; returns the list to keep (all when no $select). */
export function checkSelect(select: string[] | null, properties: readonly string[], type: string): string[] {
  if (select === null) return [...properties];
  for (const name of select) {
    if (!properties.includes(name)) {
      throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.${type}'.`);
    }
  }
  return select;
}

export function pick<T extends object>(value: T, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key of keys) out[key] = Object.hasOwn(record, key) ? record[key] : null;
  return out;
}
