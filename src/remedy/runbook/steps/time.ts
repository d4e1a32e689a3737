/** ISO 8601 times compared as instants (the evidence parsers write UTC ISO strings). */
export function isAfter(time: string | null | undefined, reference: string): boolean {
  if (time === null || time === undefined) return false;
  const t = Date.parse(time);
  const r = Date.parse(reference);
  return Number.isFinite(t) && Number.isFinite(r) && t > r;
}

/** `reference` moved back by `ms`: an allowance for events logged while the request was being sent. */
export function minus(reference: string, ms: number): string {
  return new Date(Date.parse(reference) - ms).toISOString();
}
