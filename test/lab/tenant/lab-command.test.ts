import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runLab } from '../../../src/cli/commands/lab.js';
import type { LabTenant } from '../../../src/lab/tenant/index.js';

/** Runs `tpm-doctor lab ...` in-process; `whileRunning` plays the user, then the lab stops. */
async function runWith(
  argv: string[],
  whileRunning: (lab: LabTenant, output: () => string) => Promise<void> = async () => {},
) {
  let out = '';
  let err = '';
  const code = await runLab(argv, {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stop: (lab) => whileRunning(lab, () => out),
  });
  return { code, out, err };
}

describe('tpm-doctor lab tenant', () => {
  it('prints LAB, the URL, the ids and how to point fleet at it, never the secret', async () => {
    let secret = '';
    let secretFile = '';
    const { code, out } = await runWith(
      ['tenant', '--devices', '25', '--seed', '3', '--window-ms', '500'],
      async (lab, output) => {
        secret = lab.clientSecret;
        secretFile = /Secret\s+in (\S+)/.exec(output())?.[1] ?? '';
        const info = (await (await fetch(`${lab.url}/lab/info`)).json()) as Record<string, unknown>;
        expect(info).toMatchObject({ lab: true, devices: 25, seed: 3, windowMs: 500 });
        expect((await stat(secretFile)).mode & 0o777).toBe(0o600);
        expect(await readFile(secretFile, 'utf8')).toBe(secret);
      },
    );
    expect(code).toBe(0);
    expect(out).toMatch(/LAB tenant running: simulated devices, NOT a real Microsoft tenant/);
    expect(out).toMatch(
      /--graph-url http:\/\/127\.0\.0\.1:\d+ --tenant-id [0-9a-f-]{36} --client-id [0-9a-f-]{36}/,
    );
    expect(out).toContain('AZURE_CLIENT_SECRET');
    expect(out).not.toContain(secret);
    // The secret file goes with the lab.
    await expect(stat(secretFile)).rejects.toThrow();
  });

  it('--json gives the connection details without the secret', async () => {
    let secret = '';
    const { code, out } = await runWith(['tenant', '--devices', '5', '--json'], async (lab) => {
      secret = lab.clientSecret;
    });
    expect(code).toBe(0);
    const details = JSON.parse(out) as Record<string, unknown>;
    expect(details).toMatchObject({
      lab: true,
      devices: 5,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    expect(out).not.toContain(secret);
  });

  it('teaches with --help and refuses a wrong command line', async () => {
    const help = await runWith(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/NOT a real tenant/);
    expect(help.out).toMatch(/--window-ms N/);
    await expect(runWith([])).rejects.toThrow(/only "tpm-doctor lab tenant" exists/i);
    await expect(runWith(['tenant', '--devices', 'many'])).rejects.toThrow(
      /--devices expects a whole number/,
    );
  });

  it('exits 5 when the port is taken', async () => {
    await runWith(['tenant', '--devices', '1'], async (lab) => {
      const port = new URL(lab.url).port;
      const second = await runWith(['tenant', '--devices', '1', '--port', port]);
      expect(second.code).toBe(5);
      expect(second.err).toMatch(/could not start/);
    });
  });
});
