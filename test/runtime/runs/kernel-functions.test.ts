// Kernel functions as sources. A latency (kprobe(fn).latency(),
// fentry(fn).latency()): the planner keeps fentry/fexit where the kernel has
// BPF trampolines, else kprobe/kretprobe, else refuses with the missing
// feature and what to measure instead; entry events of kprobe(fn) move to
// fentry the same way. This kernel has neither (CONFIG_KPROBES is off; fentry
// is EPERM), so the other kernels' plans are made with a stand-in feature
// source, and the programs go as far as this kernel allows: the kprobe pair
// through the real verifier (attaching fails), the fentry pair refused at load.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { BpfObject } from "../../../native/surface.js";
import type { LatencyDeclaration } from "../../../runtime/spec/declaration.js";
import type { FeatureName, FeatureSource, FeatureStatus } from "../../../runtime/host/features.js";
import { FeatureUnavailableError, probeFeature } from "../../../runtime/host/features.js";
import { PlanError } from "../../../runtime/spec/errors.js";
import { plan } from "../../../runtime/planner/plan.js";
import type { FunctionEventsInstance } from "../../../runtime/templates/uprobe_events/plan.js";
import { startAggregateInstance } from "../../../runtime/runs/aggregate.js";
import { load } from "../../../runtime/templates/load.js";
import { TemplateLoadError } from "../../../runtime/templates/load.js";
import { expectReleasedAfterAll, heldBpf, programNames } from "../../support/held-bpf.js";
import { thrown } from "../../support/thrown.js";

const held = expectReleasedAfterAll();

const latency = (pair: LatencyDeclaration["pair"], more: Partial<LatencyDeclaration> = {}): LatencyDeclaration =>
  ({ kind: "latency", pair, value: { op: "hist_log2" }, keys: [], filter: {}, durationMs: 1000, ...more });

/** A kernel that has exactly `hooks` of kprobe/fentry, and this kernel's answers for the rest. */
function kernelWith(...hooks: FeatureName[]): FeatureSource {
  return (name): FeatureStatus => name === "kprobe" || name === "fentry"
    ? hooks.includes(name) ? { feature: name, available: true, conclusive: true }
      : { feature: name, available: false, conclusive: true, failedAt: "attach", code: "ENOENT", reason: `attach ${name}: ENOENT (stand-in)` }
    : probeFeature(name);
}

function calls(obj: BpfObject, program: string): string[] {
  const xlated = execFileSync("bpftool", ["prog", "dump", "xlated", "id", String(obj.programInfo(program).id)], { encoding: "utf8" });
  return [...xlated.matchAll(/\bcall ([\w]+)/g)].map((m) => m[1]!.replace(/#\d+$/, ""));
}

describe("on this kernel (no kprobes, no fentry)", () => {
  it("refuses kprobe latency with the missing feature and the syscall to measure instead", () => {
    const err = thrown(() => plan(latency({ type: "kprobe", function: "vfs_read" })), FeatureUnavailableError);
    expect(err.feature).toBe("kprobe");
    expect(err.message).toMatch(/^kprobes are not available on this kernel \(CONFIG_KPROBES is off: attaching a kprobe fails with attach kprobe do_sys_openat2: E[A-Z]+ .*\)\. Measure the syscall instead: syscall\("read"\)\.latency\(\) \(entry to exit of read, per thread\)\.$/);
  });

  it("refuses fentry latency, pointing block functions to block() and others to their tracepoints", () => {
    const block = thrown(() => plan(latency({ type: "fentry", function: "blk_mq_start_request" })), FeatureUnavailableError);
    expect(block.feature).toBe("fentry");
    expect(block.message).toMatch(/^fentry\/fexit \(BPF trampolines\) are not available on this kernel \(.*EPERM.*\)\. Measure block\(\) instead \(block:block_rq_issue\)\.$/s);
    const sched = thrown(() => plan(latency({ type: "kprobe", function: "finish_task_switch" })), FeatureUnavailableError);
    expect(sched.message).toMatch(/\. Measure runqueue\(\) instead \(sched:sched_switch\)\.$/);
  });
});

describe("on a kernel with kprobes but no fentry", () => {
  const kprobes = kernelWith("kprobe");

  it("plans kprobe/kretprobe by thread, with the task's filters and keys", () => {
    const p = plan(latency({ type: "fentry", function: "vfs_read" }, { keys: ["comm"], filter: { comm: "cat" } }), { features: kprobes });
    expect(p.template).toBe("lat_pairs");
    expect(p.describe).toBe("hist_log2 of the latency of kernel function vfs_read (entry -> return, kprobe/kretprobe) by comm");
    expect(p.attach).toEqual([
      { kind: "kprobe", program: "pb_lat_kprobe", function: "vfs_read", retprobe: false },
      { kind: "kprobe", program: "pb_lat_kretprobe", function: "vfs_read", retprobe: true },
    ]);
    expect((p.rodata.cfg as { start_by_tid: number }).start_by_tid).toBe(1);
    expect(p.keyColumns.map((c) => c.name)).toEqual(["comm"]);
  });

  it("names the closest kernel functions for an unknown one, and refuses record fields", () => {
    const unknown = thrown(() => plan(latency({ type: "kprobe", function: "vfs_raed" }), { features: kprobes }), PlanError);
    expect(unknown.code).toBe("UNKNOWN_SYMBOL");
    expect(unknown.message).toMatch(/^The kernel has no function "vfs_raed" \(not in \/proc\/kallsyms\)\. Closest: vfs_read\b/);
    const where = thrown(() => plan(latency({ type: "kprobe", function: "vfs_read" }, { filter: { where: [{ field: "count", op: ">", value: 1 }] } }), { features: kprobes }), PlanError);
    expect(where.message).toMatch(/^filter\.where is not supported by the latency of kernel function vfs_read/);
    const key = thrown(() => plan(latency({ type: "kprobe", function: "vfs_read" }, { keys: ["count"] }), { features: kprobes }), PlanError);
    expect(key.message).toMatch(/^key "count" is not available for the latency of kernel function vfs_read .* Keys: pid, tid, /);
  });

  it("loads only the kprobe pair through the verifier, then fails to attach it here and leaves nothing", async () => {
    const before = new Set(heldBpf().progs);
    const instance = plan(latency({ type: "kprobe", function: "vfs_read" }), { features: kprobes });
    const { obj, attach } = load(instance);
    try {
      held.sample();
      expect(attach.map((a) => a.program)).toEqual(["pb_lat_kprobe", "pb_lat_kretprobe"]);
      expect(programNames(heldBpf().progs.filter((id) => !before.has(id))).sort()).toEqual(["pb_lat_kprobe", "pb_lat_kretprobe"]);
      expect(obj.programInfo("pb_lat_kprobe").type).toBe("kprobe");
      // the start is what a named syscall's is: the thread, the clock, the plain hash by thread
      expect(calls(obj, "pb_lat_kprobe")).toEqual(["bpf_get_current_pid_tgid", "bpf_ktime_get_ns", "htab_map_update_elem"]);
      expect(calls(obj, "pb_lat_kretprobe")).toContain("htab_map_delete_elem");
    } finally {
      held.close(obj);
    }
    const err = await startAggregateInstance(instance).then(() => undefined, (e: Error & { code?: string }) => e);
    expect(err?.message).toMatch(/^attach kprobe vfs_read: E[A-Z]+/);
    expect(programNames(heldBpf().progs.filter((id) => !before.has(id)))).toEqual([]);
  });
});

describe("on a kernel with fentry", () => {
  it("plans fentry/fexit over kprobes, which this kernel refuses at load (EPERM)", () => {
    const instance = plan(latency({ type: "kprobe", function: "vfs_read" }), { features: kernelWith("kprobe", "fentry") });
    expect(instance.attach).toEqual([
      { kind: "trace", program: "pb_lat_fentry" },
      { kind: "trace", program: "pb_lat_fexit" },
    ]);
    expect(instance.attachTargets).toEqual({ pb_lat_fentry: "vfs_read", pb_lat_fexit: "vfs_read" });
    const err = thrown(() => load(instance), TemplateLoadError);
    expect(err.message).toMatch(/^template lat_pairs \(hist_log2 of the latency of kernel function vfs_read \(entry -> return, fentry\/fexit\)\) did not load: .*EPERM/s);
  });

  it("moves kprobe entry events to fentry (same arguments), but keeps kprobes for returns and register filters", () => {
    const features = kernelWith("kprobe", "fentry");
    const events = (source: { retprobe?: boolean }, filter: object = {}) => plan({
      kind: "events", source, values: source.retprobe ? [] : [{ name: "count", arg: 2, type: "ulong" }], filter, durationMs: 1000,
    } as never, { features }) as FunctionEventsInstance;
    const entry = events({ type: "kprobe", function: "vfs_read" });
    expect([entry.programs, entry.attachTargets, entry.attach, entry.target]).toEqual([
      ["pb_fentry"], { pb_fentry: "vfs_read" }, [{ kind: "trace", program: "pb_fentry" }],
      "fentry vfs_read (for kprobe: this kernel has BPF trampolines, which cost less)"]);
    expect(events({ type: "kprobe", function: "vfs_read", retprobe: true }).programs).toEqual(["pb_kretprobe"]);
    expect(events({ type: "kprobe", function: "vfs_read" }, { where: [{ field: "count", op: ">", value: 4096 }] }).programs).toEqual(["pb_kprobe"]);
    expect(events({ type: "kprobe", function: "vfs_read" }, {}).programs).toEqual(["pb_fentry"]);
    expect(() => events({ type: "kprobe", function: "vfs_raed" })).toThrow(/^The kernel has no function "vfs_raed"/);
  });
});
