// runtime/sandbox/prelude/table-errors.ts. A column a table does not have: the cell sees the name it asked for and the
// table's columns (runtime/sandbox/prelude/table-errors.ts), not arquero 8's
// cut snippet of its own code (`Invalid column reference: "nt"` for "count").
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildSandbox } from "../../../scripts/build-sandbox.mjs";
import { createExecutor, type Session } from "../../../runtime/session.js";
import { recordingContext, streamText } from "../fixtures/recording-context.js";

let session: Session;
let n = 0;
beforeAll(async () => {
  await buildSandbox();
  session = createExecutor({ warmUpAfterMs: false });
}, 60_000);
afterAll(() => session.shutdown());

async function error(code: string): Promise<string> {
  const outcome = await session.execute(`const t = aq.table({ samples: [3, 1, 2], comm: ["a", "b", "c"] });\n${code}`, recordingContext(++n));
  return outcome.status === "error" ? `${outcome.ename}: ${outcome.evalue}` : "no error";
}

const COLUMNS = "its columns are: samples, comm";

test.each([
  ['t.orderby(aq.desc("count"))', `RangeError: table.orderby(...): the table has no column "count"; ${COLUMNS}`],
  ['t.orderby("count")', `RangeError: table.orderby(...): the table has no column "count"; ${COLUMNS}`],
  ['t.groupby("pid").count()', `RangeError: table.groupby(...): the table has no column "pid"; ${COLUMNS}`],
  ["t.filter((d) => d.count > 1)", `RangeError: table.filter(...): the table has no column "count"; ${COLUMNS}`],
  ['t.derive({ twice: (row) => row["cnt"] * 2 })', `RangeError: table.derive(...): the table has no column "cnt"; ${COLUMNS}`],
  ['t.filter("d.count > 1 && d.samples > 0")', `RangeError: table.filter(...): the table has no column "count"; ${COLUMNS}`],
  ['t.rollup({ total: aq.op.sum("count") })', `RangeError: table.rollup(...): the table has no column "count"; ${COLUMNS}`],
  ['t.select("count", "pid")', `RangeError: table.select(...): the table has no columns "count", "pid"; ${COLUMNS}`],
  ['t.array("count")', `RangeError: table.array("count"): the table has no column "count"; ${COLUMNS}`],
  ['t.get("count", 0)', `RangeError: table.get("count"): the table has no column "count"; ${COLUMNS}`],
])("%s names the missing column and the table's columns", async (code, message) => {
  expect(await error(code)).toBe(message);
}, 30_000);

test("the cell can catch it, with arquero's error as its cause; good calls and other errors are untouched", async () => {
  const ctx = recordingContext(++n);
  const outcome = await session.execute(`
    const t = aq.table({ samples: [3, 1, 2] });
    let caught;
    try { t.orderby(aq.desc("count")); } catch (e) { caught = e; }
    console.log(JSON.stringify({ name: caught.name, cause: caught.cause.message, sorted: t.orderby(aq.desc("samples")).array("samples"), get: t.get("samples", 0) }));
    t.derive({ x: "d.samples +" })`, ctx);
  expect(JSON.parse(streamText(ctx, "stdout"))).toEqual({ name: "RangeError", cause: 'Invalid column reference: "nt"', sorted: [3, 2, 1], get: 3 });
  expect(outcome).toMatchObject({ status: "error", ename: "Error", evalue: "Expression parse error: d.samples +" });
}, 30_000);
