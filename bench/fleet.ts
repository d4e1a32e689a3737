/**
 * `npm run bench`, fleet part (docs/benchmarks.md), against the lab tenant started in this process:
 *
 *  4. `fleet triage` of 100,000 lab devices (about 5% unhealthy), in its own process:
 *     Graph HTTP requests per device (target <= 0.1), CPU time and peak memory, each next to
 *     reference/graph-list-pages.mjs (plain fetch reading every page once and nothing else).
 *  5. a 10,000-device `fleet sync` campaign against the lab's throttle (Intune's limits, the window
 *     scaled to BENCH_WINDOW_MS, default 1,000 ms, so it takes a minute, not 17): the time from the
 *     first to the last syncDevice the lab admitted, as a ratio to the minimum the limits allow,
 *     (ceil(N / writesPerWindow) - 1) * window (target <= 1.1x), and the 429s the lab answered
 *     (target 0). One POST per device (--no-bulk), as this figure has always been measured.
 *  6. triage per call and from the report exports at 150 ms per request
 *     (bench/fleet-triage-paths.ts).
 *  7. the sync campaign per device and in executeAction calls at 150 ms per request
 *     (bench/fleet-sync-paths.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLabTenant } from '../src/lab/tenant/index.js';
import { type Rusage, runChild, rusageOf } from './child-run.js';
import { measureSyncPaths, type SyncPathResult } from './fleet-sync-paths.js';
import { measureTriagePaths, type TriagePathResult } from './fleet-triage-paths.js';

export interface FleetBenchResult {
  syncPaths?: SyncPathResult[];
  triagePaths?: TriagePathResult[];
  triage: {
    devices: number;
    httpRequests: number;
    requestsPerDevice: number;
    innerRequests: number;
    cpuMs: number;
    referenceCpuMs: number;
    cpuRatio: number;
    maxRssMb: number;
    referenceMaxRssMb: number;
    rssRatio: number;
  };
  sync: {
    devices: number;
    windowMs: number;
    writesPerWindow: number;
    postingMs: number;
    minimumMs: number;
    ratio: number;
    throttled: number;
    wallMs: number;
  };
}

export async function runFleetBench(cli: string, reference: string): Promise<FleetBenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-bench-fleet-'));
  try {
    return await measure(cli, reference, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(cli: string, reference: string, dir: string): Promise<FleetBenchResult> {
  const devices = Number(process.env.BENCH_TRIAGE_DEVICES ?? 100_000);
  const syncDevices = Number(process.env.BENCH_SYNC_DEVICES ?? 10_000);
  const windowMs = Number(process.env.BENCH_WINDOW_MS ?? 1_000);

  // 4. Triage. The window is scaled too, so the budget does not dominate the CPU figures.
  const lab = await startLabTenant({ devices, seed: 7, windowMs });
  let triage: FleetBenchResult['triage'];
  try {
    const env = { ...process.env, AZURE_CLIENT_SECRET: lab.clientSecret, TPM_DOCTOR_BENCH_RUSAGE: '1' };
    const connect = ['--graph-url', lab.url, '--tenant-id', lab.tenantId, '--client-id', lab.clientId];
    const ref = await runChild(
      [path.join(reference, 'graph-list-pages.mjs'), lab.url, lab.tenantId, lab.clientId],
      { ...process.env, LAB_SECRET: lab.clientSecret },
    );
    if (ref.status !== 0) throw new Error(`graph-list-pages.mjs failed: ${ref.stderr}`);
    const refUsage = JSON.parse(ref.stdout) as Rusage & { devices: number };
    const r = await runChild(
      [
        cli,
        'fleet',
        'triage',
        ...connect,
        '--format',
        'json',
        '--out',
        path.join(dir, 'triage.json'),
        '--no-store',
        '--quiet',
      ],
      env,
    );
    if (r.status !== 0) throw new Error(`fleet triage exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const usage = rusageOf(r.stderr);
    const report = JSON.parse(readFileSync(path.join(dir, 'triage.json'), 'utf8')) as {
      summary: { devices: number; graphRequests?: { httpRequests: number; innerRequests: number } | null };
    };
    const graphStats = report.summary.graphRequests ?? {
      httpRequests: Number.NaN,
      innerRequests: Number.NaN,
    };
    const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    const refCpuMs = (refUsage.userCPUTime + refUsage.systemCPUTime) / 1000;
    triage = {
      devices: report.summary.devices,
      httpRequests: graphStats.httpRequests,
      requestsPerDevice: graphStats.httpRequests / report.summary.devices,
      innerRequests: graphStats.innerRequests,
      cpuMs,
      referenceCpuMs: refCpuMs,
      cpuRatio: cpuMs / refCpuMs,
      maxRssMb: usage.maxRSS / 1024,
      referenceMaxRssMb: refUsage.maxRSS / 1024,
      rssRatio: usage.maxRSS / refUsage.maxRSS,
    };
  } finally {
    await lab.close();
  }
  console.log(`\nFleet triage of ${triage.devices} lab devices (own process; window ${windowMs} ms)`);
  console.log(`  Graph HTTP requests        ${triage.httpRequests} (${triage.innerRequests} inside $batch)`);
  console.log(`  requests per device        ${triage.requestsPerDevice.toFixed(4)}   (target <= 0.1)`);
  console.log(
    `  CPU                        ${triage.cpuMs.toFixed(0)} ms vs ${triage.referenceCpuMs.toFixed(0)} ms for reading the pages only: ${triage.cpuRatio.toFixed(2)}x`,
  );
  console.log(
    `  peak memory (RSS)          ${triage.maxRssMb.toFixed(0)} MB vs ${triage.referenceMaxRssMb.toFixed(0)} MB: ${triage.rssRatio.toFixed(2)}x`,
  );

  const triagePaths = await measureTriagePaths(cli, dir);

  // 5. Sync campaign under the lab's throttle.
  const syncLab = await startLabTenant({ devices: syncDevices, seed: 11, windowMs, omitRetryAfterRate: 0.5 });
  let sync: FleetBenchResult['sync'];
  try {
    const ids = Array.from({ length: syncLab.devices.size }, (_, i) => syncLab.views.managedDevice(i).id);
    const idsFile = path.join(dir, 'ids.txt');
    writeFileSync(idsFile, `${ids.join('\n')}\n`);
    const env = { ...process.env, AZURE_CLIENT_SECRET: syncLab.clientSecret };
    const args = [
      cli,
      'fleet',
      'sync',
      '--graph-url',
      syncLab.url,
      '--tenant-id',
      syncLab.tenantId,
      '--client-id',
      syncLab.clientId,
      '--devices',
      idsFile,
      '--store',
      `sqlite:${path.join(dir, 'fleet.sqlite')}`,
      '--no-wait',
      '--no-bulk',
      '--quiet',
      '--json',
    ];
    const t0 = process.hrtime.bigint();
    const r = await runChild(args.slice(0), env);
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`fleet sync exited ${r.status}: ${r.stderr.slice(-2000)}`);
    const app = Object.values(syncLab.stats().apps)[0];
    if (!app || app.firstWriteAt === null || app.lastWriteAt === null)
      throw new Error('the lab saw no writes');
    const { writesPerWindow } = syncLab.limits;
    const minimumMs = (Math.ceil(app.writes / writesPerWindow) - 1) * windowMs;
    const postingMs = app.lastWriteAt - app.firstWriteAt;
    sync = {
      devices: app.writes,
      windowMs,
      writesPerWindow,
      postingMs,
      minimumMs,
      ratio: postingMs / minimumMs,
      throttled: app.throttled,
      wallMs,
    };
  } finally {
    await syncLab.close();
  }
  console.log(
    `\nFleet sync campaign of ${sync.devices} devices (limits ${sync.writesPerWindow} writes per ${sync.windowMs} ms window)`,
  );
  console.log(
    `  first to last syncDevice   ${(sync.postingMs / 1000).toFixed(2)} s; minimum the limits allow ${(sync.minimumMs / 1000).toFixed(2)} s`,
  );
  console.log(`  ratio                      ${sync.ratio.toFixed(3)}x   (target <= 1.1x)`);
  console.log(`  429s answered by the lab   ${sync.throttled}   (target 0)`);
  console.log(
    `  whole command              ${(sync.wallMs / 1000).toFixed(1)} s (start-up, baselines, store)`,
  );
  const syncPaths = await measureSyncPaths(cli, dir);
  return { triage, sync, syncPaths, triagePaths };
}
