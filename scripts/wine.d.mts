// Types of scripts/wine.mjs for the TypeScript tests that use it (test/exe/).
export interface WineRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}
export function findWine(): string | undefined;
export function wineEnv(prefix: string): NodeJS.ProcessEnv;
export function prepareWinePrefix(wine: string, prefix: string): void;
export function runUnderWine(
  wine: string,
  prefix: string,
  exe: string,
  args: string[],
  options?: { cwd?: string; timeout?: number; env?: NodeJS.ProcessEnv },
): WineRun;
export function stopWine(wine: string, prefix: string): void;
