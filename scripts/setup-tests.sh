#!/usr/bin/env bash
# What only the tests need, on top of scripts/setup.sh (which `npm start` runs
# too and keeps lean): system packages for the guest kernel, the browser, the
# console tests. Called by scripts/test.sh. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-packages.sh

# One line per need, so that each suite's packages say why they are here.
packages=(
  # test/console: probebook in Debian's jupyter-console, driven in a tmux terminal;
  # test/kernel/launcher-exit: a console's kernel ends when that terminal closes
  jupyter-console tmux
  # test/playground: the playground's browser tests, Debian's Chromium driven by playwright-core
  chromium
  # npm run test:kernels: a second kernel (Debian's 6.1, fetched by apt-get download)
  # booted under qemu's software emulation with a busybox initramfs (cpio)
  qemu-system-x86 busybox-static cpio
  # test/runtime/runs/tls, the bench's tls rows: certificates made at test time (openssl, also
  # s_server/s_client), Debian's python3 whose ssl module links libssl3, OpenSSL's headers and
  # static libraries for the SSL_write loop (linked dynamically and statically), unshare(1)
  openssl libssl3 libssl-dev python3 util-linux
)
ensure_packages setup-tests "${packages[@]}"
