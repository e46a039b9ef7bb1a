#!/usr/bin/env bash
# Builds everything that is not checked in: BPF templates, the native addon, the
# demonstration workloads, the TypeScript sources, the sandbox bundle and the
# playground page. Each step skips work that is already up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build-bpf.sh
bash scripts/build-native.sh
bash scripts/build-workloads.sh
npx tsc -p tsconfig.json
node scripts/build-sandbox.mjs
node playground/build.mjs
