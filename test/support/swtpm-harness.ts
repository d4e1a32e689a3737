/**
 * One swtpm per vitest test file.
 *
 * ```ts
 * const tpm = useSwtpm({ provision: true });
 * it('...', async () => { await tpm2(tpm.get(), ['tpm2_getcap', 'properties-fixed']); });
 * ```
 * The instance is stopped in afterAll (exactly its PID); if the worker dies first, the exit/signal
 * hooks of src/lab/swtpm-process.ts SIGKILL it and remove its state dir.
 */
import { afterAll, beforeAll } from 'vitest';
import {
  type SwtpmInstance,
  type SwtpmOptions,
  startSwtpm,
  swtpmAvailable,
} from '../../src/lab/swtpm-process.js';

/** Tools the test suite relies on besides swtpm and swtpm_setup. */
export const REQUIRED_TEST_TOOLS = ['swtpm_localca', 'tpm2_getcap', 'tpm2_startup'] as const;

/** Throw (never skip) with the how-to-install message when swtpm or tpm2-tools are missing. */
export function assertSwtpmAvailable(): void {
  const availability = swtpmAvailable(REQUIRED_TEST_TOOLS);
  if (!availability.ok) throw new Error(`swtpm tests cannot run. ${availability.howToInstall}`);
}

/** Call at the top level of a vitest test file: starts one swtpm in beforeAll, stops it in afterAll. */
export function useSwtpm(options?: SwtpmOptions): { get(): SwtpmInstance } {
  let instance: SwtpmInstance | undefined;

  beforeAll(async () => {
    assertSwtpmAvailable();
    instance = await startSwtpm(options);
  });

  afterAll(async () => {
    const running = instance;
    instance = undefined;
    await running?.stop();
  });

  return {
    get(): SwtpmInstance {
      if (instance === undefined) {
        throw new Error(
          'useSwtpm(): no swtpm instance yet; call get() inside a test or hook, not at import time',
        );
      }
      return instance;
    },
  };
}
