#!/usr/bin/env bash
# For every bpf/build/<template>.bpf.o, writes bpf/build/<template>.min.btf:
# the few vmlinux BTF types its CO-RE relocations need (bpftool gen min_core_btf).
# The native loader passes it as btf_custom_path, so libbpf relocates against a
# few hundred bytes instead of parsing all of /sys/kernel/btf/vmlinux (~5 MB,
# 7-20 ms) on every load. Regenerated when the object or the kernel's BTF is
# newer than it; the loader ignores a min.btf older than its object.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vmlinux=/sys/kernel/btf/vmlinux
bpftool=${BPFTOOL:-bpftool}
[[ -r $vmlinux ]] || { echo "gen-min-btf: $vmlinux is missing: the loader will use full kernel BTF" >&2; exit 0; }
for obj in "$root"/bpf/build/*.bpf.o; do
  [[ -e $obj ]] || continue
  out="${obj%.bpf.o}.min.btf"
  [[ -e $out && $out -nt $obj && $out -nt $vmlinux ]] && continue
  "$bpftool" gen min_core_btf "$vmlinux" "$out.tmp" "$obj" >/dev/null
  mv "$out.tmp" "$out"
  echo "  MINBTF   ${out#"$root"/} ($(stat -c %s "$out") bytes)"
done
