/**
 * `fleet triage --auth browser` end to end with the built CLI: a lab tenant over TLS (its CA given
 * to the CLI in NODE_EXTRA_CA_CERTS, as an admin behind a TLS-inspecting proxy would), no
 * graphical session (DISPLAY unset, as over SSH), so the CLI prints the sign-in URL; a real
 * Chromium opens it and signs in; the CLI's loopback listener takes the code and the triage runs.
 * No token, code or refresh token appears in anything the CLI prints, even with --verbose.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabTenant, startLabTenant } from '../../src/lab/tenant/index.js';
import { launchChromium } from '../support/chromium.js';
import { makeLoopbackCertificate, type TestCertificate } from '../support/test-certificate.js';
import { CLI, ROOT, useBuiltCli } from './cli-support.js';

useBuiltCli();
let certificate: TestCertificate;
let lab: LabTenant;
let browser: Browser;

beforeAll(async () => {
  certificate = await makeLoopbackCertificate();
  lab = await startLabTenant({
    devices: 30,
    seed: 11,
    tls: { key: certificate.key, cert: certificate.cert },
  });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
  await certificate?.dispose();
});

/** The environment of an SSH session: no display, no proxy, no secret; the lab's CA trusted. */
function sshEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_EXTRA_CA_CERTS: certificate.certFile,
    LANG: 'C.UTF-8',
    TZ: 'UTC',
  };
  for (const name of [
    'NODE_OPTIONS',
    'FORCE_COLOR',
    'NO_COLOR',
    'DISPLAY',
    'WAYLAND_DISPLAY',
    'AZURE_CLIENT_SECRET',
    'LC_ALL',
  ]) {
    delete env[name];
  }
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'ALL_PROXY', 'NO_PROXY']) {
    delete env[name];
    delete env[name.toLowerCase()];
  }
  return env;
}

describe('fleet triage --auth browser', () => {
  it('prints the sign-in URL, signs in through Chromium, and triages; no token in the output', async () => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'fleet',
        'triage',
        '--graph-url',
        lab.url,
        '--tenant-id',
        lab.tenantId,
        '--client-id',
        lab.clientId,
        '--auth',
        'browser',
        '--no-store',
        '--json',
        '--verbose',
      ],
      { cwd: ROOT, env: sshEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      // The URL, printed because no browser can be opened here.
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
          const found = /^(https:\/\/\S+\/oauth2\/v2\.0\/authorize\?\S+)$/m.exec(stderr)?.[1];
          if (found) resolve(found);
        });
        void exited.then((code) =>
          reject(new Error(`the CLI ended (${code}) before printing a URL:\n${stderr}`)),
        );
      });
      expect(stderr).toContain('Open this URL in a browser on this machine:');
      expect(stderr).toMatch(
        /Waiting up to 5 min for the browser to come back to http:\/\/127\.0\.0\.1:\d+ \.\.\./,
      );
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      await page.goto(url);
      await page.locator('#accept').click();
      await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//);
      await expect(page.locator('#message').textContent()).resolves.toContain('tpm-doctor is signed in');
      await context.close();
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    expect((JSON.parse(stdout) as { summary: { devices: number } }).summary.devices).toBe(30);
    expect(stderr).toMatch(/graph: GET \/v1\.0\/deviceManagement\/managedDevices\?\S* -> 200/);
    // The lab's access tokens, refresh tokens and codes have these prefixes: none is printed.
    for (const text of [stdout, stderr]) expect(text).not.toMatch(/lab(-rt|-code)?\.[A-Za-z0-9_-]{20,}/);
  }, 240_000);

  it('refuses an http lab: MSAL accepts only an https authority', async () => {
    const plain = await startLabTenant({ devices: 5 });
    try {
      const child = spawn(
        process.execPath,
        [
          CLI,
          'fleet',
          'triage',
          '--graph-url',
          plain.url,
          '--tenant-id',
          plain.tenantId,
          '--client-id',
          plain.clientId,
          '--auth',
          'browser',
          '--no-store',
        ],
        { cwd: ROOT, env: sshEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
      expect(stderr).toContain('--auth browser needs an https sign-in authority (MSAL refuses http)');
      expect(code).toBe(13);
    } finally {
      await plain.close();
    }
  }, 120_000);

  it('loads @azure/msal-node only for --auth browser: no bundle requires it up front', () => {
    // A static import would be hoisted to the top of the fleet chunk (loading it costs 130-240 ms).
    const dist = path.join(ROOT, 'dist');
    const files = [
      ...readdirSync(dist)
        .filter((f) => f.endsWith('.cjs'))
        .map((f) => path.join(dist, f)),
      ...readdirSync(path.join(dist, 'chunks'))
        .filter((f) => f.endsWith('.cjs'))
        .map((f) => path.join(dist, 'chunks', f)),
    ];
    const loading = files.filter((f) => readFileSync(f, 'utf8').includes('@azure/msal-node'));
    expect(loading.length).toBeGreaterThan(0);
    for (const file of loading) {
      const text = readFileSync(file, 'utf8');
      expect(text).not.toMatch(/require\(["'`]@azure\/msal-node["'`]\)/);
      expect(text).toMatch(/import\(["'`]@azure\/msal-node["'`]\)/);
    }
  });
});
