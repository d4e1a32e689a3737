/**
 * `npm run bench`: tpm-doctor measured side by side with its references in one run, on one
 * throwaway swtpm, printed as ratios (docs/benchmarks.md). Ratios, not absolute times, so the
 * figures mean the same on a fast and a slow machine.
 *
 *  1. per command: the library's TPM2_GetCapability round trip vs raw bytes on a socket
 *     (reference/raw-roundtrip.mjs). Target <= 1.15x.
 *  2. whole process: `tpm-doctor status --json` vs reference/tpm2tools-status.sh (target <= 1.3x)
 *     and vs a bare `node -e 0` (target <= 25 ms above it).
 *  3. whole process: `tpm-doctor diagnose --json` vs reference/tpm2tools-diagnose.sh on the same
 *     swtpm with a few stale objects made by tpm2-tools (target <= 0.5x).
 *  4-5. the fleet: triage of 100,000 lab devices and a 10,000-device sync campaign (bench/fleet.ts).
 * BENCH_ONLY=tpm or BENCH_ONLY=fleet runs one half.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSwtpm } from '../src/lab/swtpm-process.js';
import { GetCapability } from '../src/tpm/commands/capability.js';
import { TPM_PT } from '../src/tpm/constants/properties.js';
import { TPM_CAP } from '../src/tpm/constants/structure-tags.js';
import { Tpm } from '../src/tpm/tpm.js';
import { swtpmTransport } from '../src/tpm/transport/swtpm.js';
import { runFleetBench } from './fleet.js';

// npm runs scripts from the package root.
const root = process.cwd();
const cli = path.join(root, 'dist', 'tpm-doctor.cjs');
const reference = path.join(root, 'bench', 'reference');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** µs per GetCapability through the library: the same command bytes the raw reference sends. */
async function libraryRoundTrip(port: number, count: number): Promise<number> {
  const tpm = new Tpm(swtpmTransport('127.0.0.1', port));
  const input = { capability: TPM_CAP.TPM_PROPERTIES, property: TPM_PT.FAMILY_INDICATOR, propertyCount: 1 };
  for (let i = 0; i < 200; i++) await tpm.run(GetCapability, input);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await tpm.run(GetCapability, input);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / count;
  await tpm.close();
  return us;
}

function rawRoundTrip(port: number, count: number): number {
  const r = spawnSync(
    process.execPath,
    [path.join(reference, 'raw-roundtrip.mjs'), String(port), String(count)],
    {
      encoding: 'utf8',
    },
  );
  const m = /([\d.]+) us\/command/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`raw-roundtrip.mjs failed: ${r.stderr || r.stdout}`);
  return Number(m[1]);
}

/** Wall time of one process in ms; fails loudly if it exits with a code not in `ok`. */
function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, ok = [0]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!ok.includes(r.status ?? -1))
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** A few stale objects, made by tpm2-tools (the reference peer), for the diagnose comparison. */
function makeStaleObjects(env: NodeJS.ProcessEnv): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-bench-'));
  try {
    const run = (args: string[]) => {
      const r = spawnSync(args[0]!, args.slice(1), { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
    };
    for (const handle of ['0x81000010', '0x81000011']) {
      run(['tpm2_createprimary', '-C', 'o', '-G', 'ecc', '-c', path.join(dir, 'p.ctx')]);
      run(['tpm2_evictcontrol', '-C', 'o', '-c', path.join(dir, 'p.ctx'), handle]);
      run(['tpm2_flushcontext', '-t']);
    }
    run(['tpm2_nvdefine', '0x1500016', '-C', 'o', '-s', '32', '-a', 'ownerread|ownerwrite']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const only = process.env.BENCH_ONLY;
  const tpm = only === 'fleet' ? undefined : await tpmBench();
  const fleet = only === 'tpm' ? undefined : await runFleetBench(cli, reference);
  const json = process.env.BENCH_JSON;
  if (json) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      json,
      JSON.stringify({ date: new Date().toISOString(), node: process.version, ...tpm, fleet }, null, 2),
    );
  }
}

async function tpmBench(): Promise<Record<string, unknown>> {
  const swtpm = await startSwtpm({ provision: true });
  try {
    console.log(
      `swtpm ${swtpm.uri} (pid ${swtpm.pid}); ${ROUNDS} rounds x ${COMMANDS} commands, ${RUNS} process runs\n`,
    );

    // 1. Per command, alternating so that drift (CPU frequency, other load) hits both alike.
    const lib: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      raw.push(rawRoundTrip(swtpm.port, COMMANDS));
      lib.push(await libraryRoundTrip(swtpm.port, COMMANDS));
    }
    const perCommand = median(lib) / median(raw);
    console.log('GetCapability round trip (median of rounds)');
    console.log(`  raw socket      ${median(raw).toFixed(1)} us`);
    console.log(`  tpm-doctor lib  ${median(lib).toFixed(1)} us`);
    console.log(`  ratio           ${perCommand.toFixed(3)}x   (target <= 1.15x)\n`);

    // 2. Whole process, interleaved.
    const env = { ...process.env, TPM2TOOLS_TCTI: swtpm.tcti };
    const status: number[] = [];
    const tools: number[] = [];
    const bare: number[] = [];
    const statusArgs = [cli, 'status', '--tpm', swtpm.uri, '--json'];
    for (let i = 0; i < 3; i++) timeProcess(process.execPath, statusArgs); // warm the page cache
    for (let i = 0; i < RUNS; i++) {
      bare.push(timeProcess(process.execPath, ['-e', '0']));
      status.push(timeProcess(process.execPath, statusArgs));
      tools.push(timeProcess('bash', [path.join(reference, 'tpm2tools-status.sh')], env));
    }
    const s = median(status);
    const t = median(tools);
    const b = median(bare);
    console.log('Whole process wall time (median)');
    console.log(`  node -e 0                   ${b.toFixed(1)} ms`);
    console.log(`  tpm2tools-status.sh         ${t.toFixed(1)} ms`);
    console.log(`  tpm-doctor status --json    ${s.toFixed(1)} ms`);
    console.log(`  vs tpm2-tools               ${(s / t).toFixed(3)}x   (target <= 1.3x)`);
    console.log(`  above bare node             ${(s - b).toFixed(1)} ms   (target <= 25 ms)`);

    // 3. diagnose vs the tpm2-tools + openssl reference, on a TPM with stale objects.
    makeStaleObjects(env);
    const diagnose: number[] = [];
    const toolsDiagnose: number[] = [];
    const diagnoseArgs = [cli, 'diagnose', '--tpm', swtpm.uri, '--json'];
    for (let i = 0; i < 3; i++) timeProcess(process.execPath, diagnoseArgs, process.env, [0, 6, 7]);
    for (let i = 0; i < RUNS; i++) {
      diagnose.push(timeProcess(process.execPath, diagnoseArgs, process.env, [0, 6, 7]));
      toolsDiagnose.push(timeProcess('bash', [path.join(reference, 'tpm2tools-diagnose.sh')], env));
    }
    const d = median(diagnose);
    const td = median(toolsDiagnose);
    console.log('\nDiagnose, whole process wall time (median; TPM with 3 stale objects)');
    console.log(`  tpm2tools-diagnose.sh       ${td.toFixed(1)} ms`);
    console.log(`  tpm-doctor diagnose --json  ${d.toFixed(1)} ms`);
    console.log(`  ratio                       ${(d / td).toFixed(3)}x   (target <= 0.5x)`);

    return {
      perCommand: { rawUs: median(raw), libraryUs: median(lib), ratio: perCommand },
      process: { bareNodeMs: b, tpm2toolsMs: t, statusMs: s, ratioVsTpm2tools: s / t, aboveNodeMs: s - b },
      diagnose: { tpm2toolsMs: td, diagnoseMs: d, ratio: d / td },
    };
  } finally {
    await swtpm.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
