// Plans a function-events declaration (uprobe, uretprobe, USDT, kprobe, fentry)
// onto the uprobe_events template: checks the target (the binary exists and
// defines the symbol; the kernel can attach the hook kind), lays out the
// values after the header and picks the program variant.
import { join } from "node:path";
import { packageRoot } from "../../../native/load.js";
import { closestNames } from "../../spec/closest-names.js";
import type { FunctionEventsDeclaration, ProbeValue, ProbeValueType } from "../../spec/declaration.js";
import { readUsdtNotes, type UsdtNote } from "../../host/usdt-notes.js";
import type { FeatureSource } from "../../host/features.js";
import { probeFeature, requireFeature } from "../../host/features.js";
import { PlanError } from "../../spec/errors.js";
import type { PidNamespace } from "../../host/pid-namespace.js";
import type { TracefsSource } from "../../host/tracefs.js";
import type { OutputColumn } from "../columns.js";
import { columnType, integerKind } from "../columns.js";
import type { UprobeEventsConfig, UpValuePlan } from "./layout.js";
import { UPROBE_EVENTS, uprobeEventsDescriptor, uprobeHeaderColumns } from "./layout.js";
import { HEADER_COLUMN_NAMES } from "../probe-header.js";
import { kernelHook, requireKernelFunction, tracepointAlternative } from "../../planner/kernel-alternatives.js";
import { planFilter } from "../../planner/filter.js";
import { checkDuration, checkLimit, checkPidFilter, ringSize, STRING_MAX } from "../../planner/checks.js";
import { checkBinary, checkSymbol } from "../../planner/user-functions.js";
import type { ProbeAttach } from "../../runs/attach.js";


export interface RingEventsInstance {
  template: string;
  object: string;
  /** For messages: "uprobe /usr/lib/x86_64-linux-gnu/libc.so.6:lldiv". */
  target: string;
  programs: string[];
  attachTargets?: Record<string, string>;
  rodata: Record<string, unknown>;
  maps: Record<string, { maxEntries: number }>;
  attach: ProbeAttach[];
  ring: { map: string; recordSize: number; pollMs: number; batchRows: number };
  counters: { drops: string; seen: string };
  columns: OutputColumn[];
  durationMs: number;
  limit?: number;
}

export interface FunctionEventsInstance extends RingEventsInstance {
  template: "uprobe_events";
  rodata: { cfg: UprobeEventsConfig };
}

const POLL_MS = 20, BATCH_ROWS = 4096;

function bad(message: string, details: Record<string, unknown> = {}): PlanError {
  return new PlanError("BAD_DECLARATION", message, details);
}

const INT_TYPES: Record<Exclude<ProbeValueType, "string">, [size: number, signed: boolean]> = {
  int: [4, true], uint: [4, false], long: [8, true], ulong: [8, false], s8: [1, true], u8: [1, false],
  s16: [2, true], u16: [2, false], s32: [4, true], u32: [4, false], s64: [8, true], u64: [8, false], pointer: [8, false],
};

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

function planValues(decl: FunctionEventsDeclaration, canRet: boolean, maxArg: number, strKind: "UP_VALUE_USER_STR" | "UP_VALUE_KERNEL_STR") {
  if (!Array.isArray(decl.values)) throw bad(`values must be a list such as [{ name: "n", arg: 0, type: "long" }]`);
  if (decl.values.length > UPROBE_EVENTS.maxValues)
    throw bad(`at most ${UPROBE_EVENTS.maxValues} values per event, got ${decl.values.length}`);
  const values: UpValuePlan[] = [];
  const columns: OutputColumn[] = [];
  const seen = new Set(HEADER_COLUMN_NAMES);
  let dst = UPROBE_EVENTS.headerSize;
  for (const v of decl.values as ProbeValue[]) {
    if (!v || typeof v.name !== "string" || !/^[A-Za-z_]\w*$/.test(v.name))
      throw bad(`each value needs a name (a column name), got ${JSON.stringify(v)}`);
    if (seen.has(v.name)) throw bad(`value "${v.name}" clashes with another column (${[...seen].join(", ")})`);
    seen.add(v.name);
    if (v.retval) {
      if (!canRet) throw bad(`value "${v.name}": the return value exists only at a function's return: use retprobe: true`);
    } else if (!Number.isInteger(v.arg) || v.arg! < 0 || v.arg! > maxArg) {
      throw bad(`value "${v.name}": arg must be an argument position from 0 to ${maxArg}, got ${JSON.stringify(v.arg)}`);
    } else if (canRet && decl.source.type !== "usdt") {
      throw bad(`value "${v.name}": arguments are read at function entry; at the return their registers are gone. ` +
        `Probe the entry (retprobe: false) for arguments.`);
    }
    const source = v.retval ? "UP_SRC_RETVAL" : "UP_SRC_ARG";
    const index = v.retval ? 0 : v.arg!;
    if (v.type === "string") {
      values.push({ dst_off: dst, max_len: STRING_MAX, source, kind: strKind, index });
      columns.push({ name: v.name, offset: dst, kind: "cstring", length: STRING_MAX, type: "string", origin: "char *" });
      dst += STRING_MAX;
      continue;
    }
    const int = INT_TYPES[v.type as Exclude<ProbeValueType, "string">];
    if (!int) throw bad(`value "${v.name}": unknown type ${JSON.stringify(v.type)} (known: ${[...Object.keys(INT_TYPES), "string"].join(", ")})`);
    const kind = integerKind(int[0], int[1], v.type === "pointer")!;
    // Every integer gets an 8-byte slot (the whole register); the column reads its low bytes (little-endian).
    values.push({ dst_off: dst, max_len: 0, source, kind: "UP_VALUE_INT", index });
    columns.push({ name: v.name, offset: dst, kind, type: columnType(kind), origin: v.type });
    dst += 8;
  }
  return { values, columns, eventSize: Math.ceil(dst / 8) * 8 };
}

/** Offsets in struct pt_regs of the argument registers and the return value's (x86-64: rdi,
 *  rsi, rdx, rcx, r8, r9; rax). A predicate reads the register at probe time, like func_arg(). */
const PT_REGS: Partial<Record<string, { args: number[]; retval: number }>> = {
  x64: { args: [112, 104, 96, 88, 72, 64], retval: 80 },
};

/** A `where` field of a function probe: one of its integer values, compared in its register. */
function registerField(values: readonly ProbeValue[], name: string, at: string,
  regs: { args: number[]; retval: number }, target: string) {
  const v = values.find((x) => x.name === name);
  const ints = values.filter((x) => x.type !== "string").map((x) => x.name);
  if (!v)
    throw new PlanError("UNKNOWN_FIELD", `${at}: ${target} has no value "${name}"; where compares integer values declared ` +
      `with .args()/values (${ints.length ? ints.join(", ") : "none declared"})`, { field: name, values: ints });
  if (v.type === "string")
    throw new PlanError("UNSUPPORTED_FIELD", `${at}: "${name}" is a string; where compares integers (${ints.join(", ")})`, { field: name });
  const [size, signed] = INT_TYPES[v.type as Exclude<ProbeValueType, "string">];
  // little-endian: the low `size` bytes of the 8-byte register are the C value
  return { offset: v.retval ? regs.retval : regs.args[v.arg!]!, size, signed };
}

export function planFunctionEvents(decl: FunctionEventsDeclaration, tracefs: TracefsSource, pidns: PidNamespace,
  features: FeatureSource = probeFeature): FunctionEventsInstance {
  const src = decl.source as unknown as Record<string, unknown> | undefined;
  if (!src || typeof src !== "object") throw bad(`source must be an object such as { type: "uprobe", binary, symbol }`);
  checkDuration(decl.durationMs);
  checkLimit(decl.limit);
  // pid as before (its message and range); the rest in the kernel through bpf/filter.h
  const pid = checkPidFilter(decl.filter && { pid: decl.filter.pid }, "function events");
  const P = UPROBE_EVENTS.programs;
  let program: string, target: string, attach: ProbeAttach, canRet = false, maxArg = 5;
  let strKind: "UP_VALUE_USER_STR" | "UP_VALUE_KERNEL_STR" = "UP_VALUE_USER_STR";
  const attachTargets: Record<string, string> = {};
  switch (decl.source.type) {
    case "uprobe": {
      const s = decl.source;
      const binary = checkBinary(s.binary, "uprobe");
      const symbol = checkSymbol(binary, s.symbol, "uprobe");
      requireFeature("uprobe", "Use a tracepoint instead.", features);
      canRet = s.retprobe === true;
      program = canRet ? P.uretprobe : P.uprobe;
      target = `${canRet ? "uretprobe" : "uprobe"} ${binary}:${symbol}`;
      attach = { kind: "uprobe", program, binary, symbol, retprobe: canRet, ...(pid ? { pid } : {}) };
      break;
    }
    case "usdt": {
      const s = decl.source;
      const binary = checkBinary(s.binary, "usdt");
      for (const k of ["provider", "name"] as const)
        if (typeof s[k] !== "string" || !/^\w+$/.test(s[k]))
          throw bad(`usdt on ${binary}: ${k} must be a probe's ${k} (letters, digits, _), got ${JSON.stringify(s[k])}`);
      checkUsdtProbe(binary, s.provider, s.name);
      requireFeature("usdt", "Use a uprobe on the function around the probe instead.", features);
      program = P.usdt;
      target = `usdt ${binary}:${s.provider}:${s.name}`;
      attach = { kind: "usdt", program, binary, provider: s.provider, name: s.name, ...(pid ? { pid } : {}) };
      break;
    }
    case "kprobe":
    case "fentry": {
      const s = decl.source, fn = s.function, asked = s.type;
      if (typeof fn !== "string" || !/^\w+$/.test(fn)) throw bad(`${asked}: function must be a kernel function name`);
      canRet = s.type === "kprobe" && s.retprobe === true;
      // fentry sees an entry's arguments by position as a kprobe does; not a return (fexit would need
      // the argument count) nor a where on argument registers (those are the kprobe's pt_regs)
      const hook = kernelHook(asked, features, () => tracepointAlternative(fn, tracefs), !canRet && !decl.filter?.where);
      requireKernelFunction(fn);
      strKind = "UP_VALUE_KERNEL_STR";
      if (hook === "fentry") {
        program = P.fentry;
        target = asked === "fentry" ? `fentry ${fn}` : `fentry ${fn} (for kprobe: this kernel has BPF trampolines, which cost less)`;
        attachTargets[program] = fn;
        attach = { kind: "trace", program };
      } else {
        program = canRet ? P.kretprobe : P.kprobe;
        target = asked === "kprobe" ? `${canRet ? "kretprobe" : "kprobe"} ${fn}` : `kprobe ${fn} (fentry is not available here)`;
        attach = { kind: "kprobe", program, function: fn, retprobe: canRet };
      }
      break;
    }
    default:
      throw bad(`unknown function source type ${JSON.stringify(src.type)} (known: "uprobe", "usdt", "kprobe", "fentry")`);
  }
  const { values, columns, eventSize } = planValues(decl, canRet, maxArg, strKind);
  const registers = decl.source.type === "uprobe" || decl.source.type === "kprobe" ? PT_REGS[process.arch] : undefined;
  const filter = planFilter(decl.filter, {
    supported: registers ? ["pid", "tid", "comm", "uid", "cgroup", "where", "sample"] : ["pid", "tid", "comm", "uid", "cgroup", "sample"],
    what: registers ? `${target}` : `${target} (where compares argument registers of uprobes and kprobes only)`,
    resolveField: (name, at) => registerField(decl.values, name, at, registers!, target),
  }, pidns);
  const ringBytes = ringSize(eventSize);
  const cfg: UprobeEventsConfig = {
    event_size: eventSize,
    nvalues: values.length,
    wakeup_bytes: ringBytes / 4,
    filter,
    values,
  };
  return {
    template: "uprobe_events",
    object: join(packageRoot(), uprobeEventsDescriptor.object),
    target,
    programs: [program],
    ...(Object.keys(attachTargets).length ? { attachTargets } : {}),
    rodata: { cfg },
    maps: { [UPROBE_EVENTS.ringMap]: { maxEntries: ringBytes } },
    attach: [attach],
    ring: { map: UPROBE_EVENTS.ringMap, recordSize: eventSize, pollMs: POLL_MS, batchRows: BATCH_ROWS },
    counters: { drops: UPROBE_EVENTS.dropsMap, seen: UPROBE_EVENTS.seenMap },
    columns: [...uprobeHeaderColumns(), ...columns],
    durationMs: decl.durationMs,
    ...(decl.limit !== undefined ? { limit: decl.limit } : {}),
  };
}
