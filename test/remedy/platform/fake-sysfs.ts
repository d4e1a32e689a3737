/** A temporary directory laid out like the kernel's TPM PPI sysfs files (drivers/char/tpm/tpm_ppi.c). */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeSysfs, type SysfsFiles } from '../../../src/remedy/platform/ppi-linux.js';

export interface FakePpi {
  version?: string;
  request?: string;
  transition_action?: string;
  response?: string;
  tcg_operations?: string;
  vs_operations?: string;
}

export interface FakeSysfs {
  root: string;
  ppiDir: string;
  cleanup(): void;
}

/** The values a PPI 1.3 firmware that implements clear with a prompt would show. */
export const TYPICAL: Required<FakePpi> = {
  version: '1.3\n',
  request: '0\n',
  transition_action: '2: Reboot\n',
  response: '0: No Recent Request\n',
  tcg_operations: '5 3: User required\n14 3: User required\n21 3: User required\n22 3: User required\n',
  vs_operations: '',
};

/** Makes <root>/class/tpm/tpm0/ppi with the given files (none of them when ppi is null). */
export function fakeSysfs(ppi: FakePpi | null = TYPICAL, where: 'ppi' | 'device/ppi' = 'ppi'): FakeSysfs {
  const root = mkdtempSync(path.join(tmpdir(), 'tpm-doctor-sysfs-'));
  const chip = path.join(root, 'class', 'tpm', 'tpm0');
  mkdirSync(chip, { recursive: true });
  const ppiDir = path.join(chip, ...where.split('/'));
  if (ppi) {
    mkdirSync(ppiDir, { recursive: true });
    for (const [name, text] of Object.entries(ppi))
      if (text !== undefined) writeFileSync(path.join(ppiDir, name), text);
  }
  return { root, ppiDir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function eacces(file: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EACCES: permission denied, ${syscall} '${file}'`), {
    code: 'EACCES',
    errno: -13,
    syscall,
    path: file,
  });
}

/**
 * The real file calls, with the permission check root skips: these tests run as root here, and
 * root may write a 0444 file, which the kernel's sysfs would refuse only by its store function.
 */
export const permissionCheckedSysfs: SysfsFiles = {
  read: nodeSysfs.read,
  async write(file, text) {
    if (process.geteuid?.() === 0 && (statSync(file).mode & 0o222) === 0) throw eacces(file, 'open');
    return nodeSysfs.write(file, text);
  },
};

/** A sysfs whose request store fails as the kernel does when the firmware refuses (errno given). */
export function refusingSysfs(code: 'EPERM' | 'EFAULT' | 'ENXIO'): SysfsFiles {
  return {
    read: nodeSysfs.read,
    async write(file) {
      throw Object.assign(new Error(`${code}: write '${file}'`), { code });
    },
  };
}
