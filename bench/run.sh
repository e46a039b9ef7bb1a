#!/usr/bin/env bash
# npm run bench: builds everything (scripts/setup.sh, then the floor), installs
# tslab into a temp dir for the kernel comparisons when npm can fetch it, and
# runs bench/main.mjs. REPS=N (default 5), BENCH_QUICK=1 (CI: 1 rep, short
# loops), BENCH_ONLY=attach,overhead,throughput,kernel.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ ${BENCH_SKIP_SETUP:-0} == 1 ]] || bash scripts/setup.sh
# the tls rows: a loop of SSL_write (OpenSSL's headers) on a certificate made by openssl
source scripts/lib/debian-packages.sh
[[ ${BENCH_SKIP_SETUP:-0} == 1 ]] || ensure_packages bench openssl libssl-dev
make -C bench --no-print-directory

# tslab is a peer, never a dependency of the project: it lives in a temp dir.
tslab_dir=${BENCH_TSLAB_DIR:-/tmp/probebook-bench-tslab}
if [[ ! -x $tslab_dir/node_modules/.bin/tslab && ${BENCH_NO_TSLAB:-0} != 1 ]]; then
  echo "bench: installing tslab into $tslab_dir (peer for the kernel rows)"
  mkdir -p "$tslab_dir"
  [[ -f $tslab_dir/package.json ]] || echo '{"name":"probebook-bench-tslab","private":true}' > "$tslab_dir/package.json"
  timeout 300 npm install --prefix "$tslab_dir" --no-audit --no-fund --loglevel=error tslab@1 >/dev/null 2>&1 \
    || echo "bench: tslab did not install; its columns stay empty"
fi
export BENCH_TSLAB_DIR=$tslab_dir

exec node bench/main.mjs
