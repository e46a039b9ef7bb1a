#!/usr/bin/env bash
# Build the BPF template catalog (bpf/build/*.bpf.o) and regenerate the
# TypeScript descriptors (bpf/generated/*.ts) from the objects' BTF.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
make -C "$root/bpf" --no-print-directory "$@"
bash "$root/scripts/gen-min-btf.sh"
node "$root/scripts/gen-bpf-descriptors.mjs"
