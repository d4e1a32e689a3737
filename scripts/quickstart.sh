#!/usr/bin/env bash
# Quick start, step 1: install everything and run tpm-doctor on a throwaway software TPM that
# is put into a real broken state: keys left by a previous owner (which tempt an admin to clear)
# and a dictionary-attack lockout (which makes a clear the wrong fix).
#   ./scripts/quickstart.sh [tpm-doctor arguments...]   (default: diagnose --tpm lab:stale-objects,lockout)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "tpm-doctor needs Node.js 20 or newer (https://nodejs.org, or apt-get install nodejs npm)" >&2
  exit 1
fi
./scripts/install-os-packages.sh
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
if [ $# -eq 0 ]; then
  set -- diagnose --tpm lab:stale-objects,lockout
fi
node dist/tpm-doctor.cjs "$@" || code=$?
# diagnose exits 6/7 when it finds problems (docs/exit-codes.md): that is the demo working.
case "${code:-0}" in 0|6|7) exit 0 ;; *) exit "$code" ;; esac
