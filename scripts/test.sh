#!/usr/bin/env bash
# Runs every test: setup first (so a fresh machine needs nothing else), then the
# vitest suites, the Python protocol-conformance suites, and a final check that
# no probebook program is left loaded. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
bash scripts/setup-tests.sh || { echo "test setup failed"; echo "0 passed, 1 failed"; exit 1; }

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# 1. vitest (TypeScript: units, native, runtime, kernel over ZeroMQ)
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
vitest_rc=$?

# 2. Python suites (jupyter_kernel_test, nbclient, jupyter-server clients)
/usr/bin/python3 test/run_python_tests.py --json "$results/python.json"
python_rc=$?

# 3. Nothing outlives its owner: no program of ours may remain loaded.
node scripts/check-leftovers.mjs --json "$results/leftovers.json"

# 4. The kernel suite on other kernels (test/guest/kernels.txt) in qemu guests:
#    one result file per kernel, a guest that crashed or timed out counts as failed.
mkdir -p "$results/guest"
node scripts/guest/test-kernels.mjs --json-dir "$results/guest"
guest_rc=$?

node scripts/sum-results.mjs --vitest-rc "$vitest_rc" "$results/vitest.json" "$results/python.json" "$results/leftovers.json" "$results"/guest/*.json
summary_rc=$?
if ((vitest_rc != 0 || python_rc != 0 || guest_rc != 0 || summary_rc != 0)); then exit 1; fi
