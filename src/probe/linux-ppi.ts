/**
 * Reads the Linux kernel's physical-presence files into snapshot facts (drivers/char/tpm/tpm_ppi.c;
 * ppi/ under the TPM chip since Linux 4.11, under its device before): `version`, and
 * `tcg_operations`, where the kernel lists one "<op> <status>: <text>" line per operation the
 * firmware implements (function 8 of the TCG PC Client Platform Physical Presence Interface
 * Specification 1.3), leaving out those the firmware answers "not implemented" for. A readable but
 * empty list is a firmware that implements none (qemu's ACPI PPI under SeaBIOS).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LinuxPpiFacts } from '../snapshot/linux-ppi.js';

export interface LinuxPpiLocation {
  /** Where sysfs is mounted (default '/sys'). */
  sysfsRoot?: string;
  /** The TPM chip (default 'tpm0'). */
  chip?: string;
}

/** The chip of a `device:` URI: /dev/tpmrm1 and /dev/tpm1 are tpm1; anything else tpm0. */
export function ppiChipOf(uri: string): string {
  const m = /\/tpm(?:rm)?(\d+)$/.exec(uri);
  return `tpm${m?.[1] ?? '0'}`;
}

/** Synchronous: a few small sysfs files, read once before the gate (each an ACPI method call). */
export function readLinuxPpiFacts(where: LinuxPpiLocation = {}): LinuxPpiFacts {
  const chipDir = path.join(where.sysfsRoot ?? '/sys', 'class', 'tpm', where.chip ?? 'tpm0');
  for (const dir of [path.join(chipDir, 'ppi'), path.join(chipDir, 'device', 'ppi')]) {
    let version: string;
    try {
      version = readFileSync(path.join(dir, 'version'), 'utf8').trim();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      return {
        dir,
        version: null,
        operations: null,
        error: `${path.join(dir, 'version')}: ${code ?? (e as Error).message}`,
      };
    }
    const file = path.join(dir, 'tcg_operations');
    try {
      return { dir, version, operations: parseOperationLines(readFileSync(file, 'utf8')), error: null };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { dir, version, operations: null, error: `${file}: ${code ?? (e as Error).message}` };
    }
  }
  return { dir: null, version: null, operations: null, error: null };
}

/** "<op> <status>: <text>" lines. */
function parseOperationLines(text: string): { operation: number; status: number }[] {
  const out: { operation: number; status: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+):/.exec(line);
    if (m) out.push({ operation: Number(m[1]), status: Number(m[2]) });
  }
  return out;
}
