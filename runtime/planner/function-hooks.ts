// Where a function probe (uprobe, uretprobe, USDT, kprobe, kretprobe, fentry)
// goes, for every template that serves one (uprobe_events: one row per hit;
// agg_fn: aggregated in the kernel): the target is checked (the binary exists
// and defines the symbol or USDT probe, the kernel has the function), the
// hook kind is chosen, and each declared value is placed in the record the
// program reads.
import { closestNames } from "../spec/closest-names.js";
import type { FunctionSource, ProbeValue, ProbeValueType } from "../spec/declaration.js";
import { PlanError } from "../spec/errors.js";
import type { FeatureSource } from "../host/features.js";
import { requireFeature } from "../host/features.js";
import type { TracefsSource } from "../host/tracefs.js";
import { readUsdtNotes, type UsdtNote } from "../host/usdt-notes.js";
import type { ProbeAttach } from "../templates/attach-point.js";
import { kernelHook, requireKernelFunction, tracepointAlternative } from "./kernel-alternatives.js";
import { checkBinary, checkSymbol } from "./user-functions.js";

/** The hook kinds a function probe runs as. */
export type FunctionHookKind = "uprobe" | "uretprobe" | "usdt" | "kprobe" | "kretprobe" | "fentry";

/** Width and sign of each integer value type. */
export const INT_TYPES: Record<Exclude<ProbeValueType, "string">, [size: number, signed: boolean]> = {
  int: [4, true], uint: [4, false], long: [8, true], ulong: [8, false], s8: [1, true], u8: [1, false],
  s16: [2, true], u16: [2, false], s32: [4, true], u32: [4, false], s64: [8, true], u64: [8, false], pointer: [8, false],
};

/** Offsets in struct pt_regs of the argument registers and the return value's (x86-64: rdi,
 *  rsi, rdx, rcx, r8, r9; rax): a program reads the register at probe time, like func_arg(). */
export const PT_REGS: Partial<Record<string, { args: number[]; retval: number }>> = {
  x64: { args: [112, 104, 96, 88, 72, 64], retval: 80 },
};

export interface FunctionHook {
  kind: FunctionHookKind;
  /** For people and errors: "uprobe /usr/lib/x86_64-linux-gnu/libc.so.6:malloc". */
  target: string;
  /** Where it attaches (the template names the program). */
  attach: DistributiveOmit<Extract<ProbeAttach, { kind: "uprobe" | "usdt" | "kprobe" | "trace" }>, "program">;
  /** fentry: the kernel function, named before load. */
  fentryTarget?: string;
  /** At a return: the return value is there, the arguments are not. */
  atReturn: boolean;
  /** A kernel function: string values are kernel strings. */
  kernel: boolean;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function bad(message: string): PlanError {
  return new PlanError("BAD_DECLARATION", message);
}

/** The probe must be among the binary's stapsdt notes (when they can be read). */
function checkUsdtProbe(binary: string, provider: string, name: string): void {
  let notes: UsdtNote[];
  try {
    notes = readUsdtNotes(binary);
  } catch {
    return; // not ELF: libbpf's attach error will say so
  }
  if (notes.some((n) => n.provider === provider && n.name === name)) return;
  const all = [...new Set(notes.map((n) => `${n.provider}:${n.name}`))];
  const near = closestNames(`${provider}:${name}`, all);
  throw new PlanError("UNKNOWN_SYMBOL",
    `${binary} has no USDT probe ${provider}:${name}.` +
      (all.length === 0 ? " It defines no USDT probes (no .note.stapsdt notes: was it built with <sys/sdt.h>?)."
        : ` Closest: ${near.join(", ")}.`),
    { binary, provider, name, probes: all });
}

/**
 * Checks `source` and chooses its hook. A kernel function's entry runs as
 * fentry where the kernel has BPF trampolines and `fentryFits` (the probe
 * reads nothing fentry can't give), else as a kprobe; with neither, the error
 * names the tracepoint to use instead.
 */
export function functionHook(source: FunctionSource, pid: number | undefined, tracefs: TracefsSource, features: FeatureSource,
  fentryFits: boolean): FunctionHook {
  const src = source as unknown as Record<string, unknown> | undefined;
  if (!src || typeof src !== "object") throw bad(`source must be an object such as { type: "uprobe", binary, symbol }`);
  const onPid = pid ? { pid } : {};
  switch (source.type) {
    case "uprobe": {
      const binary = checkBinary(source.binary, "uprobe");
      const symbol = checkSymbol(binary, source.symbol, "uprobe");
      requireFeature("uprobe", "Use a tracepoint instead.", features);
      const ret = source.retprobe === true;
      return {
        kind: ret ? "uretprobe" : "uprobe", target: `${ret ? "uretprobe" : "uprobe"} ${binary}:${symbol}`,
        attach: { kind: "uprobe", binary, symbol, retprobe: ret, ...onPid }, atReturn: ret, kernel: false,
      };
    }
    case "usdt": {
      const binary = checkBinary(source.binary, "usdt");
      for (const k of ["provider", "name"] as const)
        if (typeof source[k] !== "string" || !/^\w+$/.test(source[k]))
          throw bad(`usdt on ${binary}: ${k} must be a probe's ${k} (letters, digits, _), got ${JSON.stringify(source[k])}`);
      checkUsdtProbe(binary, source.provider, source.name);
      requireFeature("usdt", "Use a uprobe on the function around the probe instead.", features);
      return {
        kind: "usdt", target: `usdt ${binary}:${source.provider}:${source.name}`,
        attach: { kind: "usdt", binary, provider: source.provider, name: source.name, ...onPid }, atReturn: false, kernel: false,
      };
    }
    case "kprobe":
    case "fentry": {
      const fn = source.function, asked = source.type;
      if (typeof fn !== "string" || !/^\w+$/.test(fn)) throw bad(`${asked}: function must be a kernel function name`);
      const ret = source.type === "kprobe" && source.retprobe === true;
      // fentry sees an entry's arguments by position as a kprobe does; not a return (fexit would need
      // the function's argument count)
      const hook = kernelHook(asked, features, () => tracepointAlternative(fn, tracefs), !ret && fentryFits);
      requireKernelFunction(fn);
      if (hook === "fentry")
        return {
          kind: "fentry", target: asked === "fentry" ? `fentry ${fn}` : `fentry ${fn} (for kprobe: this kernel has BPF trampolines, which cost less)`,
          attach: { kind: "trace" }, fentryTarget: fn, atReturn: false, kernel: true,
        };
      return {
        kind: ret ? "kretprobe" : "kprobe",
        target: asked === "kprobe" ? `${ret ? "kretprobe" : "kprobe"} ${fn}` : `kprobe ${fn} (fentry is not available here)`,
        attach: { kind: "kprobe", function: fn, retprobe: ret }, atReturn: ret, kernel: true,
      };
    }
    default:
      throw bad(`unknown function source type ${JSON.stringify(src.type)} (known: "uprobe", "usdt", "kprobe", "fentry")`);
  }
}

/** Checks one declared value against its hook: a name, an argument position at an entry, the return value at a return. */
/**
 * Checks one declared value against the hook. `argsAtReturn`: the template
 * saves a call's arguments at its entry for its return (uprobe_events), so a
 * return probe may show them; agg_fn reads them at the return's registers only.
 */
export function checkValue(v: ProbeValue, hook: FunctionHook, seen: Set<string>, maxArg = 5, argsAtReturn = false): void {
  if (!v || typeof v.name !== "string" || !/^[A-Za-z_]\w*$/.test(v.name))
    throw bad(`each value needs a name (a column name), got ${JSON.stringify(v)}`);
  if (seen.has(v.name)) throw bad(`value "${v.name}" clashes with another column (${[...seen].join(", ")})`);
  seen.add(v.name);
  if (v.retval) {
    if (!hook.atReturn) throw bad(`value "${v.name}": the return value exists only at a function's return: use retprobe: true`);
  } else if (!Number.isInteger(v.arg) || v.arg! < 0 || v.arg! > maxArg) {
    throw bad(`value "${v.name}": arg must be an argument position from 0 to ${maxArg}, got ${JSON.stringify(v.arg)}`);
  } else if (hook.atReturn && !argsAtReturn) {
    throw bad(`value "${v.name}": an aggregation of a return probe sees only the return value (the argument registers are gone ` +
      `by then). Aggregate the entry (uprobe/kprobe) by its arguments, or take .events() of the return probe, which shows them.`);
  }
  if (v.type !== "string" && !INT_TYPES[v.type as Exclude<ProbeValueType, "string">])
    throw bad(`value "${v.name}": unknown type ${JSON.stringify(v.type)} (known: ${[...Object.keys(INT_TYPES), "string"].join(", ")})`);
}

/** An integer value of a function probe as an offset in what its program reads: struct pt_regs
 *  (uprobe, uretprobe, kprobe, kretprobe), fentry's argument array, or the USDT arguments copied
 *  into an array (agg_fn); undefined where the template has no such record. */
export function valueSlot(v: ProbeValue, hook: FunctionHook, usdtArray: boolean): { offset: number; size: number; signed: boolean } | undefined {
  if (v.type === "string") return undefined;
  const [size, signed] = INT_TYPES[v.type as Exclude<ProbeValueType, "string">];
  // little-endian: the low `size` bytes of the 8-byte slot are the C value
  if (hook.kind === "fentry" || hook.kind === "usdt") {
    if (hook.kind === "usdt" && !usdtArray) return undefined;
    return v.retval ? undefined : { offset: 8 * v.arg!, size, signed };
  }
  const regs = PT_REGS[process.arch];
  if (!regs) return undefined;
  return { offset: v.retval ? regs.retval : regs.args[v.arg!]!, size, signed };
}

/** The UNKNOWN_FIELD error of a name that is not one of the probe's integer values. */
export function unknownValue(name: string, at: string, values: readonly ProbeValue[], target: string, role: string): PlanError {
  const ints = values.filter((x) => x.type !== "string").map((x) => x.name);
  return new PlanError("UNKNOWN_FIELD", `${at}: ${target} has no value "${name}"; ${role} integer values declared ` +
    `with .arg()/.returns() (${ints.length ? ints.join(", ") : "none declared"})`, { field: name, values: ints });
}
