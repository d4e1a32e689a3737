/**
 * What a run ID may be: letters, digits, '.', '_' and '-', at most 128, starting with a letter or
 * digit. The same alphabet the journal creates runs with, so an ID names a file in the runs folder
 * and nothing else (no separator, no "..", no leading '-' a shell or a task scheduler would take
 * for an option) and needs no quoting anywhere.
 */
export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isRunId(text: string): boolean {
  return RUN_ID.test(text);
}
