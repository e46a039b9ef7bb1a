// open-loop from a cell: a probe filtered on w.pid counts exactly the opens
// the workload says it made, and exactly its ENOENT failures from the exit
// tracepoint's ret.
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildSandbox } from "../../../scripts/build-sandbox.mjs";
import { cellJson, workloadSession } from "./session-workload.js";

const session = workloadSession();
beforeAll(() => buildSandbox(), 60_000);
afterAll(() => session.shutdown());

test("1000 opens, 100 of a missing path: exactly 1000 openat rows with its pid and paths, exactly 100 ENOENT", async () => {
  const seen = await cellJson(session, [
    `const w = await workload("open-loop", { opens: 1000, missing: 100 });`,
    `const enter = tracepoint("syscalls:sys_enter_openat").where({ pid: w.pid }).fields("filename").events().start();`,
    `const exit = tracepoint("syscalls:sys_exit_openat").where({ pid: w.pid }).fields("ret").events().start();`,
    `await enter.started; await exit.started;`,
    `const end = await w.start();`,
    `const opens = await enter.stop(), rets = await exit.stop();`,
    `const byPath = Object.fromEntries(opens.groupby("filename").count().objects().map((r) => [r.filename === w.info.path ? "path" : r.filename === w.info.missingPath ? "missing" : r.filename, r.count]));`,
    `console.log(JSON.stringify({`,
    `  pids: opens.rollup({ p: aq.op.distinct("pid") }).get("p", 0), pid: opens.get("pid", 0) === w.pid,`,
    `  rows: opens.numRows(), byPath, enoent: rets.filter((d) => d.ret === -2).numRows(), exits: rets.numRows(),`,
    `  end: { exitCode: end.exitCode, endedBy: end.endedBy, counts: end.counts }, comm: w.comm, tids: w.tids.length, mainTid: w.tids[0] === w.pid,`,
    `}))`,
  ]);
  expect(seen).toEqual({
    pids: 1, pid: true, rows: 1000, byPath: { path: 900, missing: 100 }, enoent: 100, exits: 1000,
    end: { exitCode: 0, endedBy: "exit", counts: { opens: 1000, opened: 900, enoent: 100, failed: 0 } },
    comm: "open-loop", tids: 1, mainTid: true,
  });
});
