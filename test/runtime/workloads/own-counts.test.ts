// Each catalog workload from a cell: a probe filtered on w.pid (or its tids)
// counts exactly what the workload says it did.
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildSandbox } from "../../../scripts/build-sandbox.mjs";
import { recordingContext } from "../fixtures/recording-context.js";
import { cellJson, workloadSession } from "./session-workload.js";

const session = workloadSession();
beforeAll(() => buildSandbox(), 60_000);
afterAll(() => session.shutdown());

const countedCell = (name: string, params: string, tracepoint: string) => [
  `const w = await workload(${JSON.stringify(name)}, ${params});`,
  `const run = tracepoint(${JSON.stringify(tracepoint)}).where({ pid: w.pid }).count().start();`,
  `await run.started;`,
  `const end = await w.start();`,
  `const t = await run.stop();`,
  `console.log(JSON.stringify({ seen: t.get("count", 0), exitCode: end.exitCode, counts: end.counts }))`,
];

test("getppid-loop: 50000 calls, exactly 50000 sys_enter_getppid for its pid", async () => {
  expect(await cellJson(session, countedCell("getppid-loop", "{ calls: 50000 }", "syscalls:sys_enter_getppid")))
    .toEqual({ seen: 50000, exitCode: 0, counts: { calls: 50000 } });
});

test("sleep-loop: 50 sleeps of 2 ms, exactly 50 sys_enter_clock_nanosleep for its pid", async () => {
  const seen = (await cellJson(session, countedCell("sleep-loop", "{ sleeps: 50, us: 2000 }", "syscalls:sys_enter_clock_nanosleep"))) as { counts: { sleptUs: number } };
  expect(seen).toEqual({ seen: 50, exitCode: 0, counts: { sleeps: 50, sleptUs: expect.any(Number) } });
  expect(seen.counts.sleptUs).toBeGreaterThanOrEqual(50 * 2000);
});

test("sleep-loop refuses more than 60 s of sleeping", async () => {
  const outcome = await session.execute(`await workload("sleep-loop", { sleeps: 1000, us: 100000 })`, recordingContext(9));
  expect(outcome.status === "error" && outcome.evalue).toBe('workload("sleep-loop", ...): sleeps x us must be at most 60 s (60000000 us), not 100000000 us');
});

test("tcp-echo: 200 connections of 4096 bytes, exactly 200 connect calls for its pid, every byte echoed", async () => {
  const seen = await cellJson(session, [
    ...countedCell("tcp-echo", "{ connections: 200, bytes: 4096 }", "syscalls:sys_enter_connect").slice(0, -1),
    `console.log(JSON.stringify({ seen: t.get("count", 0), exitCode: end.exitCode, counts: end.counts, port: w.info.port > 0, address: w.info.address, threads: w.tids.length }))`,
  ]);
  expect(seen).toEqual({ seen: 200, exitCode: 0, counts: { connections: 200, bytesSent: 200 * 4096, bytesEchoed: 200 * 4096 }, port: true, address: "127.0.0.1", threads: 2 });
});

test("cpu-spin: profiled while it spins, its hottest user frame is its spinning function, under its call chain", async () => {
  const seen = await cellJson(session, [
    `const w = await workload("cpu-spin", { ms: 3000 });`,
    `const ended = w.start();`,
    `const p = await profile({ hz: 99 }).where({ pid: w.pid }).run({ for: "1s" });`,
    `const top = p.orderby(aq.desc("samples")).objects()[0];`,
    `const end = await ended;`,
    `console.log(JSON.stringify({ leaf: top.stack.split(";").pop(), chain: /main;probebook_serve;probebook_handle;probebook_hash$/.test(top.stack), hottest: w.info.hottest, comm: top.comm, requests: end.counts.requests > 0, exitCode: end.exitCode }))`,
  ]);
  expect(seen).toEqual({ leaf: "probebook_hash", chain: true, hottest: "probebook_hash", comm: "cpu-spin", requests: true, exitCode: 0 });
});

test("contention: more threads than CPUs; exactly its sleeps in clock_nanosleep, and they waited in the run queue", async () => {
  const seen = await cellJson(session, [
    `const w = await workload("contention", { threadsPerCpu: 3, loops: 100, spinUs: 500 });`,
    `const sleeps = tracepoint("syscalls:sys_enter_clock_nanosleep").where({ pid: w.pid }).count().start();`,
    `const queued = runqueue().count().by("tid").start();`,
    `await sleeps.started; await queued.started;`,
    `const end = await w.start();`,
    `const s = await sleeps.stop(), q = await queued.stop();`,
    `console.log(JSON.stringify({ seen: s.get("count", 0), counts: end.counts, threads: w.info.threads === w.info.cpus * 3, tids: w.tids.length === w.info.threads + 1, waits: q.params({ tids: w.tids }).filter((d, $) => op.includes($.tids, d.tid)).rollup({ n: (d) => op.sum(d.count) }).get("n", 0) >= end.counts.sleeps, exitCode: end.exitCode }))`,
  ]);
  const cpus = (await import("node:os")).availableParallelism();
  expect(seen).toEqual({ seen: cpus * 300, counts: { threads: cpus * 3, sleeps: cpus * 300 }, threads: true, tids: true, waits: true, exitCode: 0 });
});

test("timed-calls: a uprobe on its function and its USDT probe count exactly its calls, and its latency pairs time every one", async () => {
  const seen = await cellJson(session, [
    `const w = await workload("timed-calls", { fast: 6, slow: 4, fastUs: 2000, slowUs: 20000 });`,
    `const calls = uprobe(w.binary, w.info.function, { pid: w.pid }).count().start();`,
    `const ticks = usdt(w.binary, w.info.usdtProvider, w.info.usdtName, { pid: w.pid }).count().start();`,
    `const slow = uprobe(w.binary, w.info.function, { pid: w.pid }).latency().count().start();`,
    `await calls.started; await ticks.started; await slow.started;`,
    `const end = await w.start();`,
    `const c = await calls.stop(), t = await ticks.stop(), l = await slow.stop();`,
    `console.log(JSON.stringify({ calls: c.get("count", 0), ticks: t.get("count", 0), timed: l.get("count", 0), counts: end.counts }))`,
  ]);
  expect(seen).toEqual({ calls: 10, ticks: 10, timed: 10, counts: { calls: 10, fast: 6, slow: 4 } });
});

test("direct-io: exactly its pwrite64 and pread64 calls for its pid, and its writes reach the block layer", async () => {
  const seen = await cellJson(session, [
    `const w = await workload("direct-io", { blocks: 64, kib: 4 });`,
    `const writes = tracepoint("syscalls:sys_enter_pwrite64").where({ pid: w.pid }).count().start();`,
    `const reads = tracepoint("syscalls:sys_enter_pread64").where({ pid: w.pid }).count().start();`,
    `const issued = tracepoint("block:block_rq_issue").where({ pid: w.pid }).count().start();`,
    `await writes.started; await reads.started; await issued.started;`,
    `const end = await w.start();`,
    `const wr = await writes.stop(), rd = await reads.stop(), io = await issued.stop();`,
    `console.log(JSON.stringify({ writes: wr.get("count", 0), reads: rd.get("count", 0), issued: io.get("count", 0) >= 64, counts: end.counts }))`,
  ]);
  expect(seen).toEqual({ writes: 64, reads: 64, issued: true, counts: { writes: 64, reads: 64, bytesWritten: 64 * 4096, bytesRead: 64 * 4096 } });
});
