/**
 * `npm run bench`, fleet part, section 6 (docs/benchmarks.md, "Triage: per call vs from the report
 * exports"): `fleet triage` of BENCH_TRIAGE_PATH_DEVICES lab devices (default 100,000) per call
 * (`--no-exports`) and from the report exports, each against a fresh lab tenant answering every
 * Graph request after BENCH_LATENCY_MS (default 150 ms) with Intune's own 20 s window: HTTP
 * requests (and inside $batch), requests per device, export jobs, wall time, the 429s the lab
 * answered, CPU and peak memory.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startLabTenant } from '../src/lab/tenant/index.js';
import { runChild, rusageOf } from './child-run.js';

/** One triage path at 150 ms per request. */
export interface TriagePathResult {
  path: 'per-call' | 'exports';
  devices: number;
  httpRequests: number;
  /** Requests inside $batch envelopes (each counts against Intune's limits). */
  innerRequests: number;
  requestsPerDevice: number;
  exportJobs: number;
  wallMs: number;
  throttled: number;
  cpuMs: number;
  maxRssMb: number;
}

/**
 * `fleet triage` by each path against a lab answering every Graph request after
 * BENCH_LATENCY_MS (default 150 ms, a realistic round trip to Graph from a customer's network),
 * with Intune's 20 s window: one fresh lab per path, so neither warms the other.
 */
export async function measureTriagePaths(cli: string, dir: string): Promise<TriagePathResult[]> {
  const devices = Number(
    process.env.BENCH_TRIAGE_PATH_DEVICES ?? process.env.BENCH_TRIAGE_DEVICES ?? 100_000,
  );
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 150);
  const results: TriagePathResult[] = [];
  for (const which of ['per-call', 'exports'] as const) {
    const lab = await startLabTenant({ devices, seed: 7, latencyMs });
    try {
      const out = path.join(dir, `triage-${which}.json`);
      const args = [
        cli,
        'fleet',
        'triage',
        '--graph-url',
        lab.url,
        '--tenant-id',
        lab.tenantId,
        '--client-id',
        lab.clientId,
        '--format',
        'json',
        '--out',
        out,
        '--no-store',
        '--quiet',
        ...(which === 'per-call' ? ['--no-exports'] : []),
      ];
      const t0 = process.hrtime.bigint();
      const r = await runChild(args, {
        ...process.env,
        AZURE_CLIENT_SECRET: lab.clientSecret,
        TPM_DOCTOR_BENCH_RUSAGE: '1',
      });
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0)
        throw new Error(`fleet triage (${which}) exited ${r.status}: ${r.stderr.slice(-2000)}`);
      const report = JSON.parse(readFileSync(out, 'utf8')) as {
        summary: {
          devices: number;
          warnings: string[];
          graphRequests?: { httpRequests: number; innerRequests: number } | null;
        };
      };
      if (which === 'exports' && report.summary.warnings.some((w) => w.includes('report exports')))
        throw new Error(`the export path fell back to per call: ${report.summary.warnings.join('; ')}`);
      const httpRequests = report.summary.graphRequests?.httpRequests ?? Number.NaN;
      results.push({
        path: which,
        devices: report.summary.devices,
        httpRequests,
        innerRequests: report.summary.graphRequests?.innerRequests ?? Number.NaN,
        requestsPerDevice: httpRequests / report.summary.devices,
        exportJobs: lab.exports.counts.created,
        wallMs,
        throttled: Object.values(lab.stats().apps).reduce((n, app) => n + app.throttled, 0),
        ...(() => {
          const usage = rusageOf(r.stderr);
          return {
            cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
            maxRssMb: usage.maxRSS / 1024,
          };
        })(),
      });
    } finally {
      await lab.close();
    }
  }
  console.log(`\nFleet triage by path at ${latencyMs} ms per Graph request (Intune's 20 s window)`);
  for (const p of results) {
    console.log(
      `  ${p.path.padEnd(9)} ${p.devices} devices: ${p.httpRequests} HTTP requests (${p.innerRequests} inside $batch; ${p.requestsPerDevice.toFixed(4)} per device; ${p.exportJobs} export jobs), ${(p.wallMs / 1000).toFixed(1)} s, ${p.throttled} 429s; CPU ${p.cpuMs.toFixed(0)} ms, peak RSS ${p.maxRssMb.toFixed(0)} MB`,
    );
  }
  return results;
}
