#!/usr/bin/env bash
# The kernel suite, run inside the guest by test-kernels.mjs (through
# init.sh and job.sh): the guest suites with the real probebook code against
# the guest kernel's verifier, each writing its results to /pb-results for
# the host to add up. The repository is the host's, read through 9p; writes
# land in the guest's tmpfs overlay.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=/pb-results
step() { echo "pb-guest: $* ($(cut -d' ' -f1 /proc/uptime) s)" > /dev/ttyS0; echo "== $*"; }

uname -r > "$out/release"
step "vitest"
npx vitest run --config vitest.guest.config.ts --reporter=default --reporter=json --outputFile.json="$out/vitest.json" ${PB_GUEST_FILTER:-}
echo $? > "$out/vitest.rc"
step "python (nbclient)"
/usr/bin/python3 test/run_python_tests.py --under test/guest --json "$out/python.json"
step "leftover check"
node scripts/check-leftovers.mjs --json "$out/leftovers.json"
step "done"
