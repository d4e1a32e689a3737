/**
 * Shared by the PPI run tests and their crash child: a fake Linux PPI sysfs whose request writes
 * are counted, and the firmware's part of a PPI clear simulated on swtpm with tpm2-tools.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SwtpmInstance } from '../../../src/lab/swtpm-process.js';
import { nodeSysfs, type SysfsFiles } from '../../../src/remedy/platform/ppi-linux.js';
import { SwtpmControl } from '../../../src/tpm/transport/swtpm-control.js';
import { tpm2 } from '../../support/tpm2-tools.js';

/** The real file calls on the fake sysfs; `onRequestWrite` is called before each write of ppi/request. */
export function countingSysfs(onRequestWrite: (text: string) => void): SysfsFiles {
  return {
    read: nodeSysfs.read,
    async write(file, text) {
      if (path.basename(file) === 'request') onRequestWrite(text);
      return nodeSysfs.write(file, text);
    },
  };
}

export const TASK = {
  nodePath: '/usr/bin/node',
  cliPath: '/opt/tpm-doctor/tpm-doctor.cjs',
  platform: 'linux' as const,
};

/**
 * The restart and the firmware: the person accepts the prompt (the firmware's TPM2_Clear, here
 * `tpm2_clear -c p`) or declines it. Before that, the restart: an orderly shutdown, the power
 * cycle (CMD_INIT) and the firmware's startup (`tpm2_startup -c`); after it, the firmware records
 * its response the way the kernel shows it (drivers/char/tpm/tpm_ppi.c: "<op> <result>: <text>")
 * and drops the request.
 * Every other client of the swtpm must be closed first.
 */
export async function firmwareRestart(
  instance: SwtpmInstance,
  ppiDir: string,
  answer: 'accept' | 'decline' | 'success-without-clear',
): Promise<void> {
  // The OS shuts the TPM down in order before it restarts (so its clock is saved).
  await tpm2(instance, ['tpm2_shutdown', '-c']);
  const control = new SwtpmControl(instance.host, instance.controlPort);
  try {
    await control.init();
  } finally {
    await control.close();
  }
  await tpm2(instance, ['tpm2_startup', '-c']);
  // The firmware acts on the pending request during boot, with platform authorization.
  if (answer === 'accept') await tpm2(instance, ['tpm2_clear', '-c', 'p']);
  writeFileSync(
    path.join(ppiDir, 'response'),
    answer === 'decline' ? '14 0xFFFFFFF0: User Abort\n' : '14 0: Success\n',
  );
  writeFileSync(path.join(ppiDir, 'request'), '0\n');
}
