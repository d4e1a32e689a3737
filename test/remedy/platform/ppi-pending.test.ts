import { afterEach, describe, expect, it } from 'vitest';
import { PpiError, readPendingPhysicalPresenceRequest } from '../../../src/remedy/platform/ppi.js';
import { windowsPendingScript } from '../../../src/remedy/platform/ppi-windows.js';
import { type FakeSysfs, fakeSysfs, TYPICAL } from './fake-sysfs.js';
import { replayScripts } from './recording-runner.js';

let sys: FakeSysfs | undefined;
afterEach(() => {
  sys?.cleanup();
  sys = undefined;
});

describe('readPendingPhysicalPresenceRequest (the PPI facade)', () => {
  it('Linux: the number in ppi/request, 0 when none, the operation alone when it has a parameter', async () => {
    sys = fakeSysfs({ ...TYPICAL, request: '14\n' });
    expect(await readPendingPhysicalPresenceRequest({ platform: 'linux', sysfsRoot: sys.root })).toBe(14);
    sys.cleanup();
    sys = fakeSysfs({ ...TYPICAL, request: '23 7\n' });
    expect(await readPendingPhysicalPresenceRequest({ platform: 'linux', sysfsRoot: sys.root })).toBe(23);
    sys.cleanup();
    sys = fakeSysfs();
    expect(await readPendingPhysicalPresenceRequest({ platform: 'linux', sysfsRoot: sys.root })).toBe(0);
  });

  it('Linux: no PPI directory is a PpiError naming what it tried', async () => {
    sys = fakeSysfs(null);
    const e = await readPendingPhysicalPresenceRequest({ platform: 'linux', sysfsRoot: sys.root }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(PpiError);
    expect(e).toMatchObject({ code: 'ppi-unexpected-output', message: expect.stringMatching(/request/) });
  });

  it('Windows: Win32_Tpm.GetPhysicalPresenceRequest in the one envelope', async () => {
    const ps = replayScripts({
      stdout: '{"ok":true,"data":{"ret":0,"request":14},"error":null,"hresult":null,"status":null}\r\n',
    });
    expect(await readPendingPhysicalPresenceRequest({ platform: 'win32', powershell: ps.run })).toBe(14);
    expect(ps.scripts).toEqual([windowsPendingScript()]);
    expect(ps.scripts[0]).toContain(
      'Invoke-CimMethod -InputObject $tpm -MethodName GetPhysicalPresenceRequest',
    );
  });

  it('Windows: a failed call or output without the envelope is a PpiError', async () => {
    const failed = replayScripts({
      stdout: '{"ok":false,"data":null,"error":"Access denied","hresult":-2147024891,"status":null}',
    });
    await expect(
      readPendingPhysicalPresenceRequest({ platform: 'win32', powershell: failed.run }),
    ).rejects.toMatchObject({ code: 'ppi-unexpected-output', message: 'Win32_Tpm failed: Access denied' });
    const garbled = replayScripts({ exitCode: 1, stdout: '', stderr: 'powershell.exe: not found' });
    await expect(
      readPendingPhysicalPresenceRequest({ platform: 'win32', powershell: garbled.run }),
    ).rejects.toMatchObject({ code: 'ppi-unexpected-output', message: expect.stringMatching(/not found/) });
    const refused = replayScripts({ stdout: '{"ok":true,"data":{"ret":1,"request":0}}' });
    await expect(
      readPendingPhysicalPresenceRequest({ platform: 'win32', powershell: refused.run }),
    ).rejects.toThrow(/GetPhysicalPresenceRequest returned 1 with request 0/);
  });
});
