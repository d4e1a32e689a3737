#!/usr/bin/env bash
# Installs the OS packages tpm-doctor's lab and tests need: swtpm and swtpm-tools (the software
# TPM and its provisioning tool), tpm2-tools (the reference peer the tests compare against) and
# socat (tests expose swtpm as a character device through a pty to test the device: transport) and
# postgresql (the fleet store's tests start a throwaway server per test file from its binaries in
# /usr/lib/postgresql/*/bin; the package's own cluster service is not used), and for the qemu
# checks (test/qemu/: a Linux guest with the kernel's TPM driver in front of swtpm) qemu-system-x86,
# ovmf (the UEFI firmware), linux-image-amd64 (the guest's kernel and its 9p modules) and
# busybox-static (the guest's initramfs), chromium (the console's browser tests drive Debian's
# Chromium through playwright-core: test/console/; fonts-ipafont-gothic, a Japanese font, so the
# Japanese HTML report is laid out with real glyphs: test/fleet/triage/), and wine64 (test/exe/ runs tpm-doctor.exe, the
# Windows single executable, under Wine; Debian puts its loader at /usr/lib/wine/wine64, off PATH).
# Idempotent: does nothing when they are already there. Debian/Ubuntu (apt-get) only; elsewhere
# it says what to install and fails.
#
#   ./scripts/install-os-packages.sh              what the lab needs (swtpm, swtpm-tools): the
#                                                 quick start's demo, `--tpm lab:` and `--tenant lab`
#   ./scripts/install-os-packages.sh --for-tests  all of the above, for the test suite (.ci/run)
set -euo pipefail

for_tests=false
case "${1:-}" in
  --for-tests) for_tests=true ;;
  '') ;;
  *) echo "usage: $0 [--for-tests]" >&2; exit 2 ;;
esac

needed=()
command -v swtpm >/dev/null 2>&1 || needed+=(swtpm)
command -v swtpm_setup >/dev/null 2>&1 || needed+=(swtpm-tools)
if [ "$for_tests" = true ]; then
  command -v tpm2_getcap >/dev/null 2>&1 || needed+=(tpm2-tools)
  command -v socat >/dev/null 2>&1 || needed+=(socat)
  # Debian keeps initdb and postgres off PATH, under /usr/lib/postgresql/VERSION/bin.
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || needed+=(postgresql)
  command -v qemu-system-x86_64 >/dev/null 2>&1 || needed+=(qemu-system-x86)
  [ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || needed+=(ovmf)
  compgen -G '/lib/modules/*/kernel/fs/9p/9p.ko*' >/dev/null && compgen -G '/boot/vmlinuz-*' >/dev/null ||
    needed+=(linux-image-amd64)
  # The initramfs needs a static busybox (the guest has no host libraries before 9p is mounted).
  { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || needed+=(busybox-static)
  [ -x /usr/bin/chromium ] || needed+=(chromium)
  fc-list :lang=ja 2>/dev/null | grep -q . || needed+=(fonts-ipafont-gothic)
  # test/exe/intunewin.test.ts opens the Intune package with independent tools.
  command -v unzip >/dev/null 2>&1 || needed+=(unzip)
  command -v openssl >/dev/null 2>&1 || needed+=(openssl)
  { command -v wine64 >/dev/null 2>&1 || command -v wine >/dev/null 2>&1 || [ -x /usr/lib/wine/wine64 ]; } ||
    needed+=(wine64)
fi
if [ ${#needed[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "tpm-doctor: missing ${needed[*]}; install them with your package manager" >&2
  echo "  (Fedora: dnf install swtpm swtpm-tools tpm2-tools postgresql-server qemu-system-x86 edk2-ovmf kernel-core busybox chromium google-noto-sans-cjk-fonts wine unzip openssl;" >&2
  echo "   Arch: pacman -S swtpm tpm2-tools postgresql qemu-system-x86 edk2-ovmf linux busybox chromium noto-fonts-cjk wine unzip openssl)" >&2
  exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "tpm-doctor: missing ${needed[*]} and not root; run as root: apt-get install -y ${needed[*]}" >&2
    exit 1
  fi
fi

echo "tpm-doctor: installing ${needed[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${needed[@]}" >/dev/null; then
  # A fresh machine may have stale or empty package lists.
  "${sudo[@]}" apt-get update >/dev/null
  "${sudo[@]}" apt-get install -y --no-install-recommends "${needed[@]}" >/dev/null
fi
