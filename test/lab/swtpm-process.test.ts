import { existsSync } from 'node:fs';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findFreePortPair,
  provisionedTemplateInfo,
  type SwtpmInstance,
  startSwtpm,
  swtpmAvailable,
} from '../../src/lab/swtpm-process.js';
import { SWTPM_CAP, SwtpmControl, SwtpmControlError } from '../../src/tpm/transport/swtpm-control.js';
import { useSwtpm } from '../support/swtpm-harness.js';
import { redactArgs, tpm2, tpm2Yaml } from '../support/tpm2-tools.js';

const TPM_RC_INITIALIZE = 0x100;
const IBM = 0x49424d00;

type PropertiesFixed = Record<string, { raw: number; value?: unknown }>;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Extra instances started by single tests; stopped in afterAll even when a test fails half-way. */
const extra: SwtpmInstance[] = [];
afterAll(async () => {
  await Promise.all(extra.map((instance) => instance.stop()));
});
async function startExtra(...args: Parameters<typeof startSwtpm>): Promise<SwtpmInstance> {
  const instance = await startSwtpm(...args);
  extra.push(instance);
  return instance;
}

const tpm = useSwtpm();

describe('swtpmAvailable', () => {
  it('finds swtpm and swtpm_setup here', () => {
    expect(swtpmAvailable()).toEqual({ ok: true });
  });

  it('names missing tools and how to install them', () => {
    const result = swtpmAvailable(['tpm-doctor-no-such-tool']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.missing).toEqual(['tpm-doctor-no-such-tool']);
    expect(result.howToInstall).toContain('apt-get install swtpm swtpm-tools tpm2-tools');
  });
});

describe('startSwtpm', () => {
  it('describes itself with loopback ports, control at port + 1', () => {
    const instance = tpm.get();
    expect(instance.host).toBe('127.0.0.1');
    expect(instance.controlPort).toBe(instance.port + 1);
    expect(instance.uri).toBe(`swtpm://127.0.0.1:${instance.port}`);
    expect(instance.tcti).toBe(`swtpm:host=127.0.0.1,port=${instance.port}`);
    expect(instance.running).toBe(true);
    expect(isAlive(instance.pid)).toBe(true);
    expect(existsSync(instance.stateDir)).toBe(true);
  });

  it('answers tpm2_getcap properties-fixed as an IBM TPM 2.0', async () => {
    const props = await tpm2Yaml<PropertiesFixed>(tpm.get(), ['tpm2_getcap', 'properties-fixed']);
    expect(props.TPM2_PT_MANUFACTURER?.raw).toBe(IBM);
    expect(props.TPM2_PT_FAMILY_INDICATOR?.value).toBe('2.0');
  });

  it('gives two instances at once distinct ports, and each answers', async () => {
    const [a, b] = await Promise.all([startExtra(), startExtra()]);
    const ports = new Set([
      a.port,
      a.controlPort,
      b.port,
      b.controlPort,
      tpm.get().port,
      tpm.get().controlPort,
    ]);
    expect(ports.size).toBe(6);
    expect(a.pid).not.toBe(b.pid);
    for (const instance of [a, b]) {
      const props = await tpm2Yaml<PropertiesFixed>(instance, ['tpm2_getcap', 'properties-fixed']);
      expect(props.TPM2_PT_MANUFACTURER?.raw).toBe(IBM);
    }
  });

  it('stop() ends exactly that PID, removes its state dir, and is idempotent', async () => {
    const victim = await startExtra();
    const other = tpm.get();
    expect(isAlive(victim.pid)).toBe(true);
    await victim.stop();
    expect(isAlive(victim.pid)).toBe(false);
    expect(() => process.kill(victim.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(existsSync(victim.stateDir)).toBe(false);
    expect(victim.running).toBe(false);
    await victim.stop();
    // The file's shared instance is untouched.
    expect(isAlive(other.pid)).toBe(true);
    await tpm2(other, ['tpm2_getcap', 'properties-fixed']);
  });

  it('rejects a relative stateDir', async () => {
    await expect(startSwtpm({ stateDir: 'relative/dir' })).rejects.toThrow(/absolute/);
  });

  it('finds consecutive free port pairs on loopback', async () => {
    const port = await findFreePortPair();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65535);
  });
});

describe('provisioned swtpm', () => {
  it('has the RSA and ECC EK certificates and a platform certificate in NV', async () => {
    const instance = await startExtra({ provision: true });
    const indices = await tpm2Yaml<number[]>(instance, ['tpm2_getcap', 'handles-nv-index']);
    expect(indices).toEqual(expect.arrayContaining([0x1c00002, 0x1c00016, 0x1c08000]));
    const persistent = await tpm2Yaml<number[]>(instance, ['tpm2_getcap', 'handles-persistent']);
    expect(persistent).toEqual(expect.arrayContaining([0x81010001, 0x81010016]));
    const info = await provisionedTemplateInfo();
    expect(existsSync(info.rootCaCertPath)).toBe(true);
    expect(existsSync(info.issuerCertPath)).toBe(true);
  });

  it('copies the template once provisioned: a second instance starts from the same EK', async () => {
    const [a, b] = await Promise.all([startExtra({ provision: true }), startExtra({ provision: true })]);
    expect(a.stateDir).not.toBe(b.stateDir);
    const readEk = async (instance: SwtpmInstance) =>
      (await tpm2(instance, ['tpm2_nvread', '-C', 'o', '0x1c00002'])).stdout;
    // tpm2_nvread writes binary to stdout; compare as latin1 text.
    expect(await readEk(a)).toBe(await readEk(b));
  });
});

describe('SwtpmControl', () => {
  it('getCapability returns a non-zero mask that includes INIT and SHUTDOWN', async () => {
    const control = new SwtpmControl('127.0.0.1', tpm.get().controlPort);
    const caps = await control.getCapability();
    expect(caps).not.toBe(0);
    expect(caps & SWTPM_CAP.INIT).toBe(SWTPM_CAP.INIT);
    expect(caps & SWTPM_CAP.SHUTDOWN).toBe(SWTPM_CAP.SHUTDOWN);
    await control.close();
  });

  it('getTpmEstablished and setLocality answer', async () => {
    const control = new SwtpmControl('127.0.0.1', tpm.get().controlPort);
    expect(typeof (await control.getTpmEstablished())).toBe('boolean');
    await control.setLocality(0);
    await expect(control.setLocality(5)).rejects.toThrow(RangeError);
    await control.close();
  });

  it('getInfo returns libtpms JSON', async () => {
    const control = new SwtpmControl('127.0.0.1', tpm.get().controlPort);
    const info = (await control.getInfo()) as { TPMSpecification?: { family?: string } };
    expect(info.TPMSpecification?.family).toBe('2.0');
  });

  it('init() power-cycles: TPM_RC_INITIALIZE until tpm2_startup -c', async () => {
    const instance = await startExtra();
    const control = new SwtpmControl('127.0.0.1', instance.controlPort);
    await tpm2(instance, ['tpm2_getcap', 'properties-fixed']);
    await control.init();

    const before = await tpm2(instance, ['tpm2_getcap', 'properties-fixed'], { allowFailure: true });
    expect(before.code).not.toBe(0);
    expect(before.stderr).toContain(`0x${TPM_RC_INITIALIZE.toString(16)}`);

    await tpm2(instance, ['tpm2_startup', '-c']);
    const props = await tpm2Yaml<PropertiesFixed>(instance, ['tpm2_getcap', 'properties-fixed']);
    expect(props.TPM2_PT_MANUFACTURER?.raw).toBe(IBM);

    // deleteVolatile is accepted too.
    await control.init({ deleteVolatile: true });
    await tpm2(instance, ['tpm2_startup', '-c']);
    await control.close();
  });

  it('shutdown() makes swtpm exit; stop() afterwards still cleans up', async () => {
    const instance = await startExtra();
    const control = new SwtpmControl('127.0.0.1', instance.controlPort);
    await control.shutdown();
    const deadline = Date.now() + 5000;
    while (isAlive(instance.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(instance.pid)).toBe(false);
    await instance.stop();
    expect(existsSync(instance.stateDir)).toBe(false);
  });

  it('fails clearly and quickly when nothing listens', async () => {
    const port = await findFreePortPair();
    const control = new SwtpmControl('127.0.0.1', port, { timeoutMs: 1000 });
    const started = Date.now();
    const err = await control.init().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SwtpmControlError);
    expect((err as SwtpmControlError).command).toBe('CMD_INIT');
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('times out with a clear message when the peer never answers', async () => {
    const server = net.createServer(() => {
      // accept and stay silent
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const control = new SwtpmControl('127.0.0.1', port, { timeoutMs: 300 });
      await expect(control.init()).rejects.toThrow(
        `swtpm control channel at 127.0.0.1:${port} did not answer CMD_INIT within 300 ms`,
      );
    } finally {
      server.close();
    }
  });

  it('reports a short reply followed by a close, and a non-zero result', async () => {
    const server = net.createServer((socket) => {
      socket.once('data', (data) => {
        const command = data.readUInt32BE(0);
        if (command === 1)
          socket.end(Buffer.from([0, 0, 0, 0, 0])); // 5 of 8 bytes
        else socket.end(Buffer.from([0, 0, 0, 9])); // TPM_FAIL
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const control = new SwtpmControl('127.0.0.1', port, { timeoutMs: 2000 });
      await expect(control.getCapability()).rejects.toThrow(
        /closed the connection during CMD_GET_CAPABILITY/,
      );
      const err = await control.init().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SwtpmControlError);
      expect((err as SwtpmControlError).result).toBe(9);
    } finally {
      server.close();
    }
  });
});

describe('tpm2-tools helpers', () => {
  it('throw with stderr on failure and redact auth values', async () => {
    const err = await tpm2(tpm.get(), ['tpm2_nvread', '-C', 'o', '-P', 'sekrit-owner', '0x1c00002']).catch(
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /^tpm2_nvread -C o -P <redacted> 0x1c00002 exited with code \d+:\n\S/,
    );
    expect((err as Error).message).not.toContain('sekrit');
    expect(redactArgs(['tpm2_changeauth', '-c', 'o', 'newpass'])).toBe('tpm2_changeauth -c o <redacted>');
    expect(redactArgs(['tpm2_clear', '--auth=hex:00'])).toBe('tpm2_clear --auth=<redacted>');
  });

  it('explain how to install a missing tool', async () => {
    await expect(tpm2(tpm.get(), ['tpm2_no_such_tool_here'])).rejects.toThrow(
      /apt-get install swtpm swtpm-tools tpm2-tools/,
    );
  });
});
