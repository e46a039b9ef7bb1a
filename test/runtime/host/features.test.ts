// Contract 5: the feature probes report this machine's truth, found by really
// loading and attaching. The facts of these machines (DESIGN.md): tracepoints,
// raw and BTF tracepoints, uprobes (so USDT), perf-event sampling and the map
// types work; CONFIG_KPROBES is off (a kprobe loads but cannot attach) and
// fentry is refused at load with EPERM.
import { describe, expect, it } from "vitest";
import { native } from "../../../native/load.js";
import {
  clearFeatureCache, FEATURE_NAMES, FeatureUnavailableError, probeFeature, probeFeatures, requireFeature, usdtTarget,
} from "../../../runtime/host/features.js";
import { expectReleasedAfterAll } from "../../support/held-bpf.js";

expectReleasedAfterAll({ loads: false }); // what this file loads must all be closed and freed, by id

describe("feature probes", () => {
  it("report what this kernel really supports", () => {
    clearFeatureCache();
    const all = probeFeatures();
    const available = Object.fromEntries(FEATURE_NAMES.map((n) => [n, all[n].available]));
    expect(available).toEqual({
      tracepoint: true, raw_tp: true, tp_btf: true, kprobe: false, fentry: false, uprobe: true, usdt: true,
      perf_event: true, ringbuf: true, percpu_hash: true, percpu_array: true, stack_trace: true,
    });
    for (const n of FEATURE_NAMES) expect(all[n].conclusive).toBe(true);
  });

  it("find that kprobes load but do not attach, which the program-type probe cannot see", () => {
    expect(native().probeProgramType("kprobe")).toBe(true); // only attaching fails
    const k = probeFeature("kprobe");
    expect(k).toMatchObject({ available: false, failedAt: "attach" });
    expect(k.reason).toMatch(/^attach kprobe do_sys_openat2: E[A-Z]+ /);
  });

  it("find that fentry programs are refused at load with EPERM", () => {
    const f = probeFeature("fentry");
    expect(f).toMatchObject({ available: false, failedAt: "load", code: "EPERM" });
  });

  it("attach a real USDT probe (libstdc++'s libstdcxx:throw, mapped by Node)", () => {
    expect(usdtTarget()).toMatchObject({ provider: "libstdcxx", name: "throw" });
    expect(probeFeature("usdt")).toMatchObject({ available: true, conclusive: true });
  });

  it("caches conclusive answers", () => {
    const a = probeFeature("uprobe");
    expect(probeFeature("uprobe")).toBe(a);
  });

  it("give a clear error naming the missing feature and the alternative", () => {
    let err: FeatureUnavailableError | undefined;
    try {
      requireFeature("kprobe", "Use tracepoint syscalls:sys_enter_openat instead.");
    } catch (e) {
      err = e as FeatureUnavailableError;
    }
    expect(err).toBeInstanceOf(FeatureUnavailableError);
    expect(err!.code).toBe("NOT_SUPPORTED");
    expect(err!.feature).toBe("kprobe");
    expect(err!.message).toMatch(/^kprobes are not available on this kernel \(CONFIG_KPROBES is off: attaching a kprobe fails with attach kprobe do_sys_openat2: E[A-Z]+ .*\)\. Use tracepoint syscalls:sys_enter_openat instead\.$/);
    expect(() => requireFeature("tracepoint")).not.toThrow();
  });
});

describe("PROBEBOOK_DENY_FEATURES", () => {
  it("turns a feature this kernel has into a missing one, and the error says how", () => {
    expect(probeFeature("uprobe").available).toBe(true);
    process.env.PROBEBOOK_DENY_FEATURES = "perf_event, uprobe";
    try {
      expect(probeFeature("uprobe")).toEqual({ feature: "uprobe", available: false, conclusive: true, failedAt: "denied", reason: "turned off by PROBEBOOK_DENY_FEATURES" });
      expect(probeFeature("perf_event").available).toBe(false);
      expect(probeFeature("tracepoint").available).toBe(true);
      expect(() => requireFeature("uprobe", "Use a tracepoint instead."))
        .toThrow("uprobes are turned off (PROBEBOOK_DENY_FEATURES=perf_event, uprobe). Use a tracepoint instead.");
    } finally {
      delete process.env.PROBEBOOK_DENY_FEATURES;
    }
    expect(probeFeature("uprobe").available).toBe(true); // the real answer stayed cached
  });
});
