/** What `fleet`, `console` and `lab` answer in the device build (rolldown.exe.config.mjs puts this module in their place). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { notInDeviceBuild } from '../../src/cli/commands/not-in-device-build.js';
import { EXIT } from '../../src/exit-codes.js';

afterEach(() => vi.restoreAllMocks());

describe('a verb left out of the device build', () => {
  it('exits 2 (usage) and names the verb and where it runs', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(await notInDeviceBuild('fleet').run(['triage'])).toBe(EXIT.USAGE);
    expect(written.join('')).toBe(
      'tpm-doctor: "fleet" is not in this device build (the single executable carries the device commands only). Run "fleet" with the npm package on an admin workstation: npm install -g tpm-doctor (docs/single-executable.md).\n',
    );
  });
});
