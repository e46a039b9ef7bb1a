// help(value): a global's TSDoc in the execute_reply's pager payload
// (ExecuteContext.page), the same text inspect_request shows for it.

import { afterAll, beforeAll, expect, test } from "vitest";
import type { MimeBundle } from "../../kernel/executor.js";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import { createExecutor, type Session } from "../../runtime/session.js";
import { recordingContext, streamText } from "./fixtures/recording-context.js";

let session: Session;
let count = 0;

beforeAll(async () => {
  await buildSandbox();
  session = createExecutor({ warmUpAfterMs: false });
}, 60_000);
afterAll(() => session.shutdown());

async function help(code: string) {
  const pages: MimeBundle[] = [];
  const ctx = { ...recordingContext(++count), page: (bundle: MimeBundle) => void pages.push(bundle) };
  const outcome = await session.execute(code, ctx);
  return { outcome, pages, stdout: streamText(ctx, "stdout") };
}

test("help(tracepoint) pages the TSDoc that inspect shows, and the cell shows nothing else", async () => {
  const { outcome, pages, stdout } = await help("help(tracepoint)");
  expect(outcome).toEqual({ status: "ok" });
  expect(stdout).toBe("");
  const inspected = await session.inspect("tracepoint", "tracepoint".length, 0);
  expect(inspected.found).toBe(true);
  expect(pages).toEqual([inspected.data]);
  expect(String(pages[0]!["text/plain"])).toMatch(/^function tracepoint\(name: string\): TracepointProbe\n\nStarts a probe on a kernel tracepoint/);
}, 30_000);

test("members of namespaces and names as strings are found too", async () => {
  const table = await help("help(aq.table)");
  expect(String(table.pages[0]?.["text/plain"])).toMatch(/^function table\(columns: object \| Map<any, any>, names\?: string\[\]\): aq\.ColumnTable\n\nCreate a new table for a set of named columns\./);
  const byName = await help('help("aq.table")');
  expect(byName.pages).toEqual(table.pages);
}, 30_000);

test("a function of an earlier cell pages its signature", async () => {
  await session.execute("/** Doubles it. */\nfunction twice(n: number): number { return n * 2 }", recordingContext(++count));
  const { pages } = await help("help(twice)");
  expect(pages.map((p) => p["text/plain"])).toEqual(["function twice(n: number): number\n\nDoubles it."]);
}, 30_000);

test("a value with no documentation says so on stdout and pages nothing", async () => {
  const { outcome, pages, stdout } = await help("help(42)");
  expect(outcome).toEqual({ status: "ok" });
  expect(pages).toEqual([]);
  expect(stdout).toBe('help: no documentation found for this number; pass a global such as help(tracepoint), help(aq.table) or help("plot.histogram")\n');
});

test("JavaScript's own functions page their lib documentation", async () => {
  const { pages } = await help("help(Math.max)");
  expect(String(pages[0]?.["text/plain"])).toMatch(/^\(method\) Math\.max\(\.\.\.values: number\[\]\): number\n\nReturns the larger of a set of supplied numeric expressions\./);
}, 30_000);
