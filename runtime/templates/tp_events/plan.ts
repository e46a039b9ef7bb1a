// Plans an events declaration of a classic tracepoint onto tp_events: the
// tracepoint's format (host facts), the filter, the common columns kept and
// the chosen fields laid out after them: plain, JSON-serialisable data
// (object, rodata values, map sizes, attach points, output columns).
import type { HostFacts } from "../../host/facts.js";
import { closestNames, editDistance } from "../../spec/closest-names.js";
import type { EventsDeclaration } from "../../spec/declaration.js";
import { FILTER_KEYS, planFilter } from "../../planner/filter.js";
import { PlanError } from "../../spec/errors.js";
import { currentPidNamespace, type PidNamespace } from "../../host/pid-namespace.js";
import type { TracefsSource, TracepointField, TracepointFormat } from "../../host/tracefs.js";
import { kernelTracefs, parseFormat } from "../../host/tracefs.js";
import type { OutputColumn } from "../columns.js";
import type { RunSwitch } from "../ring-spec.js";
import { columnType, integerKind } from "../columns.js";
import type { TpEventsConfig, TpFieldKind, TpFieldPlan } from "./layout.js";
import { COMMON_COLUMN_NAMES, headerLayout, TP_EVENTS, tpEventsDescriptor } from "./layout.js";
import type { TpStackPlan } from "./layout.js";
import type { StackColumnsPlan } from "../stack-columns.js";
import { isStackName, STACK_MAP_ENTRIES, STACK_NAMES } from "../stack-columns.js";
import { BATCH_ROWS, checkDuration, checkLimit, checkPid, POLL_MS, requestedRingSize, ringSize, STRING_MAX } from "../../planner/checks.js";

/** Largest event the planner lays out. */
export const MAX_EVENT_SIZE = 8192;

export interface TracepointAttach {
  kind: "tracepoint";
  program: string;
  category: string;
  event: string;
}

export interface SkippedField {
  name: string;
  cType: string;
  reason: string;
}

/** An instance of the tp_events template: everything needed to load and read it. */
export interface TpEventsInstance {
  template: "tp_events";
  /** The compiled object, relative to the package root (as its descriptor says; the loader resolves it). */
  object: string;
  program: string;
  /** "category:event" */
  tracepoint: string;
  /** .rodata variables by name, values by C member name. */
  rodata: { cfg: TpEventsConfig };
  /** max_entries set before load. */
  maps: Record<string, { maxEntries: number }>;
  attach: TracepointAttach[];
  ring: { map: string; recordSize: number; pollMs: number; batchRows: number };
  counters: { drops: string };
  /** Where the run's switch is (ring-spec.ts). */
  runSwitch: RunSwitch;
  /** Output columns in order: the common ones, the stack ids kept, then the chosen fields. */
  columns: OutputColumn[];
  /** Opt-in kstack/ustack columns: stack ids in `columns` that the runner names before closing. */
  stacks?: StackColumnsPlan;
  durationMs: number;
  limit?: number;
  /** Fields left out of an "every field" selection, and why. */
  skippedFields: SkippedField[];
}

export type TemplateInstance = TpEventsInstance;

function bad(message: string, details: Record<string, unknown> = {}): PlanError {
  return new PlanError("BAD_DECLARATION", message, details);
}

export function planEvents(decl: EventsDeclaration, facts: HostFacts): TpEventsInstance {
  const { tracefs, pidNamespace: pidns } = facts;
  checkCommon(decl);
  const format = findTracepoint(decl.source.name, tracefs);
  const tp = `${format.category}:${format.event}`;
  // every clause runs in the kernel, before a record is reserved (bpf/filter.h)
  const filter = planFilter(decl.filter, { format, supported: FILTER_KEYS, what: `the events of ${tp}` }, pidns);
  const { chosen, skipped } = chooseFields(decl.fields ?? [], format);
  const kept = commonColumns(decl.columns);
  const stackNames = STACK_NAMES.filter((n) => kept.includes(n));
  // user frames are named through the process's memory maps: a user stack brings its pid
  const headerKeep = kept.filter((c) => !isStackName(c));
  if (stackNames.includes("ustack") && !headerKeep.includes("pid")) headerKeep.push("pid");
  const header = headerLayout(headerKeep);
  const stacks = stackLayout(stackNames, header.size);
  const { fields, columns, eventSize } = layout(chosen, format, stacks.end);
  const ringBytes = decl.ringBytes !== undefined ? requestedRingSize(decl.ringBytes) : ringSize(eventSize, facts.possibleCpus);
  const cfg: TpEventsConfig = {
    event_size: eventSize,
    nfields: fields.length,
    // Wake the reader only for a backlog; it polls every POLL_MS for the rest.
    wakeup_bytes: ringBytes / 4,
    header: header.plan,
    filter,
    fields,
    ...(stacks.plan ? { stacks: stacks.plan } : {}),
  };
  return {
    template: "tp_events",
    object: tpEventsDescriptor.object,
    program: TP_EVENTS.program,
    tracepoint: `${format.category}:${format.event}`,
    rodata: { cfg },
    maps: {
      [TP_EVENTS.ringMap]: { maxEntries: ringBytes },
      ...(stacks.plan ? { [TP_EVENTS.stacksMap]: { maxEntries: STACK_MAP_ENTRIES } } : {}),
    },
    attach: [{ kind: "tracepoint", program: TP_EVENTS.program, category: format.category, event: format.event }],
    ring: { map: TP_EVENTS.ringMap, recordSize: eventSize, pollMs: POLL_MS, batchRows: BATCH_ROWS },
    counters: { drops: TP_EVENTS.dropsMap },
    runSwitch: TP_EVENTS.runSwitch,
    columns: [...header.columns, ...stacks.columns, ...columns],
    ...(stacks.plan ? { stacks: { map: TP_EVENTS.stacksMap, columns: stackNames, pidColumn: "pid" } } : {}),
    durationMs: decl.durationMs,
    ...(decl.limit !== undefined ? { limit: decl.limit } : {}),
    skippedFields: skipped,
  };
}

function checkCommon(decl: EventsDeclaration): void {
  const src = decl.source as { type?: unknown; name?: unknown } | undefined;
  if (!src || src.type !== "tracepoint")
    throw bad(`the events template reads tracepoints: source.type must be "tracepoint", got ${JSON.stringify(src?.type)}`);
  if (typeof src.name !== "string" || src.name === "")
    throw bad(`source.name must be a tracepoint name such as "syscalls:sys_enter_openat"`);
  if (!Array.isArray(decl.fields) || decl.fields.some((f) => typeof f !== "string"))
    throw bad(`fields must be a list of field names, got ${JSON.stringify(decl.fields)}`);
  checkDuration(decl.durationMs);
  checkLimit(decl.limit);
  const filter = decl.filter ?? {};
  if (typeof filter !== "object" || filter === null) throw bad(`filter must be an object such as { pid: 1234 }`);
  checkPid(filter.pid);
}

/** The stack id columns after the header: an s32 each (struct tp_stack_plan), and where the payload starts. */
function stackLayout(names: readonly string[], headerSize: number) {
  if (names.length === 0) return { columns: [] as OutputColumn[], end: headerSize, plan: undefined };
  const plan: TpStackPlan = { kstack: 0, ustack: 0, kstack_off: 0, ustack_off: 0 };
  const columns: OutputColumn[] = [];
  let at = headerSize;
  for (const n of names) {
    if (n === "kstack") Object.assign(plan, { kstack: 1, kstack_off: at });
    else Object.assign(plan, { ustack: 1, ustack_off: at });
    columns.push({ name: n, offset: at, kind: "s32", type: "int32", origin: "stack id" });
    at += 4;
  }
  return { columns, end: at, plan };
}

/** The common columns a declaration keeps (all when it doesn't say), checked; kstack and
 *  ustack (stack ids, named by the runner) only when asked for. */
function commonColumns(columns: unknown): readonly string[] {
  if (columns === undefined) return COMMON_COLUMN_NAMES;
  const known = [...COMMON_COLUMN_NAMES, ...STACK_NAMES];
  if (!Array.isArray(columns) || columns.some((c) => typeof c !== "string"))
    throw bad(`columns must be a list of common column names (${known.join(", ")}), got ${JSON.stringify(columns)}`);
  for (const c of columns as string[]) {
    if (known.includes(c)) continue;
    const close = closestNames(c, known, 1).filter((n) => editDistance(n, c) <= 3);
    throw new PlanError("UNKNOWN_FIELD",
      `"${c}" is not a common column.${close.length ? ` Did you mean "${close[0]}"?` : ""} ` +
        `Common columns: ${COMMON_COLUMN_NAMES.join(", ")} (tracepoint fields go in fields).`,
      { column: c, columns: [...COMMON_COLUMN_NAMES] });
  }
  return columns as string[];
}

function findTracepoint(name: string, tracefs: TracefsSource): TracepointFormat {
  const i = name.indexOf(":");
  if (i > 0 && i < name.length - 1) {
    const text = tracefs.format(name.slice(0, i), name.slice(i + 1));
    if (text !== undefined) return parseFormat(text, name.slice(0, i), name.slice(i + 1));
  }
  const all = tracefs.list();
  const suggestions = closestNames(name, all);
  const shape = i > 0 ? "" : ` Tracepoint names are "category:event", e.g. "syscalls:sys_enter_openat".`;
  const near = suggestions.length
    ? ` Closest: ${suggestions.join(", ")}.`
    : ` None is close; the full list is in /sys/kernel/tracing/available_events.`;
  return fail(new PlanError("UNKNOWN_TRACEPOINT", `Unknown tracepoint "${name}".${shape}${near}`, { name, suggestions }));
}

function fail(e: PlanError): never {
  throw e;
}

/** What one tracepoint field becomes: a plan kind, bytes read, bytes kept and its columns. */
interface FieldShape {
  kind: TpFieldKind;
  size: number;   // bytes read at src_off
  keep: number;   // bytes reserved in the event
  align: number;
  columns: (dst: number, name: string) => OutputColumn[];
}

// Natural sizes of the C types syscall tracepoints widen to 8-byte slots
// (every syscall argument is recorded as an unsigned long).
const C_INTEGERS: Record<string, [size: number, signed: boolean]> = {
  "char": [1, true], "signed char": [1, true], "unsigned char": [1, false], "bool": [1, false],
  "short": [2, true], "unsigned short": [2, false], "int": [4, true], "unsigned int": [4, false],
  "unsigned": [4, false], "long": [8, true], "unsigned long": [8, false], "long long": [8, true],
  "unsigned long long": [8, false], "u8": [1, false], "u16": [2, false], "u32": [4, false], "u64": [8, false],
  "s8": [1, true], "s16": [2, true], "s32": [4, true], "s64": [8, true], "__u8": [1, false], "__u16": [2, false],
  "__u32": [4, false], "__u64": [8, false], "__s8": [1, true], "__s16": [2, true], "__s32": [4, true],
  "__s64": [8, true], "pid_t": [4, true], "uid_t": [4, false], "gid_t": [4, false], "umode_t": [2, false],
  "size_t": [8, false], "ssize_t": [8, true], "loff_t": [8, true], "off_t": [8, true], "key_t": [4, true],
  "clockid_t": [4, true], "mqd_t": [4, true], "qid_t": [4, false], "key_serial_t": [4, true], "rwf_t": [4, true],
  "timer_t": [4, true], "old_uid_t": [2, false], "old_gid_t": [2, false], "aio_context_t": [8, false],
  "time_t": [8, true], "dev_t": [4, false], "gfp_t": [4, false], "fmode_t": [4, false],
};

function integerShape(f: TracepointField): FieldShape | string {
  let size = f.size, signed = f.signed;
  const natural = C_INTEGERS[f.cType.replace(/\b(const|volatile)\b/g, "").trim().replace(/\s+/g, " ")];
  if (natural && natural[0] < f.size) [size, signed] = natural; // low bytes first: little-endian
  const exact = f.isPointer; // addresses must not be rounded to Float64
  const kind = integerKind(size, signed, exact);
  if (!kind) return `a ${f.size}-byte value is not an integer the template can copy`;
  return {
    kind: "TP_FIELD_INT", size, keep: size, align: size,
    columns: (dst, name) => [{ name, offset: dst, kind, type: columnType(kind), origin: f.cType }],
  };
}

function shapeOf(f: TracepointField): FieldShape | string {
  const str = (kind: TpFieldKind, size: number): FieldShape => ({
    kind, size, keep: STRING_MAX, align: 1,
    columns: (dst, name) => [{ name, offset: dst, kind: "cstring", length: STRING_MAX, type: "string", origin: f.cType }],
  });
  const plainChar = /^(signed |unsigned )?char$/.test(f.baseType.replace(/\bconst\b/g, "").trim());
  if (f.isDataLoc || f.isRelLoc) {
    if (!plainChar) return `dynamic arrays of ${f.baseType} (${f.cType}) are not supported yet; dynamic strings are`;
    return str(f.isDataLoc ? "TP_FIELD_DATA_LOC" : "TP_FIELD_REL_LOC", 4);
  }
  if (f.stringPointer) return str(f.stringPointer === "user" ? "TP_FIELD_USER_STR" : "TP_FIELD_KERNEL_STR", 8);
  if (f.isArray) {
    if (plainChar && !/unsigned/.test(f.baseType))
      return {
        kind: "TP_FIELD_ARRAY", size: f.size, keep: f.size, align: 1,
        columns: (dst, name) => [{ name, offset: dst, kind: "cstring", length: f.size, type: "string", origin: f.cType }],
      };
    const count = f.arrayLength ?? f.size;
    const elem = f.size / count;
    if (elem > 1 && Number.isInteger(elem) && count <= 8) {
      // a short array of integers (unsigned long args[6]): one column per element
      const signed = C_INTEGERS[f.baseType]?.[1] ?? false;
      const kind = integerKind(elem, signed)!;
      return {
        kind: "TP_FIELD_ARRAY", size: f.size, keep: f.size, align: Math.min(elem, 8),
        columns: (dst, name) => Array.from({ length: count }, (_, i) => ({
          name: `${name}_${i}`, offset: dst + i * elem, kind, type: columnType(kind), origin: f.cType,
        })),
      };
    }
    if (f.size <= 64) // bytes (u8 saddr[4], __u8 addr[16]): a hex string keeps them exact
      return {
        kind: "TP_FIELD_ARRAY", size: f.size, keep: f.size, align: 1,
        columns: (dst, name) => [{ name, offset: dst, kind: "hex", length: f.size, type: "string", origin: f.cType }],
      };
    return `arrays of ${f.size} bytes are not supported yet`;
  }
  return integerShape(f);
}

function describeFields(format: TracepointFormat): string {
  return format.fields.map((f) => `${f.name} (${f.cType})`).join(", ");
}

function chooseFields(requested: readonly string[], format: TracepointFormat) {
  const name = `${format.category}:${format.event}`;
  const chosen: { field: TracepointField; shape: FieldShape }[] = [];
  const skipped: SkippedField[] = [];
  if (requested.length === 0) {
    // Every field, except the syscall number (one value per tracepoint) and what the template can't copy.
    for (const field of format.fields) {
      if (field.name === "__syscall_nr") continue;
      const shape = shapeOf(field);
      if (typeof shape === "string") skipped.push({ name: field.name, cType: field.cType, reason: shape });
      else chosen.push({ field, shape });
    }
    if (chosen.length > TP_EVENTS.maxFields)
      throw new PlanError("TOO_MANY_FIELDS",
        `${name} has ${chosen.length} fields; one event can carry ${TP_EVENTS.maxFields}. ` +
          `Choose the ones you need with .fields(...): ${describeFields(format)}.`,
        { tracepoint: name, count: chosen.length, max: TP_EVENTS.maxFields });
    return { chosen, skipped };
  }
  for (const want of new Set(requested)) {
    const field = format.fields.find((f) => f.name === want);
    if (!field) {
      const close = closestNames(want, format.fields.map((f) => f.name), 1)
        .filter((c) => editDistance(c, want) <= 2 || c.includes(want) || want.includes(c));
      const hint = close.length ? ` Did you mean "${close[0]}"?` : "";
      throw new PlanError("UNKNOWN_FIELD",
        `Tracepoint ${name} has no field "${want}".${hint} Its fields: ${describeFields(format)}.`,
        { tracepoint: name, field: want, fields: format.fields.map((f) => ({ name: f.name, cType: f.cType })) });
    }
    const shape = shapeOf(field);
    if (typeof shape === "string")
      throw new PlanError("UNSUPPORTED_FIELD", `Field ${field.name} (${field.cType}) of ${name}: ${shape}.`,
        { tracepoint: name, field: field.name, cType: field.cType });
    chosen.push({ field, shape });
  }
  if (chosen.length > TP_EVENTS.maxFields)
    throw new PlanError("TOO_MANY_FIELDS",
      `${chosen.length} fields chosen; one event can carry ${TP_EVENTS.maxFields}.`,
      { tracepoint: name, count: chosen.length, max: TP_EVENTS.maxFields });
  return { chosen, skipped };
}

function layout(chosen: { field: TracepointField; shape: FieldShape }[], format: TracepointFormat, headerSize: number) {
  let dst = headerSize;
  const fields: TpFieldPlan[] = [];
  const columns: OutputColumn[] = [];
  for (const { field, shape } of chosen) {
    dst = Math.ceil(dst / shape.align) * shape.align;
    const strings = shape.kind !== "TP_FIELD_INT" && shape.kind !== "TP_FIELD_ARRAY";
    fields.push({ src_off: field.offset, size: shape.size, dst_off: dst, max_len: strings ? shape.keep : 0, kind: shape.kind });
    // a field named like a common column (sched_process_exec's pid) gets a tp_ prefix
    const name = COMMON_COLUMN_NAMES.includes(field.name) ? `tp_${field.name}` : field.name;
    columns.push(...shape.columns(dst, name));
    dst += shape.keep;
  }
  const eventSize = Math.max(8, Math.ceil(dst / 8) * 8); // a record with no column still counts a row
  if (eventSize > MAX_EVENT_SIZE)
    throw new PlanError("EVENT_TOO_LARGE",
      `the chosen fields of ${format.category}:${format.event} need ${eventSize} bytes per event, ` +
        `more than ${MAX_EVENT_SIZE}: choose fewer string fields`, { eventSize, max: MAX_EVENT_SIZE });
  return { fields, columns, eventSize };
}

