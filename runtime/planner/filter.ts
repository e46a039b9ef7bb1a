// A declaration's filter as the shared in-kernel filter (bpf/filter.h): the
// process, thread, uid, cgroup and comm clauses, field predicates on the
// tracepoint's record, and 1-in-N sampling. Checked here, with errors for people.
import type { FieldPredicate, Filter } from "../spec/declaration.js";
import type { PidNamespace } from "../host/pid-namespace.js";
import { PlanError } from "../spec/errors.js";
import type { TracepointFormat } from "../host/tracefs.js";
import type { PbFilter, PbPred, PredOp } from "../templates/aggregation.js";
import { AGG } from "../templates/aggregation.js";
import { MAX_PID } from "./checks.js";
import { intField } from "./fields.js";

const OPS: Record<FieldPredicate["op"], PredOp> = {
  "==": "PB_PRED_EQ", "!=": "PB_PRED_NE", "<": "PB_PRED_LT", "<=": "PB_PRED_LE", ">": "PB_PRED_GT", ">=": "PB_PRED_GE",
  "&": "PB_PRED_MASK",
};
export const FILTER_KEYS = ["pid", "tid", "comm", "uid", "cgroup", "where", "sample"] as const;

function bad(message: string, details: Record<string, unknown> = {}): PlanError {
  return new PlanError("BAD_DECLARATION", message, details);
}

/** A filter that lets everything through (in the reader's pid namespace). */
export function passAll(pidns: PidNamespace): PbFilter {
  return {
    tgid: 0, tid: 0, uid: 0, has_uid: 0, has_comm: 0, npreds: 0, unfiltered: 1, cgroup_id: 0n, sample_every: 0,
    pidns_dev: pidns.dev, pidns_ino: pidns.ino, comm: "", preds: [],
  };
}

/** Sets `unfiltered` from the clauses (1: none; the kernel then reads nothing). Call after changing a filter's clauses. */
export function sealFilter(f: PbFilter): PbFilter {
  const any = f.tgid || f.tid || f.has_uid || f.has_comm || f.npreds || f.cgroup_id !== 0n || f.sample_every > 1;
  f.unfiltered = any ? 0 : 1;
  return f;
}

function wholeNumber(v: unknown, what: string, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max)
    throw bad(`${what} must be a whole number from 0 to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

function predValue(p: FieldPredicate, signed: boolean, size: number, where: string): bigint {
  let v: bigint;
  try {
    if (typeof p.value === "number" && Number.isInteger(p.value)) v = BigInt(p.value);
    else if (typeof p.value === "string" && /^-?(0x[0-9a-f]+|\d+)$/i.test(p.value.trim()))
      v = p.value.trim().startsWith("-") ? -BigInt(p.value.trim().slice(1)) : BigInt(p.value.trim());
    else throw new Error();
  } catch {
    throw bad(`${where}: the value must be an integer (a number, or a decimal or 0x-hex string), got ${JSON.stringify(p.value)}`);
  }
  const bits = BigInt(size * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n, max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (v < min || v > max)
    throw bad(`${where}: ${v} is outside the field's range (${signed ? "signed" : "unsigned"} ${size * 8}-bit: ${min}..${max})`);
  return BigInt.asUintN(64, v); // the BPF side compares the two's complement bits as signed when the field is
}

export interface FilterScope {
  /** The record predicates refer to (undefined: predicates are not available here). */
  format?: TracepointFormat;
  /** Clauses this scope supports (the rest get UNSUPPORTED_FILTER). */
  supported: readonly (typeof FILTER_KEYS)[number][];
  /** For messages: "the aggregation of syscalls:sys_enter_read". */
  what: string;
  /** Where predicates find their fields when they are not the tracepoint's (function arguments). */
  resolveField?: (field: string, where: string) => PredField;
}

/** An integer the kernel side compares: where it is in the probe's context, its width and sign. */
export interface PredField {
  offset: number;
  size: number;
  signed: boolean;
}

/** `where` as struct pb_pred entries; `resolve` finds each field (or throws an error for people). */
export function planPredicates(where: unknown, resolve: (field: string, where: string) => PredField): PbPred[] {
  if (!Array.isArray(where)) throw bad(`filter.where must be a list such as [{ field: "count", op: ">=", value: 4096 }]`);
  if (where.length > AGG.maxPreds)
    throw bad(`filter.where has ${where.length} conditions; the kernel side takes at most ${AGG.maxPreds}`);
  return (where as FieldPredicate[]).map((p, i): PbPred => {
    const at = `filter.where[${i}]`;
    if (!p || typeof p.field !== "string" || !(p.op in OPS))
      throw bad(`${at} must be { field, op, value } with op one of ${Object.keys(OPS).join(" ")}, got ${JSON.stringify(p)}`);
    const field = resolve(p.field, at);
    return {
      value: predValue(p, field.signed, field.size, at), src_off: field.offset, size: field.size,
      is_signed: field.signed ? 1 : 0, op: OPS[p.op],
    };
  });
}

/** The filter's clauses as a struct pb_filter. */
export function planFilter(filter: Filter | undefined, scope: FilterScope, pidns: PidNamespace): PbFilter {
  const f = filter ?? {};
  if (typeof f !== "object" || f === null || Array.isArray(f)) throw bad(`filter must be an object such as { pid: 1234 }`);
  const out = passAll(pidns);
  for (const key of Object.keys(f)) {
    if (!(scope.supported as readonly string[]).includes(key))
      throw new PlanError("UNSUPPORTED_FILTER",
        `filter.${key} is not supported by ${scope.what} (supported: ${scope.supported.join(", ")})`,
        { filter: key, supported: [...scope.supported] });
  }
  if (f.pid !== undefined) out.tgid = wholeNumber(f.pid, "filter.pid", MAX_PID) || fail("filter.pid must not be 0");
  if (f.tid !== undefined) out.tid = wholeNumber(f.tid, "filter.tid", MAX_PID) || fail("filter.tid must not be 0");
  if (f.uid !== undefined) {
    out.uid = wholeNumber(f.uid, "filter.uid", 0xffffffff);
    out.has_uid = 1;
  }
  if (f.cgroup !== undefined) out.cgroup_id = BigInt(wholeNumber(f.cgroup, "filter.cgroup", Number.MAX_SAFE_INTEGER));
  if (f.comm !== undefined) {
    if (typeof f.comm !== "string" || f.comm === "" || new TextEncoder().encode(f.comm).length >= AGG.commLength)
      throw bad(`filter.comm must be a command name of 1 to ${AGG.commLength - 1} bytes (the kernel keeps no more), ` +
        `got ${JSON.stringify(f.comm)}`);
    out.comm = f.comm;
    out.has_comm = 1;
  }
  if (f.sample !== undefined) out.sample_every = wholeNumber(f.sample, "filter.sample", 1 << 30) || fail("filter.sample must be at least 1");
  if (f.where !== undefined) {
    const format = scope.format;
    out.preds = planPredicates(f.where, scope.resolveField ?? ((name, where) => {
      if (!format) throw bad(`${where}: ${scope.what} has no tracepoint fields to compare`);
      return intField(format, name, where);
    }));
    out.npreds = out.preds.length;
  }
  return sealFilter(out);
}

function fail(message: string): never {
  throw bad(message);
}

/** A predicate on a field the planner chose (not the user): `field == value`. */
export function fieldEquals(offset: number, size: number, signed: boolean, value: number): PbPred {
  return { value: BigInt.asUintN(64, BigInt(value)), src_off: offset, size, is_signed: signed ? 1 : 0, op: "PB_PRED_EQ" };
}
