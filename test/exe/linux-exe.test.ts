/**
 * The Linux single executable (dist/exe/tpm-doctor, docs/single-executable.md): one file that
 * runs every device command as `node dist/tpm-doctor.cjs` does, and says that `fleet` and `lab`
 * are not in it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useBuiltCli } from '../cli/cli-support.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { FIXTURES } from '../windows/support.js';
import { DEVICE_BUNDLE, runLinuxExe, useBuiltExecutables } from './exe-support.js';

useBuiltCli();
useBuiltExecutables();
const swtpm = useSwtpm();

/** status JSON without the one field that differs between two reads: when it was read. */
function comparable(json: string): unknown {
  const parsed = JSON.parse(json) as Record<string, unknown>;
  delete parsed.collectedAt;
  delete parsed.clock;
  return parsed;
}

describe('the Linux single executable', () => {
  it('prints its version', async () => {
    const r = await runLinuxExe(['--version']);
    expect(r).toMatchObject({ status: 0, stdout: 'tpm-doctor 0.1.0\n' });
  });

  it('reads a swtpm as the npm package does', async () => {
    const args = ['status', '--json', '--tpm', swtpm.get().uri];
    const exe = await runLinuxExe(args);
    const cli = await runCli(args);
    expect(exe.stderr).toBe('');
    expect(exe.status).toBe(0);
    expect(comparable(exe.stdout)).toEqual(comparable(cli.stdout));
  });

  it('diagnoses an evidence bundle with the same JSON and exit code as the npm package', async () => {
    const bundle = path.join(FIXTURES, 'lockout');
    const exe = await runLinuxExe(['diagnose', '--evidence', bundle, '--json']);
    const cli = await runCli(['diagnose', '--evidence', bundle, '--json']);
    expect(exe.status).toBe(cli.code);
    expect(exe.status).toBe(7);
    expect(exe.stdout).toBe(cli.stdout);
  });

  it.each(['fleet', 'console', 'lab'])(
    'says "%s" is not in the device build (exit 2), naming where it is',
    async (verb) => {
      const r = await runLinuxExe([verb, '--help']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`"${verb}" is not in this device build`);
      expect(r.stderr).toContain('npm install -g tpm-doctor');
    },
  );

  it('is one bundle: no chunk, and no fleet driver or Azure code in it', () => {
    const source = readFileSync(DEVICE_BUNDLE, 'utf8');
    const required = [...source.matchAll(/require\((["'`])([^"'`]+)\1\)/g)].map((m) => m[2]);
    expect(required.filter((id) => !id?.startsWith('node:'))).toEqual([]);
    expect(source).not.toMatch(/better-sqlite3|ClientSecretCredential|PostgresFleetStore/);
    // The only import() left is koffi's, which a single executable replaces with its asset.
    expect([...source.matchAll(/import\((["'`])([^"'`]+)\1\)/g)].map((m) => m[2])).toEqual(['koffi']);
  });
});
