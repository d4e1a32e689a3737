#!/bin/sh
# Makes the state `diagnose` is compared on, with tpm2-tools against $TPM2TOOLS_TCTI: three stale
# persistent owner keys (tpm2_createprimary + tpm2_evictcontrol) and disableClear set with the
# (empty) lockout authorisation. Run in the qemu guest (through /dev/tpmrm0) and on the host
# (swtpm over TCP), so both TPMs hold the same facts. $1: a scratch folder.
set -e
for handle in 0x81000010 0x81000011 0x81000012; do
  tpm2_createprimary -C o -g sha256 -G ecc -c "$1/stale.ctx" >/dev/null
  tpm2_evictcontrol -C o -c "$1/stale.ctx" "$handle" >/dev/null
  tpm2_flushcontext -t
done
tpm2_clearcontrol -C l s
