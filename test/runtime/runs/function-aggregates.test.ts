// Every hook gets every shape: function probes (uprobe, uretprobe, USDT,
// kprobe) and tcp() aggregated and filtered in the kernel (agg_fn, agg_tp),
// built with the probes-lib builders a cell uses, run on workloads this test
// starts, with exact counts.
import { createServer, connect, type AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { kprobe, kretprobe, tcp, uprobe, uretprobe, usdt } from "../../../probes-lib/index.js";
import type { AnyDeclaration } from "../../../runtime/spec/declaration.js";
import { libcPath, probeFeature, type FeatureName, type FeatureStatus } from "../../../runtime/host/features.js";
import { plan } from "../../../runtime/planner/plan.js";
import { runDeclaration, type ProbeRunResult } from "../../../runtime/runs/run.js";
import { buildC } from "../../bpf/support/build-c.js";
import { startHeld } from "../../bpf/support/workload.js";
import { killSpawned } from "../../support/children.js";
import { expectReleasedAfterAll } from "../../support/held-bpf.js";

const mallocSizes = buildC("malloc-sizes", ["-O0"]);
const fnReturns = buildC("fn-returns", ["-O0"]);
const usdtTicks = buildC("usdt-ticks", ["-O0"]);
const lldivCalls = buildC("libc-calls", ["-O0"]);
const vfsReads = buildC("vfs-reads", ["-O0"]);

expectReleasedAfterAll();
afterEach(killSpawned);
afterAll(() => [mallocSizes, fnReturns, usdtTicks, lldivCalls, vfsReads].forEach((b) => b.cleanup()));

/** Runs `decl(pid)` while the held workload `bin args` runs to its end; the duration is a safety net. */
async function runOn(bin: string, args: string[], decl: (pid: number) => AnyDeclaration): Promise<ProbeRunResult> {
  const w = await startHeld(bin, args);
  try {
    let exit: Promise<number | null> | undefined;
    const result = await runDeclaration(decl(w.pid), { onAttached: () => { exit = w.go(); } });
    expect(await exit).toBe(0);
    return result;
  } finally {
    w.dispose();
  }
}

function rows(r: ProbeRunResult): Record<string, unknown>[] {
  return Array.from({ length: r.rowCount }, (_, i) =>
    Object.fromEntries(Object.entries(r.columns).map(([k, c]) => [k, (c as ArrayLike<unknown>)[i]])));
}

describe("function probes aggregated in the kernel (agg_fn)", () => {
  it("uprobe(libc, \"malloc\").arg(\"size\", 0, \"ulong\").histogram(\"size\"): every malloc of the workload in its bucket", async () => {
    const r = await runOn(mallocSizes.bin, [], (pid) =>
      uprobe(libcPath(), "malloc").arg("size", 0, "ulong").where({ pid }).histogram("size").toDeclaration({ for: "1500ms" }));
    expect((r.plan as { template: string }).template).toBe("agg_fn");
    const bucket = (size: number) => rows(r).filter((x) => (x.lower as number) <= size && size < (x.upper as number));
    expect(bucket(24).map((x) => x.count)).toEqual([10]);
    expect(bucket(100).map((x) => x.count)).toEqual([20]);
    expect(bucket(5000).map((x) => x.count)).toEqual([30]);
    expect(rows(r).reduce((n, x) => n + (x.count as number), 0)).toBe(60);
    expect(r.stats.events).toBe(60);
    expect(r.stats.lost).toBe(0);
  });

  it("uretprobe(bin, fn).returns(\"r\", \"int\").where({ r: { lt: 0 } }).count().by(\"comm\"): the negative returns only", async () => {
    const r = await runOn(fnReturns.bin, ["30"], () =>
      uretprobe(fnReturns.bin, "probebook_check").returns("r", "int").where({ r: { lt: 0 } }).count().by("comm")
        .toDeclaration({ for: "1500ms" }));
    expect(rows(r)).toEqual([{ comm: "fn-returns", count: 10 }]);
  });

  it("stats of the return value: uretprobe ... .where({ pid }).stats(\"r\")", async () => {
    const r = await runOn(fnReturns.bin, ["9"], (pid) =>
      uretprobe(fnReturns.bin, "probebook_check").returns("r", "int").where({ pid }).stats("r").toDeclaration({ for: "1500ms" }));
    // 1 2 -3 4 5 -6 7 8 -9
    expect(rows(r)).toEqual([{ count: 9, sum: 9, min: -9, max: 8, avg: 1 }]);
  });

  it("usdt(bin, p, n).arg(\"v\", 0).sum(\"v\").every(\"100ms\"): a time series whose intervals add up to every tick", async () => {
    const r = await runOn(usdtTicks.bin, ["25"], (pid) =>
      usdt(usdtTicks.bin, "probebook_test", "tick").arg("v", 0).where({ pid }).sum("v").every("100ms").toDeclaration({ for: "1s" }));
    expect(Object.keys(r.columns)).toEqual(["interval", "time", "sum"]);
    expect(rows(r).reduce((n, x) => n + (x.sum as number), 0)).toBe((25 * 26) / 2);
    expect(r.stats.events).toBe(25);
  });

  it("an argument as a key, filtered on another argument: uprobe(libc, \"lldiv\") by numerator where denom == 3", async () => {
    const r = await runOn(lldivCalls.bin, ["4"], (pid) =>
      uprobe(libcPath(), "lldiv").arg("numer", 0, "long").arg("denom", 1, "long").where({ pid, denom: 3 }).count().by("numer")
        .toDeclaration({ for: "1500ms" }));
    expect(rows(r).sort((a, b) => (a.numer as number) - (b.numer as number)))
      .toEqual([1007, 2007, 3007, 4007].map((numer) => ({ numer, count: 1 })));
  });

  it("refuses what makes no sense, with the values it has", () => {
    expect(() => uprobe(libcPath(), "malloc").histogram("size")).toThrow(/name an integer value declared with .arg\(\)/);
    expect(() => plan(uprobe(libcPath(), "malloc").arg("size", 0, "ulong").count().by("nope").toDeclaration({ for: "1s" }) as never))
      .toThrow(expect.objectContaining({ code: "UNKNOWN_FIELD" }));
    expect(() => plan(uprobe(libcPath(), "strlen").arg("s", 0, "string").count().by("s").toDeclaration({ for: "1s" }) as never))
      .toThrow(/is a string; aggregations fold, compare and key by integers/);
  });
});

describe("kernel functions aggregated: the hook this kernel has", () => {
  const only = (available: FeatureName[]) => (name: FeatureName): FeatureStatus =>
    ({ available: available.includes(name) } as FeatureStatus);
  const decl = () => kprobe("vfs_read").where({ comm: "x" }).count().by("kstack").toDeclaration({ for: "1s" });
  const kretprobeDecl = () => kretprobe("vfs_read").returns("n", "long").where({ n: { gt: 0 } }).sum("n").by("comm").toDeclaration({ for: "1s" });

  it("plans fentry where the kernel has trampolines, else a kprobe, else the tracepoint to use", () => {
    const f = plan(decl() as never, { features: only(["fentry", "kprobe"]) });
    expect([f.template, f.attach, f.attachTargets]).toEqual(["agg_fn", [{ kind: "trace", program: "pb_agg_fentry" }], { pb_agg_fentry: "vfs_read" }]);
    const k = plan(decl() as never, { features: only(["kprobe"]) });
    expect(k.attach).toEqual([{ kind: "kprobe", program: "pb_agg_kprobe", function: "vfs_read", retprobe: false }]);
    expect(k.stacks?.columns).toEqual(["kstack"]);
    expect(() => plan(decl() as never, { features: only([]) }))
      .toThrow(expect.objectContaining({ code: "NOT_SUPPORTED", message: expect.stringMatching(/Use tracepoint syscalls:sys_enter_read instead/) }));
  });

  it("kprobe(\"vfs_read\").where({ comm }).count().by(\"kstack\") runs where kprobes exist, else says which tracepoint to use", async () => {
    const run = () => runOn(vfsReads.bin, ["37"], () =>
      kprobe("vfs_read").where({ comm: "vfs-reads" }).count().by("kstack").toDeclaration({ for: "1s" }));
    if (!probeFeature("kprobe").available && !probeFeature("fentry").available) {
      // this host: CONFIG_KPROBES is off and fentry is refused
      await expect(run()).rejects.toMatchObject({ code: "NOT_SUPPORTED", message: expect.stringMatching(/Use tracepoint syscalls:sys_enter_read instead/) });
      return;
    }
    // a kernel with kprobes or fentry (the guest): the workload's 37 reads of /dev/zero after "go", by kernel stack
    const r = await run();
    expect(r.stats.lost).toBe(0);
    expect(rows(r).reduce((n, x) => n + (x.count as number), 0)).toBe(37);
    expect(rows(r).every((x) => typeof x.kstack === "string" && /vfs_read|ksys_read/.test(x.kstack as string))).toBe(true);
  });

  it("loads agg_fn's kprobe and kretprobe programs through the verifier (this host can't attach them)", async () => {
    const { load } = await import("../../../runtime/templates/load.js");
    const kprobes = only(["kprobe"]);
    for (const [d, program] of [[decl(), "pb_agg_kprobe"], [kretprobeDecl(), "pb_agg_kretprobe"]] as const) {
      const { obj, attach } = load(plan(d as never, { features: kprobes }));
      try {
        expect(attach).toEqual([{ kind: "kprobe", program, function: "vfs_read", retprobe: program === "pb_agg_kretprobe" }]);
        expect(obj.programInfo(program).type).toBe("kprobe");
      } finally {
        obj.close();
      }
    }
  });
});

describe("tcp() aggregated (agg_tp on sock:inet_sock_set_state)", () => {
  it("tcp().count().by(\"new_state\"): state names, and exactly the changes the events template saw on our ports", async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const K = 4;
    const workload = async () => {
      for (let i = 0; i < K; i++)
        await new Promise<void>((resolve, reject) => {
          const c = connect(port, "127.0.0.1", () => c.end());
          c.on("close", () => resolve());
          c.on("error", reject);
          c.resume();
        });
    };
    try {
      let attached = 0, started: () => void = () => {};
      const both = new Promise<void>((resolve) => (started = resolve));
      const onAttached = async () => { if (++attached === 3) started(); await both; };
      const go = both.then(workload);
      const [byState, byPorts, events] = await Promise.all([
        runDeclaration(tcp().count().by("new_state").toDeclaration({ for: "1500ms" }), { onAttached }),
        runDeclaration(tcp().count().by("new_state", "sport", "dport").toDeclaration({ for: "1500ms" }), { onAttached }),
        runDeclaration(tcp().retransmits(false).toDeclaration({ for: "1500ms" }), { onAttached }),
      ]);
      await go;
      const ours = (x: Record<string, unknown>) => x.sport === port || x.dport === port;
      const seen = new Map<string, number>();
      for (const e of rows(events).filter(ours)) seen.set(e.new_state as string, (seen.get(e.new_state as string) ?? 0) + 1);
      const counted = new Map<string, number>();
      for (const x of rows(byPorts).filter(ours)) counted.set(x.new_state as string, (counted.get(x.new_state as string) ?? 0) + (x.count as number));
      expect(Object.fromEntries(counted)).toEqual(Object.fromEntries(seen));
      // the client's socket and the server's child both reach ESTABLISHED, once per connection
      expect(counted.get("ESTABLISHED")).toBe(2 * K);
      // by new_state alone: every state a name, each count at least ours (the machine has other connections)
      const total = Object.fromEntries(rows(byState).map((x) => [x.new_state, x.count]));
      for (const [state, n] of counted) expect(total[state]).toBeGreaterThanOrEqual(n);
      expect(Object.keys(total).every((s) => /^[A-Z_0-9]+$/.test(s))).toBe(true);
    } finally {
      server.close();
    }
  });

  it("refuses a port filter with what to do instead", () => {
    expect(() => tcp().where({ port: 80 }).count()).toThrow(/key the aggregation by "sport" or "dport"/);
  });
});
