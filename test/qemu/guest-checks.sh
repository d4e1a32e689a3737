#!/bin/sh
# Runs inside the qemu guest, in a chroot to the host's root (read-only over 9p; /tmp is the
# guest's own tmpfs): tpm-doctor and tpm2-tools against the kernel's TPM driver. Results go to
# the serial console between "@@BEGIN name" and "@@END name rc" lines, timings as
# "@@TIME name ms"; test/qemu/kernel-tpm.test.ts reads and checks them.
# $1: the repository folder (its dist/tpm-doctor.cjs is the CLI under test).
repo=$1
cli() { node "$repo/dist/tpm-doctor.cjs" "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
run() {
  name=$1
  shift
  t0=$(ms)
  "$@" >/tmp/out 2>/tmp/err
  rc=$?
  t1=$(ms)
  echo "@@BEGIN $name"
  cat /tmp/out
  echo "@@END $name $rc"
  echo "@@BEGIN $name.stderr"
  cat /tmp/err
  echo "@@END $name.stderr $rc"
  echo "@@TIME $name $((t1 - t0))"
}
export TPM2TOOLS_TCTI=device:/dev/tpmrm0
NV_DA=0x01400100

# The state to read: a persistent owner key (a stale object for diagnose) and an owner NV index.
run setup-objects sh -c '
  tpm2_createprimary -C o -g sha256 -G ecc -c /tmp/primary.ctx >/dev/null &&
  tpm2_evictcontrol -C o -c /tmp/primary.ctx 0x81000005 >/dev/null &&
  tpm2_nvdefine 0x01800005 -C o -s 16 -a "ownerread|ownerwrite" >/dev/null'

# One reading through each path, then tpm2-tools' reading of the same facts, in the same guest.
run status-tpmrm0 cli status --json --tpm device:/dev/tpmrm0
run status-default cli status --json
run status-tpm0 cli status --json --tpm device:/dev/tpm0
run tools-fixed tpm2_getcap properties-fixed
run tools-variable tpm2_getcap properties-variable
run tools-pcrs tpm2_pcrread
run tools-persistent tpm2_getcap handles-persistent
run tools-nv tpm2_getcap handles-nv-index
run tools-fixed-tpm0 env TPM2TOOLS_TCTI=device:/dev/tpm0 tpm2_getcap properties-fixed

# Concurrent use of the resource manager: tpm-doctor status, again and again, while two
# tpm2-tools loops use /dev/tpmrm0. Every other run is real-time (SCHED_FIFO) on one CPU: the
# kernel queues the command on a worker of that CPU (drivers/char/tpm/tpm-dev-common.c), which
# cannot run before node's threads wait, so node's first read always comes before the command has
# started and gets 0 bytes. At normal priority the same happens now and then.
rm -f /tmp/stop
for loop in 1 2; do
  (
    n=0
    f=0
    while [ ! -e /tmp/stop ]; do
      tpm2_getcap properties-variable >/dev/null 2>>/tmp/load-errors || f=$((f + 1))
      tpm2_getrandom 16 >/dev/null 2>>/tmp/load-errors || f=$((f + 1))
      n=$((n + 2))
    done
    echo "$n $f" >"/tmp/load-$loop"
  ) &
done
i=1
while [ "$i" -le "${CONCURRENT_RUNS:-6}" ]; do
  priority=
  [ $((i % 2)) -eq 0 ] && priority="chrt -f 10 taskset -c 1"
  run "concurrent-$i" sh -c "$priority node '$repo/dist/tpm-doctor.cjs' status --json --tpm device:/dev/tpmrm0 >/dev/null"
  i=$((i + 1))
done
touch /tmp/stop
wait
echo "@@BEGIN load"
cat /tmp/load-1 /tmp/load-2 /tmp/load-errors 2>/dev/null
echo "@@END load 0"

# The lockout clear through the resource manager (no lockout auth set: the empty value), proven.
run clear-lockout cli clear --tpm device:/dev/tpmrm0 --method lockout --purpose decommission --yes --json --state-dir /tmp/state
run after-clear cli status --json --tpm device:/dev/tpmrm0

# The physical-presence clear under SeaBIOS: its PPI implements no operation (tcg_operations is
# empty), so the clear must end in a clear error with nothing written to ppi/request.
run ppi-files sh -c 'cd /sys/class/tpm/tpm0/ppi && for f in version tcg_operations request; do echo "$f=$(tr "\n" ";" <$f)"; done'
run clear-ppi-seabios cli clear --tpm device:/dev/tpmrm0 --method ppi --purpose decommission --yes --json \
  --acknowledge rights.clear-authorization --state-dir /tmp/state-ppi
run ppi-request-after cat /sys/class/tpm/tpm0/ppi/request

# Stale persistent objects and disableClear made with tpm2-tools (the same script the host runs
# against swtpm): diagnose must find here what it finds there.
run make-stale sh "$repo/test/qemu/make-stale-state.sh" /tmp
run diagnose-state cli diagnose --json --tpm device:/dev/tpmrm0

# A busy /dev/tpm0 (this shell holds it open: the raw device takes one client at a time): diagnose
# says why nothing could be read, as status does.
run diagnose-busy sh -c "exec 3<>/dev/tpm0 && node '$repo/dist/tpm-doctor.cjs' diagnose --json --tpm device:/dev/tpm0"

# A dictionary-attack lockout made with tpm2-tools, then diagnose.
run make-lockout sh -c "
  tpm2_dictionarylockout -s -n 2 -t 600 -l 1200 &&
  tpm2_nvdefine $NV_DA -C o -s 8 -a 'authread|authwrite' -p right >/dev/null &&
  printf 12345678 >/tmp/eight && tpm2_nvwrite $NV_DA -C $NV_DA -P right -i /tmp/eight &&
  ! tpm2_nvread $NV_DA -C $NV_DA -P wrong -s 8 2>/dev/null &&
  ! tpm2_nvread $NV_DA -C $NV_DA -P wrong -s 8 2>/dev/null"
run diagnose-lockout cli diagnose --json --tpm device:/dev/tpmrm0
