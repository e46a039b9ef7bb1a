// The doctest runner's rewriting (example-cell.ts): a shown result becomes a
// check, a placeholder pid the workload's, a named setup is put first, and a
// check that does not hold fails the cell (run in a real sandbox).
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import { createExecutor, type Session } from "../../runtime/session.js";
import { recordingContext } from "../runtime/fixtures/recording-context.js";
import { CHECKS_PRELUDE, prepareCell } from "./example-cell.js";
import { SETUPS } from "./setups.js";

test("a result shown in a comment, on the line or under it, becomes a check; prose stays prose", () => {
  const cell = prepareCell('parseDuration("5s") // 5000\nt.meta.dropped  // 0 when nothing was lost\nObject.keys(x)\n// ["a", "b"]', { pid: 7 });
  expect(cell.checks).toBe(2);
  expect(cell.code).toContain('__doctest.check(await (parseDuration("5s")), 5000, "5000")');
  expect(cell.code).toContain('await (t.meta.dropped)');
  expect(cell.code).toContain('__doctest.check(await (Object.keys(x)), ["a", "b"], "[\\"a\\", \\"b\\"]")');
});

test("a value over several comment lines, a date and a column list are checked too", () => {
  const cell = prepareCell('p.toDeclaration()\n// { kind: "events",\n//   limit: 10 }\nt.at(0) // 1970-01-01T00:00:00.000Z\nt2 // columns: time_ns, pid', { pid: 7 });
  expect(cell.checks).toBe(3);
  expect(cell.code).toContain('{ kind: "events", limit: 10 }');
  expect(cell.code).toContain('__doctest.checkDate(await (t.at(0)), "1970-01-01T00:00:00.000Z"');
  expect(cell.code).toContain('__doctest.checkColumns(await (t2), ["time_ns","pid"]');
});

test("placeholder pids become the workload's; named setups used and not declared come first; paths are listed", () => {
  const cell = prepareCell('await uprobe(libc, "lldiv").where({ pid: 4242 }).events({ for: "1s" })', { pid: 99 });
  expect(cell.setups).toEqual(["libc"]);
  expect(cell.code.startsWith(SETUPS.libc!.code)).toBe(true);
  expect(cell.code).toContain("pid: 99");
  expect(cell.paths).toEqual(["/usr/lib/x86_64-linux-gnu/libc.so.6"]);
  expect(prepareCell('const libc = "/lib/x";\nlibc', { pid: 1 }).setups).toEqual([]);
});

let session: Session;
beforeAll(async () => {
  await buildSandbox();
  session = createExecutor({ warmUpAfterMs: false });
}, 60_000);
afterAll(() => session.shutdown());

test.each([
  ["1 + 1 // 3", "Error: the example shows 3 but the value is 2"],
  ['"a" + "b" // "ab"', "ok"],
  ['new Date(0) // 1970-01-01T00:00:01.000Z', "Error: the example shows 1970-01-01T00:00:01.000Z but the value is Thu Jan 01 1970 00:00:00 GMT+0000 (Coordinated Universal Time)"],
  ['aq.table({ a: [1], b: [2] }) // columns: a, b', "ok"],
  ['aq.table({ a: [1] }) // columns: a, b', 'Error: the example shows columns: a, b but the value is ["a"]'],
])("in a sandbox, %s -> %s", async (example, expected) => {
  expect((await session.execute(CHECKS_PRELUDE, recordingContext(1))).status).toBe("ok");
  const outcome = await session.execute(prepareCell(example, { pid: 1 }).code, recordingContext(2));
  expect(outcome.status === "error" ? `${outcome.ename}: ${outcome.evalue}` : "ok").toBe(expected);
}, 30_000);
