#!/usr/bin/env bash
# Builds the demonstration workloads cells may start by name (workloads/build/:
# the catalog's C programs and their launcher). make rebuilds only what is stale.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec make -C "$root/workloads" --no-print-directory "$@"
