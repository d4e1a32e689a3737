#!/usr/bin/env bash
# Quick start, step 1: install everything, then show the whole story on lab parts, no TPM and no
# tenant needed:
#  1. one device: diagnose a throwaway software TPM put into a real broken state: keys left by a
#     previous owner (which tempt an admin to clear) and a dictionary-attack lockout (which makes
#     a clear the wrong fix);
#  2. the fleet: triage a LAB Intune tenant (2,000 simulated devices on a loopback Graph), then a
#     sync campaign for the devices that stopped syncing, paced under Intune's Graph limits and
#     tracked until they are compliant again (a few never recover: that is part of the lab).
#   ./scripts/quickstart.sh [tpm-doctor arguments...]   (runs just those arguments instead)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 16) ? 0 : 1)'; then
  echo "tpm-doctor needs Node.js 20.16 or newer (https://nodejs.org, or apt-get install nodejs npm)" >&2
  exit 1
fi
./scripts/install-os-packages.sh
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
if [ $# -gt 0 ]; then
  exec node dist/tpm-doctor.cjs "$@"
fi

# Exit codes (docs/exit-codes.md) that mean the demo worked: diagnose exits 6/7 when it finds
# problems; a campaign exits 16 when some devices did not recover (the lab has such devices).
run() {
  local ok="$1"
  shift
  echo
  echo "\$ tpm-doctor $*"
  local code=0
  node dist/tpm-doctor.cjs "$@" || code=$?
  case " $ok " in *" $code "*) ;; *) echo "quickstart: tpm-doctor $1 exited $code" >&2; exit "$code" ;; esac
}

demo="$(mktemp -d "${TMPDIR:-/tmp}/tpm-doctor-quickstart.XXXXXX")"
store="sqlite:$demo/fleet.sqlite"
lab=(--tenant lab --lab-devices 2000 --lab-window-ms 2000)

run "0 6 7" diagnose --tpm lab:stale-objects,lockout
run "0" fleet triage "${lab[@]}" --store "$store"
run "0" fleet triage "${lab[@]}" --no-store --quiet --format html --out "$demo/triage.html"
run "0 16" fleet sync "${lab[@]}" --store "$store" --class sync-stale --deadline 20s --poll 1s
echo
echo "quickstart: done. The fleet report for a manager: $demo/triage.html; campaign state: $demo/fleet.sqlite"
echo "            (tpm-doctor fleet status --store $store)"
echo "            In a browser, on loopback: node dist/tpm-doctor.cjs console --store $store --tenant lab"

