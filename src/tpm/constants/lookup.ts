/**
 * Small helpers shared by the constant tables in this folder: reverse lookups and hex formatting.
 * Nothing here is TPM-specific; the tables themselves cite the TPM 2.0 specification.
 */

/** A table of spec names to numeric values, as every table in this folder is. */
export type NumericTable = Readonly<Record<string, number>>;

/**
 * Builds a value -> name function for a table. When two names share a value (the spec has a few aliases,
 * e.g. TPM_HT_HMAC_SESSION and TPM_HT_LOADED_SESSION), the first one listed in the table wins.
 */
export function reverseLookup<T extends NumericTable>(
  table: T,
): (value: number) => (keyof T & string) | undefined {
  const byValue = new Map<number, keyof T & string>();
  for (const [name, value] of Object.entries(table)) {
    if (!byValue.has(value)) byValue.set(value, name as keyof T & string);
  }
  return (value: number) => byValue.get(value);
}

/** `0x` followed by the value as 8 upper-case hex digits, treating it as an unsigned 32-bit number. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** True when exactly one bit is set. */
export function isSingleBit(mask: number): boolean {
  const m = mask >>> 0;
  return m !== 0 && (m & (m - 1)) === 0;
}
