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

/** "3 h 20 min", "12 min", "40 s". */
export function elapsedWords(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
}
