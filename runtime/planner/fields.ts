// Tracepoint fields as the aggregation templates use them: integers to fold,
// compare or key by (at their natural width), and short arrays to key by.
import { closestNames, editDistance } from "../spec/closest-names.js";
import { PlanError } from "../spec/errors.js";
import type { TracefsSource, TracepointField, TracepointFormat } from "../host/tracefs.js";
import { parseFormat } from "../host/tracefs.js";

/** An integer field: where it is, how wide, and whether it is signed. */
export interface IntField {
  name: string;
  offset: number;
  size: 1 | 2 | 4 | 8;
  signed: boolean;
  cType: string;
  /** An address: exact (BigInt) as a key, never folded. */
  isPointer: boolean;
}

// Syscall tracepoints record every argument in an 8-byte slot; the value is the
// C type's width (an `int fd` of -1 is 0x00000000ffffffff in its slot).
const NATURAL: Record<string, [1 | 2 | 4 | 8, boolean]> = {
  "char": [1, true], "unsigned char": [1, false], "bool": [1, false], "short": [2, true], "unsigned short": [2, false],
  "int": [4, true], "unsigned int": [4, false], "unsigned": [4, false], "pid_t": [4, true], "uid_t": [4, false],
  "gid_t": [4, false], "umode_t": [2, false], "clockid_t": [4, true], "key_t": [4, true], "mqd_t": [4, true],
  "timer_t": [4, true], "rwf_t": [4, true], "qid_t": [4, false], "key_serial_t": [4, true], "dev_t": [4, false],
  "u8": [1, false], "u16": [2, false], "u32": [4, false], "s8": [1, true], "s16": [2, true], "s32": [4, true],
  "__u8": [1, false], "__u16": [2, false], "__u32": [4, false], "__s8": [1, true], "__s16": [2, true], "__s32": [4, true],
  "gfp_t": [4, false], "fmode_t": [4, false], "old_uid_t": [2, false], "old_gid_t": [2, false],
};

/** The tracepoint's parsed format, or an UNKNOWN_TRACEPOINT error listing the closest names. */
export function tracepointFormat(name: string, tracefs: TracefsSource): TracepointFormat {
  const i = name.indexOf(":");
  if (i > 0 && i < name.length - 1) {
    const text = tracefs.format(name.slice(0, i), name.slice(i + 1));
    if (text !== undefined) return parseFormat(text, name.slice(0, i), name.slice(i + 1));
  }
  const suggestions = closestNames(name, tracefs.list());
  const shape = i > 0 ? "" : ` Tracepoint names are "category:event", e.g. "syscalls:sys_enter_openat".`;
  const near = suggestions.length
    ? ` Closest: ${suggestions.join(", ")}.`
    : ` None is close; the full list is in /sys/kernel/tracing/available_events.`;
  throw new PlanError("UNKNOWN_TRACEPOINT", `Unknown tracepoint "${name}".${shape}${near}`, { name, suggestions });
}

function describeFields(format: TracepointFormat): string {
  return format.fields.map((f) => `${f.name} (${f.cType})`).join(", ");
}

/** The named field, or an UNKNOWN_FIELD error with the closest name and the real fields. */
export function findField(format: TracepointFormat, want: string, role: string): TracepointField {
  const field = format.fields.find((f) => f.name === want);
  if (field) return field;
  const name = `${format.category}:${format.event}`;
  const close = closestNames(want, format.fields.map((f) => f.name), 1)
    .filter((c) => editDistance(c, want) <= 2 || c.includes(want) || want.includes(c));
  const hint = close.length ? ` Did you mean "${close[0]}"?` : "";
  throw new PlanError("UNKNOWN_FIELD",
    `${role}: tracepoint ${name} has no field "${want}".${hint} Its fields: ${describeFields(format) || "(none)"}.`,
    { tracepoint: name, field: want, fields: format.fields.map((f) => ({ name: f.name, cType: f.cType })) });
}

/** The field as an integer, or an UNSUPPORTED_FIELD error saying why not. */
export function intField(format: TracepointFormat, want: string, role: string): IntField {
  const f = findField(format, want, role);
  const name = `${format.category}:${format.event}`;
  if (f.isArray || f.isDataLoc || f.isRelLoc || ![1, 2, 4, 8].includes(f.size))
    throw new PlanError("UNSUPPORTED_FIELD",
      `${role}: field ${f.name} (${f.cType}) of ${name} is not an integer; only integer fields can be ${role.includes("key") ? "keys of this kind" : "folded or compared"}.`,
      { tracepoint: name, field: f.name, cType: f.cType });
  let size = f.size as IntField["size"], signed = f.signed;
  const natural = NATURAL[f.cType.replace(/\b(const|volatile)\b/g, "").trim().replace(/\s+/g, " ")];
  if (natural && natural[0] < f.size) [size, signed] = natural; // the low bytes: little-endian
  return { name: f.name, offset: f.offset, size, signed, cType: f.cType, isPointer: f.isPointer };
}
