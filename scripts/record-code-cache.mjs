// Build step: runs the built CLI on throwaway lab TPMs with TPM_DOCTOR_RECORD_CODE_CACHE=1 so
// that dist/tpm-doctor.cjs (src/cli/launcher.ts) writes V8's compiled code for every chunk
// those runs load into dist/code-cache/. Optional: without swtpm the CLI simply starts without
// a cache. Each run records afresh; later runs overwrite shared chunks, which is fine because
// each recording holds everything its run compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'dist', 'tpm-doctor.cjs');
const cacheDir = path.join(root, 'dist', 'code-cache');
rmSync(cacheDir, { recursive: true, force: true });

const scratch = mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-cache-'));
const runs = [
  ['--help'],
  [
    'clear',
    '--tpm',
    'lab:stale-objects',
    '--purpose',
    'decommission',
    '--yes',
    '--json',
    '--state-dir',
    scratch,
  ],
  ['diagnose', '--tpm', 'lab:stale-objects,lockout', '--json'],
  ['status', '--tpm', 'lab:', '--json'],
];
for (const args of runs) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, TPM_DOCTOR_RECORD_CODE_CACHE: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status === 5) {
    console.error('record-code-cache: no swtpm here; the CLI will start without a code cache');
    break;
  }
}
rmSync(scratch, { recursive: true, force: true });
const files = existsSync(cacheDir) ? readdirSync(cacheDir).length : 0;
console.error(`record-code-cache: ${files} compiled chunks in dist/code-cache`);
