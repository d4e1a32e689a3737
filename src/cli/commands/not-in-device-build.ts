import { EXIT } from '../../exit-codes.js';

/**
 * What `fleet`, `console` and `lab` run in the single-executable device build (tpm-doctor.exe,
 * docs/single-executable.md). That build carries only what a device runs: the fleet's database
 * drivers (better-sqlite3 is native), `@azure/identity` and the lab tenant are left out, so the
 * executable stays one self-contained file. The verb says so instead of failing on a missing
 * module.
 */
export function notInDeviceBuild(verb: string): { run(argv: string[]): Promise<number> } {
  return {
    async run() {
      process.stderr.write(
        `tpm-doctor: "${verb}" is not in this device build (the single executable carries the device commands only). Run "${verb}" with the npm package on an admin workstation: npm install -g tpm-doctor (docs/single-executable.md).\n`,
      );
      return EXIT.USAGE;
    },
  };
}
