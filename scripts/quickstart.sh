#!/usr/bin/env bash
# Quick start, step 1: install everything and run tpm-doctor on a throwaway software TPM.
#   ./scripts/quickstart.sh [tpm-doctor arguments...]   (default: status --tpm lab:)
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
  set -- status --tpm lab:
fi
exec node dist/tpm-doctor.cjs "$@"
