/**
 * `npm run bench`, fleet part, section 7 (docs/benchmarks.md, "Sync campaign: per device vs
 * executeAction"): a `fleet sync --no-wait` campaign posted one POST per device (`--no-bulk`) and
 * in executeAction calls of 100, each against a fresh lab tenant answering every Graph request
 * after BENCH_LATENCY_MS (default 150 ms) with Intune's own 20 s window: HTTP requests, action
 * requests, requests per device, the time from the first to the last write the lab admitted, the
 * whole command's wall time, and the 429s the lab answered (target 0).
 *
 * Both paths are paced by the write budget (200 writes per 20 s per app; an executeAction is paced
 * as one write per device), so posting N devices takes at least (ceil(N / 200) - 1) * 20 s either
 * way: 980 s for 10,000. That is too long for a bench run, so it measures BENCH_SYNC_PATH_DEVICES
 * (default 1,000: at least 80 s of posting per path) and prints the extrapolation to 10,000.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startLabTenant } from '../src/lab/tenant/index.js';
import { runChild } from './child-run.js';

export interface SyncPathResult {
  path: 'per-device' | 'bulk';
  devices: number;
  latencyMs: number;
  /** Graph HTTP requests the CLI sent (baseline reads in $batch envelopes included). */
  httpRequests: number;
  /** The requests that carried the action: syncDevice POSTs, or executeAction calls. */
  actionRequests: number;
  requestsPerDevice: number;
  /** From the first to the last write the lab admitted. */
  postingMs: number;
  /** What the write budget allows at best: (ceil(N / writesPerWindow) - 1) * window. */
  minimumPostingMs: number;
  wallMs: number;
  throttled: number;
  /** Devices the lab acted on more than once (must be 0). */
  postedTwice: number;
}

export async function measureSyncPaths(cli: string, dir: string): Promise<SyncPathResult[]> {
  const devices = Number(process.env.BENCH_SYNC_PATH_DEVICES ?? 1_000);
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 150);
  const results: SyncPathResult[] = [];
  for (const which of ['per-device', 'bulk'] as const) {
    const lab = await startLabTenant({ devices, seed: 11, latencyMs, omitRetryAfterRate: 0.5 });
    try {
      const ids = Array.from({ length: lab.devices.size }, (_, i) => lab.views.managedDevice(i).id);
      const idsFile = path.join(dir, `sync-${which}.txt`);
      writeFileSync(idsFile, `${ids.join('\n')}\n`);
      const args = [
        cli,
        'fleet',
        'sync',
        '--graph-url',
        lab.url,
        '--tenant-id',
        lab.tenantId,
        '--client-id',
        lab.clientId,
        '--devices',
        idsFile,
        '--store',
        `sqlite:${path.join(dir, `sync-${which}.sqlite`)}`,
        '--no-wait',
        '--quiet',
        '--json',
        ...(which === 'per-device' ? ['--no-bulk'] : []),
      ];
      const t0 = process.hrtime.bigint();
      const r = await runChild(args, { ...process.env, AZURE_CLIENT_SECRET: lab.clientSecret });
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0)
        throw new Error(`fleet sync (${which}) exited ${r.status}: ${r.stderr.slice(-2000)}`);
      const status = JSON.parse(r.stdout) as { graph: { httpRequests: number } };
      const app = Object.values(lab.stats().apps)[0];
      if (!app || app.firstWriteAt === null || app.lastWriteAt === null)
        throw new Error('the lab saw no writes');
      const posts = Array.from({ length: lab.devices.size }, (_, i) => lab.devices.postCount(i));
      const { writesPerWindow, windowMs } = lab.limits;
      results.push({
        path: which,
        devices,
        latencyMs,
        httpRequests: status.graph.httpRequests,
        actionRequests: which === 'bulk' ? lab.bulkActions.calls : posts.reduce((a, b) => a + b, 0),
        requestsPerDevice: status.graph.httpRequests / devices,
        postingMs: app.lastWriteAt - app.firstWriteAt,
        minimumPostingMs: (Math.ceil(devices / writesPerWindow) - 1) * windowMs,
        wallMs,
        throttled: app.throttled,
        postedTwice: posts.filter((n) => n > 1).length,
      });
    } finally {
      await lab.close();
    }
  }
  console.log(
    `\nFleet sync campaign by path at ${latencyMs} ms per Graph request (Intune's 20 s window, --no-wait)`,
  );
  for (const p of results) {
    console.log(
      `  ${p.path.padEnd(10)} ${p.devices} devices: ${p.httpRequests} HTTP requests (${p.actionRequests} carrying the action; ${p.requestsPerDevice.toFixed(3)} per device), posting ${(p.postingMs / 1000).toFixed(1)} s (minimum ${(p.minimumPostingMs / 1000).toFixed(0)} s), whole command ${(p.wallMs / 1000).toFixed(1)} s, ${p.throttled} 429s, ${p.postedTwice} posted twice`,
    );
  }
  const windows = Math.ceil(10_000 / 200) - 1;
  console.log(
    `  10,000 devices, either path: at least ${windows} x 20 s = ${windows * 20} s of posting (200 writes per 20 s; executeAction paced as one write per device); requests carrying the action: 10,000 one per device, 100 in bulk`,
  );
  return results;
}
