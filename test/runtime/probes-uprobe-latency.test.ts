// uprobe(binary, symbol).latency() from cell source through the real kernel
// path (sandbox -> planner -> lat_pairs' uprobe/uretprobe pair): the workload's
// own probebook_timed_call() sleeps 8.5 ms 7 times, then 34 ms 5 times.
import { expect, test } from "vitest";
import { workloadFile } from "../support/workload-file.js";
import { cellOnWorkload as cellOnTimedCalls } from "./fixtures/real-runner.js";

const timedCalls = workloadFile("timed-calls", { flags: ["-O0"], sandbox: true });

const cellOnWorkload = (code: (bin: string, pid: number) => string) =>
  cellOnTimedCalls(timedCalls.bin, [], (pid) => code(timedCalls.bin, pid));

test("uprobe(...).latency().histogram(): 7 calls in [2^23, 2^24) ns, 5 in [2^25, 2^26) ns", async () => {
  const printed = await cellOnWorkload((bin, pid) => [
    `const t = await uprobe(${JSON.stringify(bin)}, "probebook_timed_call", { pid: ${pid} }).latency().histogram({ subBuckets: 1, for: "100ms" });`,
    `console.log(JSON.stringify(t.objects()))`,
  ].join("\n"));
  expect(printed).toEqual([
    { lower: 2 ** 23, upper: 2 ** 24, count: 7 },
    { lower: 2 ** 25, upper: 2 ** 26, count: 5 },
  ]);
}, 60_000);

test("by comm, and the slow calls as events", async () => {
  const byComm = await cellOnWorkload((bin, pid) => [
    `const t = await uprobe(${JSON.stringify(bin)}, "probebook_timed_call", { pid: ${pid} }).latency().by("comm").count({ for: "100ms" });`,
    `console.log(JSON.stringify(t.objects()))`,
  ].join("\n"));
  expect(byComm).toEqual([{ comm: "timed-calls", count: 12 }]);
  let workloadPid: number | undefined;
  const slow = await cellOnWorkload((bin, pid) => {
    workloadPid = pid;
    return [
      `const t = await uprobe(${JSON.stringify(bin)}, "probebook_timed_call", { pid: ${pid} }).latency().by("pid").events({ over: "20ms", for: "100ms" });`,
      `console.log(JSON.stringify([t.numRows(), [...new Set(t.array("pid"))], t.array("latency_ns").every((ns) => ns >= 34e6)]))`,
    ].join("\n");
  });
  expect(slow).toEqual([5, [workloadPid], true]); // the 34 ms calls, each from the workload's pid
}, 60_000);

test("an unknown symbol: the cell sees the planner's error with the closest names", async () => {
  const printed = await cellOnWorkload((bin) =>
    `await uprobe(${JSON.stringify(bin)}, "probebook_timed_cal").latency().histogram({ for: "100ms" });`);
  expect(printed).toEqual({ error: expect.stringMatching(/^PlanError: .*timed-calls has no function "probebook_timed_cal" in its symbol tables\. Closest: probebook_timed_call/) });
}, 60_000);
