// More sources and shapes from cell source through the real kernel path: a time
// series, uretprobe return values, USDT arguments, TCP connections, a CPU
// profile, block I/O and run-queue latency, each on a workload the test starts.
// Plus the planner's errors as the cell sees them, and inspect's TSDoc.

import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { rmSync } from "node:fs";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { expect, test } from "vitest";
import { libcPath } from "../../runtime/host/features.js";
import { createExecutor } from "../../runtime/session.js";
import { buildC } from "../bpf/support/build-c.js";
import { blockTargetOf, directWriteSectors } from "../bpf/support/direct-writes.js";
import { startHeld, withHeldWorkload } from "../bpf/support/workload.js";
import { workloadFile } from "../support/workload-file.js";
import { cellPrinted as cell } from "./fixtures/real-runner.js";

const steps = workloadFile("agg-steps", { sandbox: true });

test("a time series: every interval's exact count", async () => {
  const s = await steps.stepper();
  const printed = await cell([
    `const t = await syscall("getppid").where({ pid: ${s.pid} }).count().every("250ms").run({ for: "1s" });`,
    `console.log(JSON.stringify(t.select(aq.not("time")).objects()))`,
  ].join("\n"), {
    onAttached: () => s.step("p 100"),
    onInterval: async (index) => {
      if (index === 0) await s.step("p 200");
      if (index === 1) await s.step("p 300");
    },
  });
  expect(printed).toEqual([{ interval: 0, count: 100 }, { interval: 1, count: 200 }, { interval: 2, count: 300 }]);
}, 60_000);

test("uretprobe: the return value of every call", async () => {
  const printed = await withHeldWorkload("libc-calls", ["50"], (w) => cell([
    `const r = await uretprobe(${JSON.stringify(libcPath())}, "strverscmp", { pid: ${w.pid} }).returns("r", "int").events({ for: "300ms" });`,
    `console.log(JSON.stringify(r.derive({ sign: (d) => op.sign(d.r) }).groupby("sign").count().orderby("sign").objects()))`,
  ].join("\n"), { onAttached: async () => void (await w.go()) }));
  // strverscmp("item-<i>", "item-2") for i = 1..50: below for 1, equal for 2, above for the rest
  expect(printed).toEqual([{ sign: -1, count: 1 }, { sign: 0, count: 1 }, { sign: 1, count: 48 }]);
}, 60_000);

test("usdt: a probe's arguments by position, numbers and strings", async () => {
  const printed = await withHeldWorkload("usdt-ticks", ["20"], (w, bin) => cell([
    `const t = await usdt(${JSON.stringify(bin)}, "probebook_test", "tick", { pid: ${w.pid} }).arg("i", 0, "long").arg("label", 1, "string").events({ for: "300ms" });`,
    `console.log(JSON.stringify([t.numRows(), t.get("i", 0), t.get("label", 0), t.get("i", 19), t.get("label", 19)]))`,
  ].join("\n"), { onAttached: async () => void (await w.go()) }));
  expect(printed).toEqual([20, 1, "tick-1", 20, "tick-20"]);
}, 60_000);

test("tcp(): N loopback connections give N connects with the right ports", async () => {
  const N = 3;
  const server = createServer((s) => s.end("hi"));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const clientPorts: number[] = [];
  try {
    const printed = await cell([
      `const t = await tcp().where({ port: ${port}, family: "ipv4" }).retransmits(false).events({ for: "500ms" });`,
      `const connects = t.filter(aq.escape((d) => d.old_state === "SYN_SENT" && d.new_state === "ESTABLISHED"));`,
      `console.log(JSON.stringify({ ports: connects.array("sport").slice().sort(), dport: [...new Set(connects.array("dport"))], daddr: [...new Set(connects.array("daddr"))] }))`,
    ].join("\n"), {
      onAttached: async () => {
        for (let i = 0; i < N; i++) {
          const c = createConnection({ host: "127.0.0.1", port });
          await once(c, "connect");
          clientPorts.push(c.localPort!);
          c.resume();
          await once(c, "end");
          c.end();
          await once(c, "close");
        }
      },
    });
    expect(printed).toEqual({ ports: clientPorts.sort(), dport: [port], daddr: ["127.0.0.1"] });
  } finally {
    server.close();
  }
}, 60_000);

test("profile(): a busy child's spinning function is its hottest stack", async () => {
  const busy = buildC("busy-loop", ["-O0", "-fno-omit-frame-pointer"]);
  let w: Awaited<ReturnType<typeof startHeld>> | undefined;
  try {
    // The child spins once told to go, right after the perf events are attached.
    const printed = await cell([
      `const all = await profile({ hz: 99 }).run({ for: "1s" });`,
      `const pid = all.filter((d) => d.comm === "busy-loop").get("pid", 0);`,
      `const p = all.params({ pid }).filter((d, $) => d.pid === $.pid);`,
      `const top = p.orderby(aq.desc("samples")).objects()[0];`,
      `const spinning = p.objects().filter((r) => /main;probebook_spin_here/.test(r.stack)).reduce((n, r) => n + r.samples, 0);`,
      `console.log(JSON.stringify({ comm: top.comm, spins: /main;probebook_spin_here/.test(top.stack), many: spinning > 30, events: all.meta.events === all.rollup({ n: (d) => op.sum(d.samples) }).get("n", 0) }))`,
    ].join("\n"), {
      onAttached: async () => {
        w = await startHeld(busy.bin, ["1500"]);
        void w.go();
      },
    });
    expect(printed).toEqual({ comm: "busy-loop", spins: true, many: true, events: true });
  } finally {
    w?.dispose();
    busy.cleanup();
  }
}, 60_000);

// The workload's own requests are told apart from the rest of the disk's traffic
// (the file system's metadata and flushes, other processes) by where they land:
// the sectors of the file's blocks (FIEMAP) on the disk. Each 4 KiB O_DIRECT
// write into the preallocated file is one request, issued by the writer and
// waited for before the next: one "WS" (write, sync) request per sector.
const N_WRITES = 64;

interface BlockRow { dev: number; sector: number; rwbs?: string; count?: number; min?: number; max?: number; latency_ns?: number }

/**
 * Runs `code` while `d PATH N_WRITES` writes a new file; `code` prints { why, rows }: its result's
 * explain().why (which names a tp_btf variant when the plan has one) and its rows on the disk.
 * Returns those and the sectors the writes went to.
 */
async function whileWritingDirect(code: (dev: number) => string): Promise<{ why: string; rows: BlockRow[]; dev: number; sectors: number[] }> {
  const target = blockTargetOf(process.cwd());
  const path = join(process.cwd(), `.probebook-dio-${randomBytes(6).toString("hex")}`);
  const s = await steps.stepper();
  try {
    const printed = await cell(code(target.dev), { onAttached: () => s.step(`d ${path} ${N_WRITES}`) });
    const { why, rows } = printed as { why?: string; rows?: BlockRow[] };
    if (why === undefined || !rows) throw new Error(`the cell failed: ${JSON.stringify(printed)}`);
    const sectors = directWriteSectors(steps.bin, path, N_WRITES, target);
    expect(new Set(sectors).size).toBe(N_WRITES);
    return { why, rows, dev: target.dev, sectors };
  } finally {
    rmSync(path, { force: true });
  }
}

test("block(): each O_DIRECT write is one write request at its sector, with a latency", async () => {
  const { why, rows, dev, sectors } = await whileWritingDirect((d) => [
    `const b = await block().where({ dev: ${d} }).by("dev", "sector", "rwbs").stats().run({ for: "300ms" });`,
    `console.log(JSON.stringify({ why: b.meta.explain.why, rows: b.select("dev", "sector", "rwbs", "count", "min", "max").objects() }))`,
  ].join("\n"));
  // rwbs and the where filter are read from the classic records: a completion that interrupts another
  // BPF program on its CPU (bpf_prog_active) is skipped, and its row would be missing
  expect(why).not.toContain("tp_btf variant");
  expect(rows.every((r) => r.dev === dev)).toBe(true);
  const mine = rows.filter((r) => sectors.includes(r.sector)).sort((a, b) => a.sector - b.sector);
  expect(mine.map(({ dev, sector, rwbs, count }) => ({ dev, sector, rwbs, count })))
    .toEqual([...sectors].sort((a, b) => a - b).map((sector) => ({ dev, sector, rwbs: "WS", count: 1 })));
  // one request each: its only latency is its min and its max, above 0 and below a second
  expect(mine.every((r) => r.min === r.max && r.min! > 0 && r.min! < 1e9)).toBe(true);
}, 60_000);

test("block().events(): one row per O_DIRECT write, at its sector", async () => {
  const { why, rows, dev, sectors } = await whileWritingDirect((d) => [
    `const e = await block().by("dev", "sector").events({ over: 0, for: "300ms" });`,
    `console.log(JSON.stringify({ why: e.meta.explain.why, rows: e.filter(aq.escape((r) => r.dev === ${d})).objects() }))`,
  ].join("\n"));
  // dev and sector alone: the plan has BTF tracepoints, which the loader keeps on this kernel (the
  // variant that ran is checked in aggregate-latency.test.ts): never skipped for another BPF program
  expect(why).toContain("tp_btf variant");
  const mine = rows.filter((r) => sectors.includes(r.sector));
  expect(mine.map((r) => r.sector)).toEqual(sectors); // written, and so completed, in order
  expect(mine.every((r) => r.dev === dev && r.latency_ns! > 0 && r.latency_ns! < 1e9)).toBe(true);
}, 60_000);

test("runqueue(): two busy processes pinned to one CPU wait for each other", async () => {
  const a = await steps.stepper(), b = await steps.stepper();
  await a.step("c 0");
  await b.step("c 0");
  const printed = await cell([
    `const r = await runqueue().by("tid", "comm").stats().run({ for: "100ms" });`,
    `const ours = r.filter(aq.escape((d) => d.tid === ${a.pid} || d.tid === ${b.pid})).orderby("tid");`,
    `console.log(JSON.stringify({ tids: ours.array("tid"), comms: [...new Set(ours.array("comm"))], waited: ours.rollup({ s: (d) => op.sum(d.sum) }).get("s", 0) > 100e6 }))`,
  ].join("\n"), { onAttached: async () => void (await Promise.all([a.step("b 300"), b.step("b 300")])) });
  expect(printed).toEqual({ tids: [a.pid, b.pid].sort((x, y) => x - y), comms: ["agg-steps"], waited: true });
}, 60_000);

test("the planner's errors reach the cell as written", async () => {
  expect(await cell(`await syscall("getppidd").count({ for: "1s" })`)).toEqual({
    error: 'PlanError: Unknown tracepoint "syscalls:sys_enter_getppidd". Closest: syscalls:sys_enter_getppid, syscalls:sys_enter_getpid, syscalls:sys_enter_getpgid, syscalls:sys_enter_getgid, syscalls:sys_enter_getsid.',
  });
  const unknownKey = (await cell(`await syscall("read").count().by("bytes").run({ for: "1s" })`)) as { error: string };
  expect(unknownKey.error).toMatch(/^PlanError: .*"bytes".*count \(size_t\)/);
  const unknownField = (await cell(`await tracepoint("sched:sched_switch").where({ prev_pidd: 1 }).events({ for: "1s" })`)) as { error: string };
  expect(unknownField.error).toMatch(/^PlanError: filter\.where\[0\]: tracepoint sched:sched_switch has no field "prev_pidd"\. Did you mean "prev_pid"\?/);
}, 60_000);

test("inspect shows the TSDoc and @example of the new sources and shapes", async () => {
  const session = createExecutor({ warmUpAfterMs: false });
  try {
    for (const [code, signature, example] of [
      ['syscall("read")', "syscall(name?: string): SyscallProbe", 'await syscall("getppid").count().by("pid").run({ for: "1s" })'],
      ['explain(x)', "explain(probe: Probe | ProbeTable, options?: ExplainOptions): Promise<Explanation>", "explain(syscall(\"read\").latency().histogram())"],
      ['uprobe("/a", "b")', "uprobe(binary: string, symbol: string, options?: ProcessOptions): FunctionProbe<\"entry\">", 'await uprobe(libc, "lldiv")'],
    ] as const) {
      const result = await session.inspect(code, 2, 0);
      const text = String(result.data["text/plain"]);
      expect(text.split("\n\n")[0]).toBe(signature);
      expect(text).toContain(`@example ${"```"}ts`);
      expect(text).toContain(example);
    }
    const code = 'syscall("read").latency().histogram(';
    const method = await session.inspect(code, code.length, 0);
    expect(String(method.data["text/markdown"])).toContain("**Example**");
  } finally {
    await session.shutdown();
  }
}, 60_000);
