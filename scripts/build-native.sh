#!/usr/bin/env bash
# Build the N-API addon (native/build/Release/probebook_bpf.node) against the
# system Node headers (/usr/include/node) and the system libbpf.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/native"
# --nodedir=/usr: headers from the Debian package; no download (no internet here).
exec npx --no-install node-gyp rebuild --nodedir=/usr --loglevel=warn "$@"
