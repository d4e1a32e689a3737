/**
 * The physical-presence request on Linux, through the TPM driver's sysfs files
 * (drivers/char/tpm/tpm_ppi.c; ppi/ under the TPM chip since Linux 4.11, under its device before):
 * - version: the firmware's PPI version, "1.3".
 * - request: read "<op>" (or "<op> <param>" for op 23); write "<op>" to submit it (function 2, or 7
 *   "SubmitRequest2" since PPI 1.1). A firmware refusal comes back as EPERM (1: not implemented)
 *   or EFAULT (2: general failure, 3: blocked by the firmware settings); ENXIO when the ACPI method
 *   failed. The file is writable by root only.
 * - transition_action: "<n>: None|Shutdown|Reboot|OS Vendor-specific|Error".
 * - response: "<op> <result>: <text>" for the last request, or "0: No Recent Request".
 * - tcg_operations / vs_operations: one "<op> <status>: <text>" line per operation the firmware
 *   implements (status 1 BIOS only, 2 blocked for the OS, 3 user required, 4 user not required);
 *   an operation the firmware answers 0 (not implemented) for is left out, so a readable but
 *   empty tcg_operations means the firmware implements none (qemu's ACPI PPI under SeaBIOS);
 *   EPERM when the firmware lacks function 8.
 */
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { notElevatedMessage } from './elevation.js';
import {
  type ClearOperation,
  type OperationSupport,
  operationSupportOf,
  PPI_CLEAR,
  PPI_ENABLE_CLEAR,
  type PpiResponse,
  refusalFor,
  responseOf,
  type Transition,
  transitionOf,
  UNKNOWN_TRANSITION_INSTRUCTION,
} from './ppi-codes.js';
import { NO_PPI_MESSAGE, PpiError } from './ppi-error.js';

/** The file operations the PPI needs; tests point them at a temporary directory laid out like sysfs. */
export interface SysfsFiles {
  read(file: string): Promise<string>;
  /** Writes into an existing file (never creates one: a missing sysfs file means no PPI). */
  write(file: string, text: string): Promise<void>;
}

export const nodeSysfs: SysfsFiles = {
  read: (file) => readFile(file, 'utf8'),
  async write(file, text) {
    // 'r+': no O_CREAT and no O_TRUNC. sysfs hands the whole buffer to the store function in one call.
    const handle = await open(file, 'r+');
    try {
      await handle.write(text, 0, 'utf8');
    } finally {
      await handle.close();
    }
  },
};

export interface LinuxPpiTarget {
  /** Where sysfs is mounted (default '/sys'). */
  sysfsRoot?: string;
  /** The TPM chip (default 'tpm0'). */
  chip?: string;
  files?: SysfsFiles;
  /** The operation to ask for (default 14, or 5 when the firmware implements only 5). */
  operation?: ClearOperation;
  /** Read everything, choose the operation, write nothing. */
  dryRun?: boolean;
}

export interface PpiRequestResult {
  platform: 'linux' | 'win32';
  /** The operation sent (or, on a dry run, that would be sent). */
  operation: number;
  dryRun: boolean;
  /** The pending operation as the firmware reports it after the write; null on a dry run or Windows. */
  pending: number | null;
  transition: Transition | null;
  /** The PPI version, e.g. "1.3"; null when unknown. */
  version: string | null;
  /** Whether the firmware will ask the person at the machine; 'unknown' when it does not say. */
  confirmation: 'user-required' | 'user-not-required' | 'unknown';
  /** The next thing the person must do. */
  message: string;
}

function ppiDirCandidates(target: Pick<LinuxPpiTarget, 'sysfsRoot' | 'chip'>): string[] {
  const chipDir = path.join(target.sysfsRoot ?? '/sys', 'class', 'tpm', target.chip ?? 'tpm0');
  return [path.join(chipDir, 'ppi'), path.join(chipDir, 'device', 'ppi')];
}

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;
}

/** The ppi directory and its version, or a no-PPI PpiError. */
async function findPpi(target: LinuxPpiTarget, files: SysfsFiles): Promise<{ dir: string; version: string }> {
  for (const dir of ppiDirCandidates(target)) {
    try {
      const version = (await files.read(path.join(dir, 'version'))).trim();
      return { dir, version };
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') continue;
      throw readError(path.join(dir, 'version'), e);
    }
  }
  throw new PpiError('no-ppi', `${NO_PPI_MESSAGE} (no ${ppiDirCandidates(target).join(' or ')})`);
}

function readError(file: string, e: unknown): PpiError {
  const code = errnoOf(e);
  if (code === 'EACCES')
    return new PpiError('not-elevated', `${notElevatedMessage('linux')} (reading ${file}: EACCES)`, {
      cause: e,
    });
  if (code === 'ENXIO' || code === 'EFAULT' || code === 'EINVAL') {
    return new PpiError(
      'firmware-failure',
      `The firmware's ACPI physical-presence method failed when ${file} was read (${code}); update the firmware, or clear the TPM from the firmware setup screen.`,
      { cause: e },
    );
  }
  return new PpiError(
    'unexpected-output',
    `Could not read ${file}: ${e instanceof Error ? e.message : String(e)}`,
    { cause: e },
  );
}

function writeError(file: string, operation: number, e: unknown): PpiError {
  switch (errnoOf(e)) {
    case 'EACCES':
      return new PpiError('not-elevated', `${notElevatedMessage('linux')} (writing ${file}: EACCES)`, {
        cause: e,
      });
    case 'ENOENT':
      return new PpiError('no-ppi', `${NO_PPI_MESSAGE} (no ${file})`, { cause: e });
    case 'EPERM':
      // tpm_store_ppi_request: the firmware's SubmitRequest returned 1, "not implemented".
      return new PpiError(
        'refused-by-firmware',
        `The firmware refused physical-presence operation ${operation}: it does not implement it. Clear the TPM from the firmware setup screen, or with the lockout authorisation.`,
        { cause: e },
      );
    case 'EFAULT':
      // SubmitRequest returned 2 (general failure) or 3 (blocked by the firmware's settings).
      return new PpiError(
        'refused-by-firmware',
        `The firmware rejected physical-presence operation ${operation} (general failure, or blocked by its settings). In the firmware setup, allow the OS to request a TPM clear, or clear the TPM there.`,
        { cause: e },
      );
    case 'ENXIO':
      return new PpiError(
        'firmware-failure',
        `The firmware's ACPI physical-presence method failed (ENXIO writing ${file}); update the firmware, or clear the TPM from the firmware setup screen.`,
        { cause: e },
      );
    default:
      return new PpiError(
        'unexpected-output',
        `Could not write ${file}: ${e instanceof Error ? e.message : String(e)}`,
        {
          cause: e,
        },
      );
  }
}

/** Reads an optional file: undefined when it is absent or the firmware lacks the function behind it. */
async function readOptional(files: SysfsFiles, file: string): Promise<string | undefined> {
  try {
    return await files.read(file);
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT' || code === 'EPERM' || code === 'ENXIO' || code === 'ENOMEM') return undefined;
    throw readError(file, e);
  }
}

/** tcg_operations: "<op> <status>: <text>" lines; operations the firmware does not implement are absent. */
export function parseOperations(text: string): Map<number, OperationSupport> {
  const out = new Map<number, OperationSupport>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+):/.exec(line);
    if (!m) continue;
    const support = operationSupportOf(Number(m[2]));
    if (support) out.set(Number(m[1]), support);
  }
  return out;
}

/** The first number of a sysfs value ("2: Reboot", "14", "23 1"). */
function leadingNumber(file: string, text: string): number {
  const m = /^\s*(\d+)/.exec(text);
  if (!m)
    throw new PpiError(
      'unexpected-output',
      `Expected a number in ${file}, got "${text.trim().slice(0, 80)}".`,
    );
  return Number(m[1]);
}

/**
 * Chooses the clear operation: the one asked for, else 14, falling back to 5 when the firmware's
 * list shows 5 but not 14. A missing list (no function 8) says nothing, and the request goes
 * ahead; an empty one is refused by the caller before this.
 */
export function chooseOperation(
  asked: ClearOperation | undefined,
  ops: Map<number, OperationSupport> | undefined,
): { operation: number; support: OperationSupport | undefined } {
  const known = ops !== undefined && ops.size > 0;
  const supportOf = (op: number) => (known ? (ops.get(op) ?? 'not-implemented') : undefined);
  if (asked !== undefined) return { operation: asked, support: supportOf(asked) };
  const usable = (op: number) => {
    const s = supportOf(op);
    return s === 'user-required' || s === 'user-not-required';
  };
  if (known && !usable(PPI_ENABLE_CLEAR) && usable(PPI_CLEAR))
    return { operation: PPI_CLEAR, support: supportOf(PPI_CLEAR) };
  return { operation: PPI_ENABLE_CLEAR, support: supportOf(PPI_ENABLE_CLEAR) };
}

/** Why a firmware whose tcg_operations lists nothing cannot clear: the gate's and the request's words. */
export function noOperationMessage(opsFile: string, version: string | null): string {
  return `The firmware implements no physical-presence operation (${opsFile} is empty; firmware PPI ${version || 'version unknown'}), so it cannot clear the TPM at the next restart. Clear the TPM from the firmware setup screen, or with the lockout authorisation.`;
}

/** Asks the firmware, through the kernel's PPI files, to clear the TPM at the next restart. */
export async function requestLinuxPpiClear(target: LinuxPpiTarget = {}): Promise<PpiRequestResult> {
  const files = target.files ?? nodeSysfs;
  const { dir, version } = await findPpi(target, files);
  const opsFile = path.join(dir, 'tcg_operations');
  const opsText = await readOptional(files, opsFile);
  const ops = opsText === undefined ? undefined : parseOperations(opsText);
  if (ops !== undefined && ops.size === 0) {
    // The kernel lists only the operations the firmware implements (tpm_ppi.c, show_ppi_operations):
    // nothing listed, nothing to ask for. Writing would only end in EPERM from the firmware.
    // The gate refuses this first (preflight/rights.ts, from the same files); kept for callers
    // that request without a gate.
    throw new PpiError('refused-by-firmware', noOperationMessage(opsFile, version));
  }
  const { operation, support } = chooseOperation(target.operation, ops);
  if (support) {
    const refusal = refusalFor(operation, support);
    if (refusal)
      throw new PpiError('refused-by-firmware', `${refusal} (firmware PPI ${version || 'version unknown'})`);
  }
  const confirmation = support === 'user-required' || support === 'user-not-required' ? support : 'unknown';
  const requestFile = path.join(dir, 'request');
  if (target.dryRun) {
    return {
      platform: 'linux',
      operation,
      dryRun: true,
      pending: null,
      transition: null,
      version: version || null,
      confirmation,
      message: `Dry run: would write ${operation} to ${requestFile}.`,
    };
  }
  try {
    await files.write(requestFile, `${operation}\n`);
  } catch (e) {
    throw writeError(requestFile, operation, e);
  }
  let pending: number;
  try {
    pending = leadingNumber(requestFile, await files.read(requestFile));
  } catch (e) {
    throw e instanceof PpiError ? e : readError(requestFile, e);
  }
  if (pending !== operation) {
    throw new PpiError(
      'not-kept',
      `The firmware accepted physical-presence operation ${operation} but now reports ${pending === 0 ? 'no pending operation' : `operation ${pending}`} pending; nothing will happen at the restart.`,
    );
  }
  const actionFile = path.join(dir, 'transition_action');
  const actionText = await readOptional(files, actionFile);
  // No transition_action (older kernels): the firmware's need is unknown, never assumed a restart.
  const transition = actionText === undefined ? null : transitionOf(leadingNumber(actionFile, actionText));
  const prompt =
    confirmation === 'user-not-required'
      ? 'The firmware will clear the TPM without asking.'
      : 'Someone must be at the machine to accept the firmware prompt; if nobody accepts it, the TPM is not cleared.';
  return {
    platform: 'linux',
    operation,
    dryRun: false,
    pending,
    transition,
    version: version || null,
    confirmation,
    message: `Physical-presence operation ${operation} is pending. ${transition?.instruction ?? UNKNOWN_TRANSITION_INSTRUCTION} ${prompt}`,
  };
}

/**
 * The response file: "<op> 0: Success", "<op> 0xFFFFFFF0: User Abort", "<op> 0xFFFFFFF1: BIOS
 * Failure", "<op> <n>: Corresponding TPM error", "<op> <n>: Error", or "0: No Recent Request".
 */
export function parseSysfsResponse(text: string): PpiResponse {
  const line = text.trim().split('\n')[0] ?? '';
  const m = /^(\d+)(?:\s+(0x[0-9a-fA-F]+|\d+))?:/.exec(line);
  if (!m)
    throw new PpiError(
      'unexpected-output',
      `Expected "<operation> <result>: <text>" in the PPI response, got "${line.slice(0, 80)}".`,
    );
  const operation = Number(m[1]);
  if (m[2] === undefined) {
    if (operation !== 0)
      throw new PpiError(
        'unexpected-output',
        `The PPI response names operation ${operation} without a result: "${line}".`,
      );
    return responseOf(0, 0);
  }
  return responseOf(operation, Number(m[2]));
}

/** After the restart: what the firmware did with the last request. */
export async function readLinuxPpiResponse(
  target: Omit<LinuxPpiTarget, 'operation' | 'dryRun'> = {},
): Promise<PpiResponse> {
  const files = target.files ?? nodeSysfs;
  const { dir } = await findPpi(target, files);
  const file = path.join(dir, 'response');
  let text: string;
  try {
    text = await files.read(file);
  } catch (e) {
    throw readError(file, e);
  }
  return parseSysfsResponse(text);
}

/**
 * The operation pending now, read back without writing anything: the `request` file ("<op>", or
 * "<op> <param>" for op 23; "0" when none). Throws a PpiError when it cannot be read.
 */
export async function readLinuxPendingPpiRequest(
  target: Omit<LinuxPpiTarget, 'operation' | 'dryRun'> = {},
): Promise<number> {
  const files = target.files ?? nodeSysfs;
  const problems: string[] = [];
  for (const dir of ppiDirCandidates(target)) {
    const file = path.join(dir, 'request');
    let text: string;
    try {
      text = await files.read(file);
    } catch (e) {
      problems.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    return leadingNumber(file, text);
  }
  throw new PpiError('unexpected-output', `Could not read the pending request: ${problems.join('; ')}`);
}
