#!/bin/sh
# Runs inside a qemu guest under OVMF (see guest-checks.sh for the output format): the
# physical-presence clear end to end, across guest reboots. /tmp/state is a host folder shared
# read-write, kept across reboots; exit code 100 asks the guest's init for a reboot.
# $1: the repository folder.
repo=$1
state=/tmp/state
cli() { node "$repo/dist/tpm-doctor.cjs" "$@"; }
run() {
  name=$1
  shift
  "$@" >/tmp/out 2>/tmp/err
  rc=$?
  echo "@@BEGIN $name"
  cat /tmp/out
  echo "@@END $name $rc"
  echo "@@BEGIN $name.stderr"
  cat /tmp/err
  echo "@@END $name.stderr $rc"
}
export TPM2TOOLS_TCTI=device:/dev/tpmrm0
boot=$(($(cat $state/boots 2>/dev/null || echo 0) + 1))
echo "$boot" >$state/boots
resets=$(tpm2_readclock | sed -n 's/^ *reset_count: *//p')
echo "@@BOOT $boot resetCount=$resets"
if [ ! -e $state/requested ]; then
  # The proof checks that the reset counter fell: keep it at 2 or more before the clear.
  if [ "${resets:-0}" -lt 2 ]; then exit 100; fi
  run setup-objects sh -c 'tpm2_createprimary -C o -g sha256 -G ecc -c /tmp/primary.ctx >/dev/null &&
    tpm2_evictcontrol -C o -c /tmp/primary.ctx 0x81000005 >/dev/null'
  run before cli status --json
  run clear-ppi cli clear --method ppi --purpose decommission --yes --json \
    --acknowledge rights.clear-authorization --state-dir $state/tpm-doctor
  cp /tmp/out $state/clear.json
  run ppi-request cat /sys/class/tpm/tpm0/ppi/request
  touch $state/requested
  exit 100
fi
run ppi-response cat /sys/class/tpm/tpm0/ppi/response
run_id=$(sed -n 's/^ *"runId": "\([^"]*\)".*/\1/p' $state/clear.json | head -n 1)
run resume cli resume "$run_id" --yes --json --state-dir $state/tpm-doctor
# How the run ended, as `runs` lists it: the same word resume printed.
run runs cli runs --json --state-dir $state/tpm-doctor
run after cli status --json
run ppi-request-after cat /sys/class/tpm/tpm0/ppi/request
if [ "$(cat $state/key 2>/dev/null)" = esc ]; then
  # The firmware keeps the platform hierarchy to itself: OVMF leaves it enabled (phEnable set)
  # with a random platformAuth, so the empty value is refused (TPM_RC_BAD_AUTH). The platform
  # clear is then refused by the gate, nothing written.
  run platform-auth tpm2_hierarchycontrol -C p phEnable clear
  run clear-platform cli clear --method platform --purpose decommission --yes --json \
    --state-dir /tmp/state-platform
  run state-platform sh -c 'find /tmp/state-platform -type f | wc -l'
fi
