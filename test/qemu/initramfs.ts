/**
 * The guest's initramfs, built by the harness: busybox (static) as /bin/busybox, the virtio and
 * 9p modules of the installed Debian kernel, and an /init that mounts the host's root read-only
 * over 9p at /host, runs the script named on the kernel command line inside a chroot to /host
 * (so the host's node, the built CLI and tpm2-tools run unchanged), and powers the guest off.
 * Written as an uncompressed cpio "newc" archive (the kernel's initramfs format,
 * Documentation/driver-api/early-userspace/buffer-format.rst), so no cpio tool is needed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Load order matters: each module needs the ones before it. */
const MODULES = [
  'drivers/virtio/virtio_ring.ko',
  'drivers/virtio/virtio.ko',
  'drivers/virtio/virtio_pci_legacy_dev.ko',
  'drivers/virtio/virtio_pci_modern_dev.ko',
  'drivers/virtio/virtio_pci.ko',
  'fs/netfs/netfs.ko',
  'fs/fscache/fscache.ko',
  'net/9p/9pnet.ko',
  'net/9p/9pnet_virtio.ko',
  'fs/9p/9p.ko',
];

const INIT = `#!/bin/busybox sh
export PATH=/bin
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /host
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /modules/*.ko; do insmod "$m" 2>/dev/null; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro host /host || echo "@@FATAL no 9p"
mount -t proc proc /host/proc
mount -t sysfs sys /host/sys
mount -t devtmpfs dev /host/dev
for word in $(cat /proc/cmdline); do
  case "$word" in guest.script=*) script="\${word#guest.script=}" ;; guest.arg=*) arg="\${word#guest.arg=}" ;; esac
done
# The guest's /tmp is a tmpfs of its own; the host's /tmp stays reachable at /hosttmp, and a
# repository checked out under the host's /tmp (a CI clone) is bound back at its own path, so the
# script and the CLI are found where the host has them.
mkdir -p /hosttmp
mount -o bind /host/tmp /hosttmp
mount -t tmpfs tmp /host/tmp
case "$script" in
  /tmp/*) top="\${script#/tmp/}"; top="\${top%%/*}"
    mkdir -p "/host/tmp/$top" && mount -o bind "/hosttmp/$top" "/host/tmp/$top" ;;
esac
# A read-write share (mount tag "state"), when the harness gives one, keeps files across reboots;
# the systemd unit folder gets a tmpfs so a resume unit can be installed on the read-only root.
mkdir -p /host/tmp/state
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 state /host/tmp/state 2>/dev/null
mount -t tmpfs units /host/etc/systemd/system
echo "@@GUEST-UP $(cut -d' ' -f1 /proc/uptime)"
HOME=/tmp PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin chroot /host /bin/sh "$script" "$arg"
done=$?
echo "@@GUEST-DONE $done"
sync
# Exit code 100: the script asks for a reboot (qemu then keeps the same swtpm and firmware).
if [ "$done" = 100 ]; then umount /host/tmp/state 2>/dev/null; reboot -f; fi
poweroff -f
`;

export function buildInitramfs(out: string, kernelVersion: string): void {
  const entries: CpioEntry[] = [
    { name: 'bin', mode: 0o40755 },
    { name: 'modules', mode: 0o40755 },
    { name: 'bin/busybox', mode: 0o100755, data: readFileSync('/bin/busybox') },
    { name: 'init', mode: 0o100755, data: Buffer.from(INIT) },
  ];
  MODULES.forEach((module, i) => {
    const data = readFileSync(path.join('/lib/modules', kernelVersion, 'kernel', module));
    entries.push({
      name: `modules/${String(i).padStart(2, '0')}-${path.basename(module)}`,
      mode: 0o100644,
      data,
    });
  });
  writeFileSync(out, cpioNewc(entries));
}

interface CpioEntry {
  name: string;
  mode: number;
  data?: Buffer;
}

function cpioNewc(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  const pad = () => {
    const n = (4 - (offset % 4)) % 4;
    if (n) push(Buffer.alloc(n));
  };
  const all = [...entries, { name: 'TRAILER!!!', mode: 0 }];
  all.forEach((entry, ino) => {
    const data = entry.data ?? Buffer.alloc(0);
    const name = Buffer.from(`${entry.name}\0`);
    const fields = [ino + 1, entry.mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length, 0];
    push(Buffer.from(`070701${fields.map((f) => f.toString(16).padStart(8, '0')).join('')}`));
    push(name);
    pad();
    push(data);
    pad();
  });
  return Buffer.concat(parts);
}
