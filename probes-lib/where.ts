// .where({...}) for every probe: the task clauses (pid, tid, comm, uid,
// cgroup) and conditions on the source's own fields, turned into the
// declaration's Filter. Which clauses a template can run in the kernel is the
// planner's call; here only the shape of what the user wrote is checked.

import type { FieldPredicate, Filter } from "../runtime/spec/declaration.js";
import { quote } from "./quote.js";

/** A condition on a field: a value it must equal, or comparisons that must all hold. */
export type FieldCondition =
  | number
  | bigint
  | string
  | {
      /** == */ eq?: number | bigint | string;
      /** != */ ne?: number | bigint | string;
      /** > */ gt?: number | bigint | string;
      /** >= */ ge?: number | bigint | string;
      /** < */ lt?: number | bigint | string;
      /** <= */ le?: number | bigint | string;
      /** (field & mask) != 0 */ mask?: number | bigint | string;
    };

/**
 * What `.where()` takes. Every key is optional and present keys are ANDed.
 * Besides the task clauses below, any other key names a field of the source
 * (e.g. `{ count: { gt: 4096 } }` on `syscall("read")`).
 */
export interface Where {
  /** Process id (tgid). */
  pid?: number;
  /** Thread id. */
  tid?: number;
  /** The task's command name, compared exactly (at most 15 characters). */
  comm?: string;
  /** User id. */
  uid?: number;
  /** cgroup v2 id (the inode number of the cgroup's directory). */
  cgroup?: number;
  /** Conditions on the source's fields. */
  [field: string]: FieldCondition | undefined;
}

const TASK_KEYS = ["pid", "tid", "comm", "uid", "cgroup"] as const;
const OPS: Record<string, FieldPredicate["op"]> = { eq: "==", ne: "!=", gt: ">", ge: ">=", lt: "<", le: "<=", mask: "&" };
const MAX_ID = 0x7fffffff;

/**
 * Merges `where` into `filter`: task keys replace earlier values (undefined
 * removes them); field conditions replace earlier conditions on that field.
 *
 * @param at - the call as the user wrote it, for messages.
 */
export function applyWhere(filter: Filter, where: Where, at: string): Filter {
  if (where === null || typeof where !== "object" || Array.isArray(where)) {
    throw new TypeError(`${at}: pass an object such as { pid: 1234 } or { comm: "nginx" }`);
  }
  const next: Filter = { ...filter };
  let preds = [...(filter.where ?? [])];
  for (const [key, value] of Object.entries(where)) {
    if ((TASK_KEYS as readonly string[]).includes(key)) {
      const k = key as (typeof TASK_KEYS)[number];
      if (value === undefined) {
        delete next[k];
      } else if (k === "comm") {
        if (typeof value !== "string" || value.length === 0 || new TextEncoder().encode(value).length > 15) {
          throw new TypeError(`${at}: comm must be a command name of 1 to 15 bytes (as /proc/PID/comm shows it), not ${quote(value)}`);
        }
        next.comm = value;
      } else {
        const max = k === "cgroup" ? Number.MAX_SAFE_INTEGER : MAX_ID;
        // uid 0 is root, the uid most worth filtering on; no process, thread or cgroup has id 0
        const min = k === "uid" ? 0 : 1;
        if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
          throw new RangeError(`${at}: ${k} must be a ${min === 0 ? "whole number from 0" : "positive whole number"}, not ${quote(value)}`);
        }
        next[k] = value;
      }
      continue;
    }
    if (key === "sample" || key === "where") {
      throw new TypeError(`${at}: "${key}" is not a field condition; ${key === "sample" ? "use .sample(n) to keep one event in n" : "list field conditions directly, e.g. .where({ count: { gt: 4096 } })"}`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new TypeError(`${at}: ${quote(key)} is neither a filter key (${TASK_KEYS.join(", ")}) nor a field name`);
    }
    preds = preds.filter((p) => p.field !== key);
    if (value === undefined) continue;
    preds.push(...fieldPredicates(key, value, at));
  }
  if (preds.length > 0) next.where = preds;
  else delete next.where;
  return next;
}

function fieldPredicates(field: string, condition: FieldCondition, at: string): FieldPredicate[] {
  if (typeof condition !== "object") return [{ field, op: "==", value: predicateValue(field, condition, at) }];
  const entries = Object.entries(condition).filter(([, v]) => v !== undefined);
  if (entries.length === 0) throw new TypeError(`${at}: the condition on "${field}" is empty; use { gt: 10 }, { lt: 100 }, { ne: 0 }, { eq: 5 } or { mask: 0x4 }`);
  return entries.map(([op, v]) => {
    const symbol = OPS[op];
    if (!symbol) throw new TypeError(`${at}: unknown comparison "${op}" on "${field}"; use ${Object.keys(OPS).join(", ")}`);
    return { field, op: symbol, value: predicateValue(field, v as number | bigint | string, at) };
  });
}

function predicateValue(field: string, value: unknown, at: string): number | string {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" && /^-?(0x[0-9a-fA-F]+|\d+)$/.test(value.trim())) return value.trim();
  throw new TypeError(`${at}: "${field}" can only be compared with a whole number (or a bigint, or a decimal or 0x-hex string), not ${quote(value)}; string fields can't be filtered in the kernel, filter the table instead`);
}
