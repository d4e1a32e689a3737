/**
 * Boots a qemu guest (Debian's kernel, plain TCG emulation) with a TPM: one swtpm per boot
 * behind qemu's tpm-tis or tpm-crb device, the host's root shared read-only over 9p, and a
 * script from this repository run in the guest (see initramfs.ts). The guest's serial console is
 * qemu's standard output; the script marks its results there. Every process started here is
 * stopped by its PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildInitramfs } from './initramfs.js';

export const QEMU_PACKAGES = 'apt-get install qemu-system-x86 ovmf linux-image-amd64 busybox-static';

export interface GuestSetup {
  kernel: string;
  kernelVersion: string;
  initramfs: string;
  dir: string;
}

/** Fails (never skips) when a package is missing, with the line that installs it. */
export function prepareGuest(): GuestSetup {
  const missing: string[] = [];
  if (!existsSync('/usr/bin/qemu-system-x86_64')) missing.push('qemu-system-x86');
  if (!existsSync('/usr/share/OVMF/OVMF_CODE_4M.fd')) missing.push('ovmf');
  if (!existsSync('/bin/busybox')) missing.push('busybox-static');
  const versions = existsSync('/boot')
    ? readdirSync('/boot')
        .filter((f) => f.startsWith('vmlinuz-'))
        .map((f) => f.slice('vmlinuz-'.length))
        .filter((v) => existsSync(path.join('/lib/modules', v, 'kernel/fs/9p/9p.ko')))
    : [];
  if (versions.length === 0) missing.push('linux-image-amd64');
  if (missing.length > 0) {
    throw new Error(
      `the qemu checks need ${missing.join(', ')}: ${QEMU_PACKAGES} (scripts/install-os-packages.sh)`,
    );
  }
  const kernelVersion = versions.sort().at(-1)!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tpm-doctor-qemu-'));
  const initramfs = path.join(dir, 'initramfs.cpio');
  buildInitramfs(initramfs, kernelVersion);
  return { kernel: path.join('/boot', `vmlinuz-${kernelVersion}`), kernelVersion, initramfs, dir };
}

export function removeGuest(setup: GuestSetup | undefined): void {
  if (setup) rmSync(setup.dir, { recursive: true, force: true });
}

export interface BootOptions {
  device: 'tpm-tis' | 'tpm-crb';
  /** Absolute path (on the host, hence in the guest's /host chroot) of the script to run. */
  script: string;
  /** One word passed to the script as $1. */
  arg: string;
  cpus?: number;
  /** A swtpm state folder to start from (copied), e.g. one provisioned with EK certificates. */
  stateFrom?: string;
  /**
   * 'seabios' (qemu's default; its PPI implements no operation) or 'ovmf' (UEFI, with a PPI
   * that asks at the next boot). Under OVMF the guest may reboot (the script exits 100).
   */
  firmware?: 'seabios' | 'ovmf';
  /** A host folder shared read-write with the guest at /tmp/state (kept across guest reboots). */
  shared?: string;
  /**
   * Answers the firmware's physical-presence prompt with this key, sent through the qemu monitor
   * (OVMF's serial console has no mapping for F12: an escape sequence arrives as ESC).
   */
  ppiKey?: 'f12' | 'esc';
  timeoutMs: number;
}

export interface GuestRun {
  console: string;
  exitCode: number | null;
  elapsedMs: number;
}

export async function bootGuest(setup: GuestSetup, options: BootOptions): Promise<GuestRun> {
  const dir = mkdtempSync(path.join(setup.dir, `${options.device}-`));
  const socket = path.join(dir, 'swtpm.sock');
  if (options.stateFrom) cpSync(options.stateFrom, dir, { recursive: true });
  // No startup-clear: SeaBIOS, the guest's firmware, sends TPM2_Startup itself.
  const swtpm = spawn(
    'swtpm',
    ['socket', '--tpm2', '--tpmstate', `dir=${dir}`, '--ctrl', `type=unixio,path=${socket}`],
    { stdio: 'ignore' },
  );
  const started: ChildProcess[] = [swtpm];
  const t0 = Date.now();
  try {
    while (!existsSync(socket)) {
      if (swtpm.exitCode !== null) throw new Error(`swtpm exited (${swtpm.exitCode}) before it listened`);
      if (Date.now() - t0 > 10_000) throw new Error('swtpm did not create its control socket');
      await new Promise((r) => setTimeout(r, 20));
    }
    const ovmf = options.firmware === 'ovmf';
    const monitor = path.join(dir, 'monitor.sock');
    const firmware: string[] = [];
    if (ovmf) {
      const vars = path.join(dir, 'OVMF_VARS_4M.fd');
      cpSync('/usr/share/OVMF/OVMF_VARS_4M.fd', vars);
      firmware.push(
        '-drive',
        'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
        '-drive',
        `if=pflash,format=raw,unit=1,file=${vars}`,
        '-monitor',
        `unix:${monitor},server=on,wait=off`,
      );
    }
    const shared = options.shared
      ? ['-virtfs', `local,path=${options.shared},mount_tag=state,security_model=none`]
      : [];
    const qemu = spawn(
      'qemu-system-x86_64',
      [
        ...firmware,
        ...shared,
        '-accel',
        'tcg',
        '-cpu',
        'max',
        '-smp',
        String(options.cpus ?? 2),
        '-m',
        '1024',
        '-nographic',
        ...(ovmf ? [] : ['-no-reboot']),
        '-nodefaults',
        '-serial',
        'stdio',
        '-kernel',
        setup.kernel,
        '-initrd',
        setup.initramfs,
        '-append',
        // no_timer_check: under TCG on a loaded machine the kernel's IO-APIC timer check can miss
        // its ticks and panic ("IO-APIC + timer doesn't work!"); the check is for real hardware.
        `console=ttyS0 panic=-1 no_timer_check quiet loglevel=1 guest.script=${options.script} guest.arg=${options.arg}`,
        '-chardev',
        `socket,id=chrtpm,path=${socket}`,
        '-tpmdev',
        'emulator,id=tpm0,chardev=chrtpm',
        '-device',
        `${options.device},tpmdev=tpm0,ppi=on`,
        '-virtfs',
        'local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    started.push(qemu);
    let console = '';
    let answered = 0;
    qemu.stdout!.on('data', (b: Buffer) => {
      console += b.toString('latin1');
      // One answer per prompt: count the prompts seen so far.
      const prompts = console.match(/Press F12 /g)?.length ?? 0;
      if (options.ppiKey && prompts > answered) {
        answered = prompts;
        void sendMonitor(monitor, `sendkey ${options.ppiKey}`);
      }
    });
    qemu.stderr!.on('data', (b: Buffer) => (console += b.toString('latin1')));
    const exitCode = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => qemu.kill('SIGKILL'), options.timeoutMs);
      qemu.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    return { console: console.replace(/\r/g, ''), exitCode, elapsedMs: Date.now() - t0 };
  } finally {
    for (const child of started.reverse()) await stop(child);
  }
}

/** One command to qemu's human monitor over its unix socket. */
async function sendMonitor(socket: string, command: string): Promise<void> {
  // The prompt is printed before the firmware waits for a key: give it a moment to start waiting.
  await new Promise((r) => setTimeout(r, 1500));
  await new Promise<void>((resolve) => {
    const connection = net.connect(socket, () => {
      connection.write(`${command}\n`);
      setTimeout(() => connection.end(), 500);
    });
    connection.on('close', () => resolve());
    connection.on('error', () => resolve());
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The blocks the guest script printed between "@@BEGIN name" and "@@END name rc". */
export function blocks(console: string): Map<string, { text: string; rc: number }> {
  const found = new Map<string, { text: string; rc: number }>();
  const re = /^@@BEGIN (\S+)\n([\s\S]*?)^@@END \1 (\d+)$/gm;
  for (const m of console.matchAll(re)) found.set(m[1]!, { text: m[2]!, rc: Number(m[3]) });
  return found;
}
