#!/usr/bin/env bash
# Prepares this machine for probebook: system packages, kernel filesystems,
# npm dependencies and every build step. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/debian-packages.sh

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# --- system packages (Debian 12) --------------------------------------------
# Build: clang/llvm for BPF, libbpf/libelf/zlib for the addon, bpftool for vmlinux.h.
# Tests and benchmarks: bpftrace (peer), <sys/sdt.h> for USDT workloads,
# rsvg-convert (plots rendered to PNG for a look), Jupyter's Python clients and servers.
packages=(
  clang-16 llvm-16 libbpf-dev libelf-dev zlib1g-dev pkg-config bpftool bpftrace
  systemtap-sdt-dev librsvg2-bin
  python3-jupyter-client python3-jupyter-kernel-test python3-nbclient python3-nbformat
  python3-jupyter-server jupyter-notebook
)
ensure_packages setup "${packages[@]}"

# --- kernel filesystems -------------------------------------------------------
# tracefs holds the tracepoint formats the planner reads; bpffs is not used for
# pinning (nothing is pinned: contract 3) but bpftool expects it.
mountpoint -q /sys/kernel/tracing || { log "mounting tracefs"; mount -t tracefs tracefs /sys/kernel/tracing; }
mountpoint -q /sys/fs/bpf || { log "mounting bpffs"; mount -t bpf bpf /sys/fs/bpf; }

# --- npm dependencies ---------------------------------------------------------
# Reinstall only when package-lock.json changed since the last install.
stamp=node_modules/.probebook-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# --- builds -------------------------------------------------------------------
bash scripts/build.sh
