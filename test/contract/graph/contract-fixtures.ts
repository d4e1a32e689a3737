/**
 * Reads the contract fixtures of this folder: Microsoft's example requests and responses (NAME.json,
 * verbatim from the Graph reference pages named in NAME.source.json) and the property types and
 * nullability of the v1.0 CSDL (graph-metadata.json).
 */
import { readFileSync } from 'node:fs';

const here = new URL('./', import.meta.url);

export function contract(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${name}.json`, here), 'utf8')) as Record<string, unknown>;
}

export interface PropertyMetadata {
  type: string;
  nullable: boolean;
}

export interface GraphMetadata {
  v1: Record<string, Record<string, PropertyMetadata>>;
  v1Enums: Record<string, string[]>;
  betaProperties: Record<string, string[]>;
  betaEnums: Record<string, string[]>;
}

export const metadata = JSON.parse(
  readFileSync(new URL('graph-metadata.json', here), 'utf8'),
) as GraphMetadata;

/** A JSON value's type as JSON names it. */
export function jsonType(value: unknown): 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'object' | 'string' | 'number' | 'boolean';
}

/** The JSON type an EDM type is sent as (OData JSON format: Int64 as a number, dates as strings). */
export function jsonTypeOfEdm(edm: string): string {
  if (edm === 'Edm.Boolean') return 'boolean';
  if (/^Edm\.(Int16|Int32|Int64|Double|Single|Decimal|Byte)$/.test(edm)) return 'number';
  if (edm.startsWith('Collection(')) return 'array';
  if (edm.startsWith('Edm.')) return 'string';
  // graph.* enums are strings; graph.* complex types objects: the caller knows which.
  return 'string-or-object';
}
