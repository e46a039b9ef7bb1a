// Every builder's exact declaration, its code text, and its mistakes, message
// by message. Pure: no kernel, no sandbox.
import { afterEach, describe, expect, test } from "vitest";
import {
  block, fentry, kprobe, kretprobe, profile, runqueue, syscall, tcp, tracepoint, uprobe, uretprobe, usdt,
} from "../../probes-lib/index.js";
import { setProbeHost, type ProbeHost, type ResultPayload } from "../../probes-lib/host.js";
import type { AnyDeclaration } from "../../runtime/spec/protocol.js";

afterEach(() => setProbeHost(undefined));
const LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";
const DAY = 24 * 3600 * 1000;

describe("aggregations of tracepoints and syscalls", () => {
  test("count by keys", () => {
    const probe = syscall("getppid").where({ pid: 42 }).count().by("pid");
    expect(String(probe)).toBe('syscall("getppid").where({"pid":42}).count().by("pid")');
    expect(probe.toDeclaration({ for: "1s" })).toEqual({
      kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, value: { op: "count" },
      filter: { pid: 42 }, keys: ["pid"], durationMs: 1000,
    });
  });

  test("sum, min, max, avg, stats fold a field", () => {
    for (const op of ["sum", "min", "max", "avg", "stats"] as const) {
      expect(tracepoint("syscalls:sys_enter_read")[op]("count").by("comm", "cpu").toDeclaration({ for: 500 })).toEqual({
        kind: "aggregate", source: { type: "tracepoint", name: "syscalls:sys_enter_read" }, value: { op, field: "count" },
        filter: {}, keys: ["comm", "cpu"], durationMs: 500,
      });
    }
  });

  test("log2 and linear histograms, time series, key budget; without for it runs until stopped", () => {
    expect(tracepoint("kmem:kmalloc").histogram("bytes_req", { subBuckets: 2 }).every("1s").maxKeys(64).toDeclaration()).toEqual({
      kind: "aggregate", source: { type: "tracepoint", name: "kmem:kmalloc" }, value: { op: "hist_log2", field: "bytes_req", subBuckets: 2 },
      filter: {}, keys: [], durationMs: DAY, everyMs: 1000, maxKeys: 64,
    });
    expect(tracepoint("kmem:kmalloc").histogram("bytes_req", { linear: { min: 0, max: 1024, step: 64 } }).toDeclaration({ for: "2s" }).valueOf()).toMatchObject({
      value: { op: "hist_linear", field: "bytes_req", min: 0, max: 1024, step: 64 },
    });
  });

  test("where: task keys and field conditions, sample", () => {
    expect(syscall("read").where({ comm: "nginx", uid: 33, count: { gt: 4096, le: "0x10000" }, fd: 3n }).sample(10).count().toDeclaration({ for: "1s" })).toMatchObject({
      filter: {
        comm: "nginx", uid: 33, sample: 10,
        where: [{ field: "count", op: ">", value: 4096 }, { field: "count", op: "<=", value: "0x10000" }, { field: "fd", op: "==", value: "3" }],
      },
    });
    // a later condition on a field replaces the earlier one; undefined removes
    expect(syscall("read").where({ count: 1, pid: 5 }).where({ count: { ne: 0 }, pid: undefined }).toDeclaration({ for: 1 }).filter).toEqual({ where: [{ field: "count", op: "!=", value: 0 }] });
  });

  test("a syscall's events read sys_enter_X, its returns sys_exit_X; syscall() is every syscall", () => {
    expect(syscall("openat").fields("filename").limit(10).toDeclaration({ for: "1s" })).toEqual({
      kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_openat" }, fields: ["filename"], filter: {}, durationMs: 1000, limit: 10,
    });
    expect(uprobe(LIBC, "malloc").arg("size", 0, "ulong").where({ comm: "x", size: { gt: 64 } }).histogram("size").toDeclaration({ for: "1s" })).toEqual({
      kind: "aggregate", source: { type: "uprobe", binary: LIBC, symbol: "malloc" }, values: [{ name: "size", arg: 0, type: "ulong" }],
      value: { op: "hist_log2", field: "size" }, filter: { comm: "x", where: [{ field: "size", op: ">", value: 64 }] }, keys: [], durationMs: 1000,
    });
    expect(syscall("openat").returns().where({ ret: { lt: 0 } }).count().by("comm").toDeclaration({ for: "1s" })).toMatchObject({
      source: { type: "tracepoint", name: "syscalls:sys_exit_openat" }, filter: { where: [{ field: "ret", op: "<", value: 0 }] },
    });
    expect(syscall().toDeclaration({ for: 1 })).toMatchObject({ source: { name: "raw_syscalls:sys_enter" } });
  });

  test("top(n) is applied to the result in the notebook, by the value", async () => {
    const payload: ResultPayload = {
      columns: { comm: ["a", "b", "c", "d"], count: new Float64Array([5, 50, 20, 1]) }, columnTypes: { comm: "string", count: "float64" }, rowCount: 4,
      stats: { events: 76, dropped: 0, durationMs: 1000, stoppedBy: "duration" },
    };
    setProbeHost({ run: async () => payload } as Partial<ProbeHost> as ProbeHost);
    const t = await syscall("read").count().by("comm").top(2).run({ for: "1s" });
    expect(t.objects()).toEqual([{ comm: "b", count: 50 }, { comm: "c", count: 20 }]);
    expect(t.meta.events).toBe(76);
  });
});

describe("latencies", () => {
  test("syscall latency histogram by key, with for it runs", async () => {
    const sent: AnyDeclaration[] = [];
    setProbeHost({ run: async (d) => (sent.push(d), { columns: {}, columnTypes: {}, rowCount: 0, stats: { events: 0, dropped: 0, durationMs: 1 } }) } as Partial<ProbeHost> as ProbeHost);
    await syscall("read").latency().by("comm").histogram({ for: "10s" });
    expect(sent).toEqual([{ kind: "latency", pair: { type: "syscall", name: "read" }, value: { op: "hist_log2" }, filter: {}, keys: ["comm"], durationMs: 10_000 }]);
  });

  test("block, run queue, every syscall; stats; slow pairs as events", async () => {
    expect(block().by("dev").stats().toDeclaration({ for: "1s" })).toEqual({ kind: "latency", pair: { type: "block" }, value: { op: "stats" }, filter: {}, keys: ["dev"], durationMs: 1000 });
    expect(runqueue().where({ tid: 7 }).histogram({ linear: { min: 0, max: 1_000_000, step: 100_000 } }).toDeclaration({ for: "1s" })).toEqual({
      kind: "latency", pair: { type: "runqueue" }, value: { op: "hist_linear", min: 0, max: 1_000_000, step: 100_000 }, filter: { tid: 7 }, keys: [], durationMs: 1000,
    });
    expect(syscall().latency().by("syscall").count().toDeclaration({ for: 1 })).toMatchObject({ pair: { type: "syscall" }, keys: ["syscall"] });
    const sent: AnyDeclaration[] = [];
    setProbeHost({ run: async (d) => (sent.push(d), { columns: {}, columnTypes: {}, rowCount: 0, stats: { events: 0, dropped: 0, durationMs: 1 } }) } as Partial<ProbeHost> as ProbeHost);
    await syscall("fsync").latency().by("pid").events({ over: "10ms", for: "30s" });
    expect(sent[0]).toEqual({ kind: "latency", pair: { type: "syscall", name: "fsync" }, value: { op: "count" }, filter: {}, keys: ["pid"], durationMs: 30_000, thresholdNs: 10_000_000 });
  });
});

describe("function probes, profile, tcp", () => {
  test("uprobe with arguments for one pid; uretprobe with its return value", () => {
    expect(uprobe(LIBC, "lldiv", { pid: 9 }).arg("n", 0, "long").arg("d", 1).limit(5).toDeclaration({ for: "1s" })).toEqual({
      kind: "events", source: { type: "uprobe", binary: LIBC, symbol: "lldiv" }, values: [{ name: "n", arg: 0, type: "long" }, { name: "d", arg: 1, type: "long" }],
      filter: { pid: 9 }, durationMs: 1000, limit: 5,
    });
    expect(uretprobe(LIBC, "getpid").toDeclaration({ for: 1 })).toMatchObject({ source: { retprobe: true }, values: [{ name: "ret", retval: true, type: "long" }] });
    expect(uretprobe(LIBC, "getpid").returns("r", "int").toDeclaration({ for: 1 })).toMatchObject({ values: [{ name: "r", retval: true, type: "int" }] });
  });

  test("usdt, kprobe, kretprobe, fentry", () => {
    expect(usdt("/bin/app", "app", "tick").arg("i", 0, "u32").toDeclaration({ for: 1 })).toMatchObject({ source: { type: "usdt", binary: "/bin/app", provider: "app", name: "tick" }, values: [{ name: "i", arg: 0, type: "u32" }] });
    expect(kprobe("vfs_read").toDeclaration({ for: 1 }).valueOf()).toMatchObject({ source: { type: "kprobe", function: "vfs_read" } });
    expect(kretprobe("vfs_read").toDeclaration({ for: 1 })).toMatchObject({ source: { type: "kprobe", function: "vfs_read", retprobe: true } });
    expect(fentry("vfs_read").toDeclaration({ for: 1 })).toMatchObject({ source: { type: "fentry", function: "vfs_read" } });
  });

  test("a kernel function's latency: kprobe(fn).latency() and fentry(fn).latency(), the pid as a filter", () => {
    expect(kprobe("vfs_read").where({ pid: 7 }).latency().by("comm").histogram().toDeclaration({ for: "1s" })).toEqual({
      kind: "latency", pair: { type: "kprobe", function: "vfs_read" }, value: { op: "hist_log2" }, filter: { pid: 7 }, keys: ["comm"], durationMs: 1000,
    });
    expect(fentry("vfs_fsync_range").latency().stats().toDeclaration({ for: "1s" })).toMatchObject({ pair: { type: "fentry", function: "vfs_fsync_range" }, filter: {} });
  });

  test("profile and tcp", () => {
    expect(profile({ hz: 99, kernel: false }).where({ pid: 3 }).toDeclaration({ for: "5s" })).toEqual({ kind: "profile", frequencyHz: 99, stacks: { kernel: false }, filter: { pid: 3 }, durationMs: 5000 });
    expect(tcp().where({ port: 443, family: "ipv6" }).retransmits(false).limit(10).toDeclaration({ for: "1s" })).toEqual({ kind: "tcp", port: 443, family: "ipv6", retransmits: false, durationMs: 1000, limit: 10 });
  });
});

describe("mistakes, message by message", () => {
  test.each([
    [() => syscall("Read"), 'syscall("Read"): the name must be a syscall such as "read" or "openat" (lowercase letters, digits and _)'],
    [() => syscall("read").count().by(), 'syscall("read").count().by(): name at least one key, e.g. .by("pid") or .by("comm", "cpu")'],
    [() => syscall("read").count().by("a b"), 'syscall("read").count().by("a b"): "a b" is not a key; keys are names such as "pid", "tid", "comm", "cpu", "uid", "cgroup" or a field of the source'],
    [() => syscall("read").count().every("5ms"), 'syscall("read").count().every("5ms"): the interval must be at least "10ms"'],
    [() => syscall("read").count().top(0), 'syscall("read").count().top(0): n must be a positive whole number'],
    [() => syscall("read").limit(5).count(), 'syscall("read").limit(5).count(): .limit() is for events; an aggregation has one row per key (use .top(n) to keep the largest)'],
    [() => syscall("read").fields("fd").latency(), 'syscall("read").fields("fd").latency(): .fields() and .limit() are for events; a latency\'s columns are its keys (.by(...)) and values'],
    [() => syscall("read").histogram("count", { linear: { min: 0, max: 100, step: 30 } }), 'syscall("read").histogram("count", {"linear":{"min":0,"max":100,"step":30}}): linear needs min < max and a positive step that divides max - min (got min 0, max 100, step 30)'],
    [() => syscall("read").latency().histogram({ subBuckets: 3 as never }), 'syscall("read").latency().histogram({"subBuckets":3}): subBuckets must be 1, 2, 4 or 8, not 3'],
    [() => syscall("read").where({ count: { above: 3 } as never }), 'syscall("read").where(...): unknown comparison "above" on "count"; use eq, ne, gt, ge, lt, le, mask'],
    [() => syscall("read").where({ buf: "text" }), 'syscall("read").where(...): "buf" can only be compared with a whole number (or a bigint, or a decimal or 0x-hex string), not "text"; string fields can\'t be filtered in the kernel, filter the table instead'],
    [() => syscall("read").sample(0), 'syscall("read").sample(0): keep one event in n, with n a whole number from 1 up'],
    [() => uprobe("libc.so.6", "malloc"), 'uprobe("libc.so.6", "malloc"): the binary must be an absolute path, e.g. "/usr/lib/x86_64-linux-gnu/libc.so.6"'],
    [() => uprobe(LIBC, "malloc").returns(), `uprobe("${LIBC}", "malloc").returns("ret", "long"): the return value exists only at a function's return: use uretprobe(...) (or kretprobe(...))`],
    [() => uprobe(LIBC, "malloc").arg("pid", 0), `uprobe("${LIBC}", "malloc").arg("pid", 0, "long"): "pid" is already a column of every row (time_ns, time, cpu, pid, tid, uid, gid, comm, cgroup); choose another name`],
    [() => uprobe(LIBC, "malloc").arg("size", 0, "size_t" as never), `uprobe("${LIBC}", "malloc").arg("size", 0, "size_t"): unknown type "size_t"; use one of int, uint, long, ulong, s8, u8, s16, u16, s32, u32, s64, u64, pointer, string`],
    [() => uprobe(LIBC, "malloc").histogram("size"), `uprobe("${LIBC}", "malloc").histogram("size"): name an integer value declared with .arg() or .returns() (none declared yet), e.g. .arg("size", 0, "ulong").histogram("size")`],
    [() => profile({ hz: 5000 }), 'profile({"hz":5000}): hz must be a whole number of samples per second from 1 to 1000'],
    [() => tcp().where({ port: 70000 }), "tcp().where(...): port must be a TCP port from 1 to 65535, not 70000"],
  ])("%#", (make, message) => {
    expect(make).toThrow(message);
    try {
      make();
    } catch (error) {
      expect((error as Error).message).toBe(message);
    }
  });

  test("a latency threshold that is not a time", async () => {
    await expect(syscall("read").latency().events({ over: "soon", for: "1s" })).rejects.toThrow('syscall("read").latency().events(...): over "soon" is not a time: write a number and a unit, e.g. "500ns", "250us", "1ms" or "1s"');
  });
});

describe("background runs and explain through the host", () => {
  test("start() returns at once; snapshot and stop go to the run's name", async () => {
    const calls: string[] = [];
    const payload = (n: number): ResultPayload => ({ columns: { cpu: new Uint32Array([0]), count: new Float64Array([n]) }, columnTypes: {}, rowCount: 1, stats: { events: n, dropped: 0, durationMs: 10 } });
    setProbeHost({
      start: async (name, code, d) => (calls.push(`start ${name} ${code} ${d.durationMs}`), { name, code, declaration: d, startedAt: 0, state: "running", snapshots: true }),
      snapshot: async (name) => (calls.push(`snapshot ${name}`), payload(1)),
      stop: async (name) => (calls.push(`stop ${name}`), { ...payload(2), stats: { ...payload(2).stats, stoppedBy: "abort" } }),
    } as Partial<ProbeHost> as ProbeHost);
    const run = tracepoint("sched:sched_switch").count().by("cpu").every("1s").start();
    expect(String(run)).toBe('background run "tracepoint(\\"sched:sched_switch\\").count().by(\\"cpu\\").every(\\"1s\\")" (starting)');
    const snap = await run.snapshot();
    expect([snap.get("count", 0), snap.meta.partial]).toEqual([1, true]);
    expect((await run.stop()).get("count", 0)).toBe(2);
    expect(calls).toEqual([
      `start tracepoint("sched:sched_switch").count().by("cpu").every("1s") tracepoint("sched:sched_switch").count().by("cpu").every("1s") ${DAY}`,
      'snapshot tracepoint("sched:sched_switch").count().by("cpu").every("1s")',
      'stop tracepoint("sched:sched_switch").count().by("cpu").every("1s")',
    ]);
  });
});

describe("lean event columns", () => {
  test(".columns() names the common columns the kernel fills", () => {
    expect(tracepoint("syscalls:sys_enter_getppid").columns("time_ns", "pid", "cpu").toDeclaration({ for: "1s" })).toEqual({
      kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" },
      fields: [], columns: ["time_ns", "pid", "cpu"], filter: {}, durationMs: 1000,
    });
  });

  test("an aggregation refuses .columns()", () => {
    expect(() => tracepoint("syscalls:sys_enter_read").columns("pid").count({ for: "1s" })).toThrow(
      'tracepoint("syscalls:sys_enter_read").columns("pid").count(): .fields() and .columns() choose event columns; an aggregation\'s columns are its keys (.by(...)) and values');
  });
});
