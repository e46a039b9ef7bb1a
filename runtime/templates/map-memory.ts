// What a spec's maps will take of the kernel's memory once loaded, worked out
// before anything is allocated, so a probe over the memory budget is refused
// without the kernel preallocating (say) a 2^20-key per-CPU hash first. It
// follows the kernel's allocations (kernel/bpf/hashtab.c, arraymap.c,
// ringbuf.c, stackmap.c) closely enough for that; the budget itself counts
// what the kernel reports once the maps exist (host/bpf-memory.ts).
import type { TemplateDescriptor } from "../../bpf/descriptor.js";
import type { LoadableSpec } from "./load.js";

/** struct htab_elem before its key (list node, hash, padding). */
const HTAB_ELEM = 48;
/** The kernel's PERF_MAX_STACK_DEPTH frames of a stack_trace map value, when the descriptor has no value size. */
const STACK_VALUE = 127 * 8;
const PAGE = 4096;

const round8 = (n: number) => Math.ceil(n / 8) * 8;
const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/** Bytes the maps of `spec` (the descriptor's maps with the spec's sizes) take once loaded on `ncpu` possible CPUs. */
export function plannedMapBytes(descriptor: Pick<TemplateDescriptor, "maps">, sizes: LoadableSpec["maps"], ncpu: number): number {
  let total = 0;
  for (const [name, described] of Object.entries(descriptor.maps)) {
    if (name.startsWith(".")) continue; // .rodata, .bss: a page or so each
    const m = { ...described, ...sizes[name] };
    const entries = m.maxEntries ?? 1;
    const key = round8(m.keySize ?? 4);
    const value = round8(m.valueSize ?? (m.type === "stack_trace" ? STACK_VALUE : 8));
    switch (m.type) {
      case "ringbuf": total += entries + 2 * PAGE; break;
      case "array": total += entries * value; break;
      case "percpu_array": total += entries * (8 + value * ncpu); break;
      case "percpu_hash": total += pow2(entries) * 16 + entries * (HTAB_ELEM + key + 8 + value * ncpu); break;
      case "hash":
      case "lru_hash": total += pow2(entries) * 16 + (entries + ncpu) * (HTAB_ELEM + key + value); break;
      case "stack_trace": total += pow2(entries) * 8 + entries * (24 + value); break;
      default: total += entries * (key + value);
    }
  }
  return total;
}
