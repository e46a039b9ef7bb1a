#!/usr/bin/env bash
# Build the N-API addon (native/build/Release/probebook_bpf.node) against the
# system Node headers (/usr/include/node) and the system libbpf. Reconfigures
# only when binding.gyp changed; make then rebuilds only what is stale.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/native"
# --nodedir=/usr: headers from the Debian package; no download (no internet here).
if [[ ! -f build/Makefile || binding.gyp -nt build/Makefile ]]; then
  npx --no-install node-gyp configure --nodedir=/usr --loglevel=warn
fi
exec npx --no-install node-gyp build --nodedir=/usr --loglevel=warn "$@"
