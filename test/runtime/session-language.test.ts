// is_complete, complete and inspect: TypeScript's parser and language service
// over the sandbox's globals, earlier cells and the cell being edited.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import { createExecutor, type Session } from "../../runtime/session.js";
import { recordingContext } from "./fixtures/recording-context.js";

let session: Session;
beforeAll(async () => {
  await buildSandbox();
  session = createExecutor({ warmUpAfterMs: false });
}, 60_000);
afterAll(() => session.shutdown());

describe("isComplete", () => {
  test.each([
    ["1 + 1", { status: "complete" }],
    ["", { status: "complete" }],
    ["const t = aq.table({ a: [1] })\nt", { status: "complete" }],
    ["if (x) {", { status: "incomplete", indent: "  " }],
    ["function f() {\n  if (a) {\n", { status: "incomplete", indent: "    " }],
    ["const a = (1 +", { status: "incomplete", indent: "  " }],
    ["const s = `abc", { status: "incomplete", indent: "" }],
    ["/* a comment", { status: "incomplete", indent: "" }],
    ["x +* 2 }", { status: "invalid" }],
    ["foo(]", { status: "invalid" }],
    ["const = 5", { status: "invalid" }],
  ])("%j is %j", (code, expected) => {
    expect(session.isComplete(code)).toEqual(expected);
  });
});

describe("complete", () => {
  test("members of a tracepoint builder", async () => {
    const code = 'tracepoint("sched:sched_switch").';
    const result = await session.complete(code, code.length);
    expect(result.matches).toEqual([
      "avg", "columns", "count", "events", "fields", "histogram", "limit", "max", "min", "name", "ringBytes", "sample", "start", "stats", "sum", "toDeclaration", "toString", "where",
    ]);
    expect([result.cursorStart, result.cursorEnd]).toEqual([code.length, code.length]);
    expect(result.metadata?._jupyter_types_experimental).toContainEqual({ start: code.length, end: code.length, text: "where", type: "method" });
  }, 30_000);

  test("a partly typed member replaces just the typed part", async () => {
    const code = 'tracepoint("sched:sched_switch").wh';
    expect(await session.complete(code, code.length)).toMatchObject({ matches: ["where"], cursorStart: code.length - 2, cursorEnd: code.length });
  });

  test("globals of the sandbox, and arquero's namespace", async () => {
    expect((await session.complete("tracep", 6)).matches).toEqual(["tracepoint"]);
    expect((await session.complete("aq.des", 6)).matches).toEqual(["desc"]);
    expect((await session.complete("clear", 5)).matches).toEqual(["clear_output", "clearOutput", "clearTimeout"]);
  });

  test("names and types from earlier cells", async () => {
    await session.execute("const runQueue = aq.table({ cpu: [0, 1] })", recordingContext(1));
    expect((await session.complete("runQ", 4)).matches).toEqual(["runQueue"]);
    expect((await session.complete("runQueue.numR", 13)).matches).toEqual(["numRows"]);
  });

  test("the cursor in the middle of the cell", async () => {
    const code = "const a = aq.ta\nconst b = 2";
    expect(await session.complete(code, 15)).toMatchObject({ matches: ["table"], cursorStart: 13, cursorEnd: 15 });
  });
});

describe("inspect", () => {
  test("a probes-lib function shows its signature and TSDoc with the example", async () => {
    const result = await session.inspect('tracepoint("sched:sched_switch")', 4, 0);
    expect(result.found).toBe(true);
    const text = String(result.data["text/plain"]);
    expect(text.split("\n\n")[0]).toBe("tracepoint(name: string): TracepointProbe");
    expect(text).toContain('Starts a probe on a kernel tracepoint, named `"category:event"`');
    expect(text).toContain('@example ```ts\nconst opens = await tracepoint("syscalls:sys_enter_openat")');
    expect(String(result.data["text/markdown"])).toContain("**Example**\n\n```ts\nconst opens = await tracepoint(");
  });

  test("inside a call's parentheses it inspects the function called", async () => {
    const code = 'tracepoint("x").events(';
    const result = await session.inspect(code, code.length, 0);
    expect(String(result.data["text/plain"]).split("\n")[0]).toBe("(method) TracepointProbe.events(options: EventsOptions): Promise<EventsTable> (+1 overload)");
  });

  test("a variable from an earlier cell shows its type", async () => {
    await session.execute("const answer: number = await Promise.resolve(42)", recordingContext(2));
    expect(await session.inspect("answer", 6, 0)).toEqual({ found: true, data: { "text/plain": "const answer: number", "text/markdown": "```ts\nconst answer: number\n```" } });
  });

  test("nothing to inspect", async () => {
    expect(await session.inspect("   ", 1, 0)).toEqual({ found: false, data: {} });
  });
});
