// The common columns of the event templates that share tp_events' header shape
// (time, cpu, pid, tid, uid, gid, cgroup, comm), laid out from a template's own
// generated descriptor: each template keeps its one description (contract 2).
import type { TemplateDescriptor } from "../../bpf/descriptor.js";
import type { OutputColumn } from "./columns.js";
import { columnType, integerKind } from "./columns.js";
import { member } from "./struct-codec.js";

/** Column name -> header member. */
const HEADER_COLUMNS: readonly [string, string][] = [
  ["time_ns", "ts_ns"], ["cpu", "cpu"], ["pid", "pid"], ["tid", "tid"], ["uid", "uid"], ["gid", "gid"],
  ["cgroup", "cgroup_id"], ["comm", "comm"],
];

export const HEADER_COLUMN_NAMES: readonly string[] = HEADER_COLUMNS.map(([c]) => c);

/** Columns of `struct header` members: char arrays become strings, integers numbers. */
export function structColumns(d: TemplateDescriptor, header: string,
  names: readonly (readonly [column: string, member: string])[] = HEADER_COLUMNS, origin = "header"): OutputColumn[] {
  return names.map(([name, m]) => {
    const mem = member(d, header, m);
    const t = mem.type;
    if (t.kind === "array" && t.of.kind === "char")
      return { name, offset: mem.offset, kind: "cstring", length: t.count, type: "string", origin };
    if (t.kind === "array" && t.of.kind === "int" && t.of.size === 1)
      return { name, offset: mem.offset, kind: "hex", length: t.count, type: "string", origin };
    if (t.kind !== "int" && t.kind !== "enum") throw new Error(`${header}.${m} of ${d.template} has an unexpected type`);
    const kind = integerKind(t.size, t.signed)!;
    return { name, offset: mem.offset, kind, type: columnType(kind), origin };
  });
}
