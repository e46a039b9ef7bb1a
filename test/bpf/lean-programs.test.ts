// An instance pays only for what its declaration uses (bpf/README.md): every
// clause, key and common column is a rodata constant, and the verifier drops
// the code of those not used. Checked on the programs as the kernel runs them
// (`bpftool prog dump xlated`): which helpers and maps each one calls.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { BpfObject } from "../../native/surface.js";
import type { Declaration } from "../../runtime/spec/declaration.js";
import { type TpEventsInstance } from "../../runtime/templates/tp_events/plan.js";
import { plan } from "../../runtime/planner/plan.js";
import type { AggregationInstance } from "../../runtime/planner/aggregation.js";
import { load } from "../../runtime/templates/load.js";
import { recordHeld } from "../support/held-bpf.js";

const held = recordHeld();
const GETPPID = { type: "tracepoint" as const, name: "syscalls:sys_enter_getppid" };

/** The helper calls of a loaded program, in the order of its instructions. */
function calls(obj: BpfObject, program: string): string[] {
  const id = obj.programInfo(program).id;
  const xlated = execFileSync("bpftool", ["prog", "dump", "xlated", "id", String(id)], { encoding: "utf8" });
  return [...xlated.matchAll(/\bcall ([\w]+)/g)].map((m) => m[1]!.replace(/#\d+$/, ""));
}

function streamCalls(extra: Partial<Extract<Declaration, { kind: "events" }>>): string[] {
  const obj = load(plan({ kind: "events", source: GETPPID, fields: [], filter: {}, durationMs: 1000, ...extra }) as TpEventsInstance).obj;
  try {
    return calls(obj, "pb_tp_events");
  } finally {
    held.close(obj);
  }
}

function aggregationCalls(decl: Declaration, programs: string[]): string[][] {
  const { obj } = load(plan(decl) as AggregationInstance);
  try {
    return programs.map((p) => calls(obj, p));
  } finally {
    held.close(obj);
  }
}

const IDS = ["bpf_get_current_pid_tgid", "bpf_get_current_uid_gid", "bpf_get_current_cgroup_id", "bpf_get_current_comm"];

describe("instances without a filter read nothing they don't record", () => {
  it("a stream of time, pid and cpu calls what a hand-written one does", () => {
    expect(streamCalls({ columns: ["time_ns", "pid", "cpu"] })).toEqual(
      ["bpf_ringbuf_reserve", "bpf_ktime_get_ns", "bpf_get_current_pid_tgid", "bpf_ringbuf_query", "bpf_ringbuf_submit"]);
    expect(streamCalls({ columns: ["time_ns"] }).filter((c) => IDS.includes(c))).toEqual([]);
  });

  it("the default stream fills every common column, fetching each id once even when the filter needs it too", () => {
    const all = streamCalls({});
    for (const c of IDS) expect(all.filter((x) => x === c)).toEqual([c]);
    const byPid = streamCalls({ filter: { pid: 1 } });
    expect(byPid.filter((x) => x === "bpf_get_current_pid_tgid")).toHaveLength(1);
    expect(byPid.indexOf("bpf_get_current_pid_tgid")).toBeLessThan(byPid.indexOf("bpf_ringbuf_reserve")); // filtered first
  });

  it("a count by comm reads the comm and the map, as bpftrace's @[comm] = count()", () => {
    const [agg] = aggregationCalls({ kind: "aggregate", source: GETPPID, value: { op: "count" }, keys: ["comm"], filter: {}, durationMs: 1000 },
      ["pb_agg_tp"]);
    expect(agg!.filter((c) => IDS.includes(c))).toEqual(["bpf_get_current_comm"]);
    // a known key: one lookup; a new one: one insert of the folded value, a lookup again only after EEXIST
    expect(agg!.filter((c) => !IDS.includes(c))).toEqual(
      ["__htab_map_lookup_elem", "htab_percpu_map_update_elem", "__htab_map_lookup_elem"]);
    const [byUid] = aggregationCalls({ kind: "aggregate", source: GETPPID, value: { op: "count" }, keys: ["uid", "gid"], filter: { uid: 0 }, durationMs: 1000 },
      ["pb_agg_tp"]);
    expect(byUid!.filter((c) => IDS.includes(c))).toEqual(["bpf_get_current_uid_gid"]); // fetched once for the filter and both keys
  });

  it("a named syscall's latency keeps starts in a plain hash by thread; every syscall and the run queue keep LRU", () => {
    const [start, end] = aggregationCalls({ kind: "latency", pair: { type: "syscall", name: "getppid" }, value: { op: "hist_log2" },
      keys: [], filter: {}, durationMs: 1000 }, ["pb_lat_start", "pb_lat_end"]);
    expect(start).toEqual(["bpf_get_current_pid_tgid", "bpf_ktime_get_ns", "htab_map_update_elem"]);
    expect(end!.filter((c) => IDS.includes(c))).toEqual(["bpf_get_current_pid_tgid"]);
    expect(end).toContain("htab_map_delete_elem");
    expect(end!.some((c) => c.includes("lru"))).toBe(false);
    const [anyStart] = aggregationCalls({ kind: "latency", pair: { type: "syscall" }, value: { op: "count" }, keys: [], filter: {}, durationMs: 1000 },
      ["pb_lat_start"]);
    expect(anyStart).toEqual(["bpf_get_current_pid_tgid", "bpf_ktime_get_ns", "htab_lru_map_update_elem"]);
  });
});
