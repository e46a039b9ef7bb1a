// Plans tls() onto the tls template: where the probes go (every library and
// statically linked binary that defines SSL_read/SSL_write, from the host's
// facts), an entry and a return probe on each function found, with a cookie
// that says which function of which library; then either records of the
// plaintext (events) or the keyed aggregation of agg_common.h.
import type { HostFacts } from "../../host/facts.js";
import { TLS_FUNCTIONS, type TlsDiscovery, type TlsLibrary } from "../../host/tls-libraries.js";
import type { AggregateDeclaration, FieldPredicate, Filter, TlsEventsDeclaration, TlsSource } from "../../spec/declaration.js";
import { PlanError } from "../../spec/errors.js";
import type { ProbeAttach } from "../attach-point.js";
import type { RingEventsInstance } from "../ring-spec.js";
import { columnType, integerKind } from "../columns.js";
import { BATCH_ROWS, checkDuration, checkLimit, checkPid, POLL_MS, ringSize } from "../../planner/checks.js";
import { FILTER_KEYS, planFilter } from "../../planner/filter.js";
import type { AggregationInstance, KeySpec } from "../../planner/aggregation.js";
import { aggMaps, aggPlan, checkCommon, COMMON_KEYS, keyedInstance, layoutKeys, planValue } from "../../planner/aggregation.js";
import { TLS, TLS_EVENT_SIZE, TLS_VALUES, tlsColumns, tlsDescriptor, tlsValue, type TlsConfig, type TlsValueName } from "./layout.js";

/** Bytes of plaintext a record keeps by default: a TLS record's largest plaintext (RFC 8446, 5.1). */
export const DEFAULT_CAP = 16384;

export interface TlsEventsInstance extends RingEventsInstance {
  template: "tls";
  rodata: { cfg: TlsConfig };
  /** The library (or binary) of each cookie's index: the `library` column names them. */
  libraries: string[];
  cap: number;
}

function bad(message: string, details: Record<string, unknown> = {}): PlanError {
  return new PlanError("BAD_DECLARATION", message, details);
}

const FUNCTION_NAMES: Record<number, string> = Object.fromEntries(TLS_FUNCTIONS.map((f, i) => [i, f]));
const DIRECTION_NAMES: Record<number, string> = { 0: "read", 1: "write" };

/** Names of the integer columns that read as words. */
export function tlsKeyNames(libraries: readonly string[]): Record<string, Readonly<Record<number, string>>> {
  return { direction: DIRECTION_NAMES, function: FUNCTION_NAMES, library: Object.fromEntries(libraries.map((l, i) => [i, l])) };
}

function checkSource(src: TlsSource | undefined): TlsSource {
  if (!src || typeof src !== "object" || src.type !== "tls") throw bad(`source must be { type: "tls" }`);
  if (src.binary !== undefined && (typeof src.binary !== "string" || !src.binary.startsWith("/")))
    throw bad(`tls: binary must be an absolute path such as "/usr/lib/x86_64-linux-gnu/libssl.so.3", got ${JSON.stringify(src.binary)}`);
  if (src.capBytes !== undefined && (!Number.isInteger(src.capBytes) || src.capBytes < 1 || src.capBytes > TLS.capMax))
    throw bad(`tls: capBytes must be a whole number of bytes from 1 to ${TLS.capMax}, got ${JSON.stringify(src.capBytes)}`);
  return src;
}

/** Why nothing can be probed, for people: what was looked at and what was found instead. */
function nothingToProbe(found: TlsDiscovery, src: TlsSource, filter: Filter): PlanError {
  const details = { elsewhere: found.elsewhere, without: found.without, processes: found.processes };
  const go = found.elsewhere.find((e) => e.what === "Go's crypto/tls");
  const others = [...new Set(found.elsewhere.filter((e) => e !== go).map((e) => `${e.what} (${e.path})`))];
  const instead = go ? ` ${go.path} is a Go program: Go's crypto/tls is written in Go and calls no OpenSSL function, ` +
      "so tls() has nothing to probe there (Go TLS would need uprobes on crypto/tls.(*Conn).Read/Write, which are not offered)."
    : others.length ? ` It uses ${others.join(", ")} instead: tls() reads OpenSSL's libssl only.` : "";
  if (src.binary !== undefined) {
    const why = found.without[0]?.reason ?? "it defines none of the functions";
    return new PlanError("NO_TLS_LIBRARY", `tls: nothing to probe in ${src.binary}: ${why}.${go ? "" : ` tls() probes ${TLS_FUNCTIONS.join(", ")}.`}`, details);
  }
  if (filter.pid !== undefined) {
    const p = found.processes[0];
    return new PlanError("NO_TLS_LIBRARY", `tls: pid ${filter.pid}${p ? ` (${p.comm})` : ""} maps no OpenSSL libssl and does not ` +
      `link OpenSSL statically.${instead}${instead ? "" : " Is it using TLS at all? A program that loads libssl later " +
      "(dlopen) has it in /proc/PID/maps only from then on; tls({ binary }) names a library outright."}`, details);
  }
  if (filter.comm !== undefined && found.processes.length > 0)
    return new PlanError("NO_TLS_LIBRARY", `tls: no process named ${JSON.stringify(filter.comm)} maps OpenSSL's libssl ` +
      `(looked at pids ${found.processes.map((p) => p.pid).join(", ")}), and the loader's search path has none.${instead}`, details);
  return new PlanError("NO_TLS_LIBRARY", "tls: no OpenSSL libssl in the dynamic loader's search path (/etc/ld.so.cache) " +
    "nor in any running process: install libssl3, or name a library or binary with tls({ binary }).", details);
}

/** The libraries to probe for a declaration (an error that teaches when there are none). */
function librariesOf(src: TlsSource, filter: Filter, facts: HostFacts): TlsLibrary[] {
  const pid = checkPid(filter.pid);
  if (filter.comm !== undefined && typeof filter.comm !== "string") throw bad(`filter.comm must be a command name`);
  const found = facts.tlsLibraries({
    ...(src.binary !== undefined ? { binary: src.binary } : pid !== undefined ? { pid } : filter.comm ? { comm: filter.comm } : {}),
  });
  if (found.missingPid !== undefined)
    throw new PlanError("UNKNOWN_PROCESS", `tls: there is no process ${found.missingPid} (it may have exited)`, { pid: found.missingPid });
  if (found.missingBinary !== undefined)
    throw new PlanError("UNKNOWN_BINARY", `tls: ${found.missingBinary} does not exist.`, { binary: found.missingBinary });
  if (found.libraries.length === 0) throw nothingToProbe(found, src, filter);
  if (found.libraries.length > 0xffff) throw bad(`tls: ${found.libraries.length} libraries; at most 65535 are probed at once`);
  return found.libraries;
}

/** An entry and a return probe on every function of every library; the cookie says which (bpf/tls.h). */
function attachPoints(libraries: TlsLibrary[], pid: number | undefined): ProbeAttach[] {
  const out: ProbeAttach[] = [];
  libraries.forEach((lib, i) => {
    for (const fn of lib.functions) {
      const cookie = TLS_FUNCTIONS.indexOf(fn) | (i << 8);
      for (const [program, retprobe] of [[TLS.programs.entry, false], [TLS.programs.ret, true]] as const)
        out.push({ kind: "uprobe", program, binary: lib.hostPath, symbol: fn, retprobe, cookie, ...(pid ? { pid } : {}) });
    }
  });
  return out;
}

/** "SSL_read, SSL_write, SSL_read_ex, SSL_write_ex in /usr/lib/.../libssl.so.3 (maps of pid 12)", with what is missing. */
function describeLibraries(libraries: TlsLibrary[]): string {
  return libraries.map((l) => {
    const missing = TLS_FUNCTIONS.filter((f) => !l.functions.includes(f));
    return `${l.path}${l.executable ? " (statically linked)" : ""}` +
      (missing.length ? ` without ${missing.join(", ")}${missing.every((f) => f.endsWith("_ex")) ? " (an OpenSSL before 1.1.1, or BoringSSL)" : ""}` : "");
  }).join("; ");
}

/** `where` on direction and function by name ("write", "SSL_read_ex") as the integers the kernel compares. */
function namedWhere(filter: Filter): Filter {
  if (!filter.where) return filter;
  const names: Record<string, Record<string, number>> = {
    direction: { read: 0, write: 1 },
    function: Object.fromEntries(TLS_FUNCTIONS.map((f, i) => [f, i])),
  };
  const where = filter.where.map((p): FieldPredicate => {
    const table = names[p.field];
    if (!table || typeof p.value !== "string" || /^-?(0x[0-9a-f]+|\d+)$/i.test(p.value)) return p;
    const n = table[p.value];
    if (n === undefined) throw bad(`where ${p.field}: ${JSON.stringify(p.value)} is not one of ${Object.keys(table).join(", ")}`);
    return { ...p, value: n };
  });
  return { ...filter, where };
}

function planTlsFilter(filter: Filter, what: string, facts: HostFacts) {
  return planFilter(namedWhere(filter), {
    supported: FILTER_KEYS, what,
    resolveField: (name, at) => {
      if (!(TLS_VALUES as readonly string[]).includes(name))
        throw new PlanError("UNKNOWN_FIELD", `${at}: tls() has no value "${name}"; where compares ${TLS_VALUES.join(", ")}`,
          { field: name, fields: [...TLS_VALUES] });
      return tlsValue(name as TlsValueName);
    },
  }, facts.pidNamespace);
}

function baseConfig(): Omit<TlsConfig, "filter" | "agg" | "aggregate" | "cap" | "wakeup_bytes"> {
  return { _pad: [0, 0, 0] };
}

/** An empty agg_plan: the events instance folds nothing. */
function noAggregation(): TlsConfig["agg"] {
  return { key_size: 8, nkeys: 0, nslots: 0, snapshots: 0, hist: "AGG_HIST_NONE", sub_bits: 0, _pad: 0, lin_min: 0n, lin_step: 0n,
    value: { src_off: 0, size: 0, is_signed: 0, _pad: 0 }, keys: [] } as unknown as TlsConfig["agg"];
}

export function planTlsEvents(decl: TlsEventsDeclaration, facts: HostFacts): TlsEventsInstance {
  checkDuration(decl.durationMs);
  checkLimit(decl.limit);
  const src = checkSource(decl.source);
  const filter = decl.filter ?? {};
  if (typeof filter !== "object" || filter === null) throw bad(`filter must be an object such as { pid: 1234 }`);
  const libraries = librariesOf(src, filter, facts);
  const cap = src.capBytes ?? DEFAULT_CAP;
  const recordSize = TLS_EVENT_SIZE + cap;
  // sized for ~16k records of a kilobyte (a record takes a size class of what a call moved, not the cap), and 8 of the largest
  const ringBytes = Math.min(64 << 20, Math.max(ringSize(TLS_EVENT_SIZE + 1024), 2 ** Math.ceil(Math.log2(8 * (recordSize + 8)))));
  const target = `tls: ${describeLibraries(libraries)}`;
  const cfg: TlsConfig = {
    ...baseConfig(),
    filter: planTlsFilter(filter, "tls()", facts),
    agg: noAggregation(),
    cap,
    aggregate: 0,
    wakeup_bytes: ringBytes / 4,
  };
  return {
    template: "tls",
    object: tlsDescriptor.object,
    target,
    rodata: { cfg },
    // the aggregation maps stay at their smallest: nothing is folded
    maps: { [TLS.ringMap]: { maxEntries: ringBytes }, ...aggMaps(8, 0, 1) },
    attach: attachPoints(libraries, filter.pid),
    ring: { map: TLS.ringMap, recordSize, pollMs: POLL_MS, batchRows: BATCH_ROWS },
    counters: { drops: TLS.dropsMap },
    runSwitch: TLS.runSwitch,
    columns: tlsColumns(cap),
    durationMs: decl.durationMs,
    ...(decl.limit !== undefined ? { limit: decl.limit } : {}),
    libraries: libraries.map((l) => l.path),
    cap,
  };
}

/** Keys of a tls() aggregation beyond the task's: the call's direction, function and library. */
function valueKey(name: "direction" | "function" | "library"): KeySpec {
  const v = tlsValue(name);
  const kind = integerKind(v.size, false)!;
  return { column: name, src: "AGG_SRC_FIELD", srcOff: v.offset, size: v.size, align: v.size,
    decode: { kind, type: columnType(kind), origin: "struct tls_values" } };
}

export function planTlsAggregate(decl: AggregateDeclaration, facts: HostFacts): AggregationInstance {
  const src = checkSource(decl.source as TlsSource);
  if (src.capBytes !== undefined) throw bad(`tls: capBytes is for events (the aggregation copies no bytes)`);
  const value = decl.value as AggregateDeclaration["value"] | undefined;
  if (!value || typeof value !== "object") throw bad(`value must be an object such as { op: "sum", field: "len" }`);
  const v = planValue(value, true);
  const maxKeys = checkCommon(decl, v.nslots, facts.possibleCpus);
  const filter = decl.filter ?? {};
  if (typeof filter !== "object" || filter === null) throw bad(`filter must be an object such as { pid: 1234 }`);
  const libraries = librariesOf(src, filter, facts);

  let folded = { src_off: 0, size: 0, is_signed: 0 }, unit = "";
  if (value.op !== "count") {
    const field = (value as { field?: unknown }).field;
    if (field !== "len" && field !== "captured" && field !== "ret")
      throw new PlanError("UNKNOWN_FIELD", `value.field: tls() folds len, captured or ret, got ${JSON.stringify(field)}`,
        { field, fields: ["len", "captured", "ret"] });
    const s = tlsValue(field);
    folded = { src_off: s.offset, size: s.size, is_signed: s.signed ? 1 : 0 };
    unit = "bytes";
  }
  const keySpec = (name: string): KeySpec => {
    if (name === "direction" || name === "function" || name === "library") return valueKey(name);
    const common = COMMON_KEYS[name];
    if (common) return common;
    throw new PlanError("UNKNOWN_FIELD", `key "${name}": tls() aggregations key by ${[...Object.keys(COMMON_KEYS), "direction", "function", "library"].join(", ")}`,
      { field: name });
  };
  const layout = layoutKeys(decl.keys.map(keySpec));
  const what = `tls(): ${describeLibraries(libraries)}`;
  const cfg: TlsConfig = {
    ...baseConfig(),
    filter: planTlsFilter(filter, "tls()", facts),
    agg: aggPlan(layout, v, folded, decl.everyMs !== undefined),
    cap: DEFAULT_CAP,
    aggregate: 1,
    wakeup_bytes: 0,
  };
  const instance = keyedInstance({
    template: "tls", object: tlsDescriptor.object, target: what, decl, value, v, layout, stackNames: [], maxKeys, unit,
    cfg, attach: attachPoints(libraries, filter.pid),
  });
  // the ring stays at its smallest: no records
  return { ...instance, maps: { ...instance.maps, [TLS.ringMap]: { maxEntries: 4096 } }, keyNames: tlsKeyNames(libraries.map((l) => l.path)) };
}
