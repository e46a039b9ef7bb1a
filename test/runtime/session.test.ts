// The cell sandbox end to end: real isolated-vm isolates running the real
// prelude bundle (arquero, probes-lib, display), with a fake probe runner.

import ivm from "isolated-vm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import { createExecutor, type Session } from "../../runtime/session.js";
import type { ExecuteOutcome } from "../../kernel/executor.js";
import { recordingContext, type RecordingContext } from "./fixtures/recording-context.js";
import { FakeProbeRunner } from "./fixtures/fake-probe-runner.js";

beforeAll(async () => {
  // The tests run the TypeScript sources: bundle the prelude from them too.
  await buildSandbox();
}, 60_000);

let count = 0;
async function run(session: Session, code: string, ctx: RecordingContext = recordingContext(++count)): Promise<ExecuteOutcome> {
  return session.execute(code, ctx);
}

/** The text/plain of an ok outcome, or the error if it failed. */
async function value(session: Session, code: string): Promise<unknown> {
  const outcome = await run(session, code);
  if (outcome.status === "error") return { error: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
  return outcome.result?.data["text/plain"];
}

describe("cells", () => {
  let session: Session;
  beforeAll(() => {
    session = createExecutor({ warmUpAfterMs: false });
  });
  afterAll(() => session.shutdown());

  test("top-level await and the last expression's value", async () => {
    expect(await value(session, "const n: number = await Promise.resolve(41)\nn + 1")).toBe("42");
    expect(await value(session, "await new Promise((r) => setTimeout(r, 20)); 'waited'")).toBe("'waited'");
    // A promise as the last value is awaited, as the async wrapper returns it.
    expect(await value(session, "Promise.resolve({ a: [1, 2] })")).toBe("{ a: [ 1, 2 ] }");
  }, 30_000);

  test("a cell ending in a declaration shows nothing", async () => {
    expect(await run(session, "const quiet = 1")).toEqual({ status: "ok" });
    expect(await run(session, "")).toEqual({ status: "ok" });
  });

  test("top-level declarations persist and may be declared again", async () => {
    expect(await run(session, "const x = 1\nlet y: string = 'a'\nfunction twice(v: number) { return v * 2 }\nclass Box { constructor(readonly v: number) {} }")).toEqual({ status: "ok" });
    expect(await value(session, "[x, y, twice(x), new Box(3).v]")).toBe("[ 1, 'a', 2, 3 ]");
    expect(await run(session, "const x = 10\nconst { p, q: [r] } = { p: 'P', q: ['R'] }\nenum Color { Red, Green }")).toEqual({ status: "ok" });
    expect(await value(session, "[x, twice(x), p, r, Color.Green, Color[0]]")).toBe("[ 10, 20, 'P', 'R', 1, 'Red' ]");
    expect(await run(session, "let later\nfunction twice(v: number) { return v * 3 }")).toEqual({ status: "ok" });
    expect(await value(session, "[later, twice(2)]")).toBe("[ undefined, 6 ]");
  });

  test("console output streams to the cell, stdout and stderr apart", async () => {
    const ctx = recordingContext(++count);
    const outcome = await run(session, "console.log('x is', 2, { a: [1, 'b'] })\nconsole.error('careful')\nconsole.info('n =', 3n)\n7", ctx);
    expect(outcome).toEqual({ status: "ok", result: { data: { "text/plain": "7" } } });
    expect(ctx.events).toEqual([
      { kind: "stream", name: "stdout", text: "x is 2 { a: [ 1, 'b' ] }\n" },
      { kind: "stream", name: "stderr", text: "careful\n" },
      { kind: "stream", name: "stdout", text: "n = 3n\n" },
    ]);
  });

  test("an error's traceback points at the cell's TypeScript lines", async () => {
    const code = [
      "interface Point { a: number }",
      "",
      "type Label = string",
      "const point: Point = { a: 1 }",
      "function explode(n: number): never {",
      "  throw new RangeError(`bad ${n}`)",
      "}",
      "explode(point.a)",
    ].join("\n");
    const ctx = recordingContext(++count);
    expect(await run(session, code, ctx)).toEqual({
      status: "error",
      ename: "RangeError",
      evalue: "bad 1",
      traceback: [
        "RangeError: bad 1",
        `  at In[${ctx.executionCount}], line 6, in explode`,
        "    6 |   throw new RangeError(`bad ${n}`)",
        `  at In[${ctx.executionCount}], line 8`,
        "    8 | explode(point.a)",
      ],
    });
  });

  test("an error in a statement spanning lines names the line it happened on", async () => {
    const ctx = recordingContext(++count);
    const outcome = await run(session, "const chained = aq.table({ a: [1] })\n  .derive({ b: (d: any) => d.a * 2 })\n  .nonexistent()", ctx);
    expect(outcome.status === "error" && outcome.traceback).toEqual([
      "TypeError: aq.table(...).derive(...).nonexistent is not a function",
      `  at In[${ctx.executionCount}], line 3`,
      "    3 |   .nonexistent()",
    ]);
  });

  test("an error deep inside arquero still shows the cell's line", async () => {
    const ctx = recordingContext(++count);
    const outcome = await run(session, "const base = aq.table({ a: [1] })\nbase.derive({ b: 'd.zzz.q' })", ctx);
    expect(outcome.status === "error" && outcome.traceback).toEqual([
      // arquero's own message is reworded at the sandbox boundary (prelude/table-errors.ts)
      'RangeError: table.derive(...): the table has no column "zzz"; its columns are: a',
      expect.stringMatching(/^ {2}\(\d+ frames inside the sandbox's libraries\)$/),
      `  at In[${ctx.executionCount}], line 2`,
      "    2 | base.derive({ b: 'd.zzz.q' })",
    ]);
  });

  test("a function from an earlier cell is shown in that cell", async () => {
    const first = recordingContext(++count);
    await run(session, "\nfunction failLater(): number {\n  return (undefined as any).field\n}", first);
    const second = recordingContext(++count);
    const outcome = await run(session, "const z = 1\nfailLater()", second);
    expect(outcome.status === "error" && outcome.traceback).toEqual([
      "TypeError: Cannot read properties of undefined (reading 'field')",
      `  at In[${first.executionCount}], line 3, in failLater`,
      "    3 |   return (undefined as any).field",
      `  at In[${second.executionCount}], line 2`,
      "    2 | failLater()",
    ]);
  });

  test("a syntax error names the line and column", async () => {
    const ctx = recordingContext(++count);
    expect(await run(session, "const ok = 1\nconst broken = (1 +", ctx)).toEqual({
      status: "error",
      ename: "SyntaxError",
      evalue: "Expression expected.",
      traceback: ["SyntaxError: Expression expected.", `  at In[${ctx.executionCount}], line 2, column 20`, "    2 | const broken = (1 +", "      |                    ^"],
    });
  });

  test("import and export are refused with a reason", async () => {
    const outcome = await run(session, "import fs from 'node:fs'");
    expect(outcome.status === "error" && [outcome.ename, outcome.evalue]).toEqual([
      "SyntaxError",
      "import is not available in cells: the sandbox has no modules. Use the globals it provides (aq for arquero, tracepoint, display, ...)",
    ]);
  });

  test("thrown non-errors are reported", async () => {
    expect(await run(session, "throw { code: 7 }")).toEqual({ status: "error", ename: "Uncaught", evalue: "{ code: 7 }", traceback: ["Uncaught: { code: 7 }"] });
  });

  test("the sandbox has no require, process, fetch or Node globals", async () => {
    expect(await value(session, "[typeof require, typeof process, typeof fetch, typeof module, typeof Buffer, typeof XMLHttpRequest, typeof WebSocket]")).toBe(
      "[\n  'undefined',\n  'undefined',\n  'undefined',\n  'undefined',\n  'undefined',\n  'undefined',\n  'undefined'\n]",
    );
    // Not through the Function constructor either: there is no process to find.
    expect(await value(session, "(function () {}).constructor('return typeof process')()")).toBe("'undefined'");
    const escape = await run(session, "globalThis.constructor.constructor('return process')()");
    expect(escape.status === "error" && [escape.ename, escape.evalue]).toEqual(["ReferenceError", "process is not defined"]);
  });

  test("an arquero table renders as HTML with a caption and as a text table", async () => {
    const outcome = await run(session, "aq.table({ pid: [7, 42, 1000], comm: ['init', 'bash', 'nginx'] }).orderby(aq.desc('pid'))");
    expect(outcome).toEqual({
      status: "ok",
      result: {
        data: {
          "text/html":
            '<table><caption style="caption-side: bottom; text-align: left">3 rows × 2 columns</caption>' +
            '<thead><tr><th style="text-align: right;">pid</th><th style="text-align: left;">comm</th></tr></thead>' +
            "<tbody>" +
            '<tr><td style="text-align: right;">1000</td><td style="text-align: left;">nginx</td></tr>' +
            '<tr><td style="text-align: right;">42</td><td style="text-align: left;">bash</td></tr>' +
            '<tr><td style="text-align: right;">7</td><td style="text-align: left;">init</td></tr>' +
            "</tbody></table>",
          "text/plain": [" pid  comm", "----  -----", "1000  nginx", "  42  bash", "   7  init", "3 rows × 2 columns"].join("\n"),
        },
      },
    });
  });

  test("a long table shows its first 20 rows and says how many there are", async () => {
    const outcome = await run(session, "aq.table({ i: Array.from({ length: 25 }, (_, k) => k) })");
    const data = outcome.status === "ok" ? outcome.result!.data : {};
    const text = String(data["text/plain"]).split("\n");
    expect(text.slice(0, 3)).toEqual([" i", "--", " 0"]);
    expect(text.slice(-3)).toEqual(["19", "... 5 more rows", "25 rows × 1 column (first 20 shown)"]);
    expect(String(data["text/html"]).match(/<tr>/g)?.length).toBe(21);
  });

  test("objects with _repr_mimebundle_ choose their own bundle", async () => {
    expect(await run(session, "({ _repr_mimebundle_: () => ({ 'text/markdown': '**hi**' }) })")).toEqual({
      status: "ok",
      result: { data: { "text/plain": "{ _repr_mimebundle_: [Function: _repr_mimebundle_] }", "text/markdown": "**hi**" } },
    });
  });

  test("a burst of console output arrives as one chunk, after a first line sent at once", async () => {
    const ctx = recordingContext(++count);
    await run(session, "await sleep(150)\nconsole.log('starting')\nfor (let i = 0; i < 1000; i++) console.log(i)\nconsole.error('done')", ctx);
    expect(ctx.events).toEqual([
      { kind: "stream", name: "stdout", text: "starting\n" },
      { kind: "stream", name: "stdout", text: Array.from({ length: 1000 }, (_, i) => `${i}\n`).join("") },
      { kind: "stream", name: "stderr", text: "done\n" },
    ]);
  });

  test("a probe builder shows as the code that makes it", async () => {
    expect(await value(session, 'tracepoint("sched:sched_switch").where({ pid: 3 }).limit(2)')).toBe('tracepoint("sched:sched_switch").where({"pid":3}).limit(2)');
  });

  test("display(), display handles and clear_output reach the cell", async () => {
    const ctx = recordingContext(++count);
    const outcome = await run(session, "display('a')\nconst h = display(1, { id: 'p' })\nh?.update(2)\nclear_output(true)\nclearOutput()", ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(ctx.events).toEqual([
      { kind: "display", bundle: { "text/plain": "'a'" }, opts: { displayId: undefined, update: false } },
      { kind: "display", bundle: { "text/plain": "1" }, opts: { displayId: "p", update: false } },
      { kind: "display", bundle: { "text/plain": "2" }, opts: { displayId: "p", update: true } },
      { kind: "clear", wait: true },
      { kind: "clear", wait: false },
    ]);
  });

  test("input() asks the frontend", async () => {
    const ctx = recordingContext(++count, ["1234"]);
    expect(await run(session, "Number(await input('pid? ')) + 1", ctx)).toEqual({ status: "ok", result: { data: { "text/plain": "1235" } } });
    expect(ctx.events).toEqual([{ kind: "input", prompt: "pid? ", password: false }]);
  });

  test("the sandbox's globals are exactly the language service's list, plus web basics and the cell runner", async () => {
    const { SANDBOX_GLOBALS } = await import("../../runtime/sandbox/global-names.js");
    const bare = new ivm.Isolate({ memoryLimit: 32 });
    const bareNames = JSON.parse(bare.createContextSync().evalSync("JSON.stringify(Object.getOwnPropertyNames(globalThis))") as string) as string[];
    bare.dispose();
    const fresh = createExecutor({ warmUpAfterMs: false });
    try {
      const outcome = await run(fresh, "({ _repr_mimebundle_: () => ({ 'application/json': Object.getOwnPropertyNames(globalThis) }) })");
      const names = (outcome.status === "ok" ? outcome.result!.data["application/json"] : []) as string[];
      const added = names.filter((name) => !bareNames.includes(name)).sort();
      // The bridge's references were taken by the prelude: only the cell runner is left.
      // (V8 has a console of its own, which does nothing here: the prelude replaces it.)
      const expected = [...SANDBOX_GLOBALS, "TextDecoder", "TextEncoder", "__probebook_run_cell", "queueMicrotask"].filter((name) => !bareNames.includes(name));
      expect(added).toEqual(expected.sort());
      expect(bareNames.filter((name) => (SANDBOX_GLOBALS as readonly string[]).includes(name))).toEqual(["console"]);
    } finally {
      await fresh.shutdown();
    }
  });

  test("user_expressions are evaluated without output", async () => {
    await run(session, "const answer = 6 * 7");
    expect(await session.evaluate!("answer + 0", new AbortController().signal)).toEqual({ status: "ok", result: { data: { "text/plain": "42" } } });
  });
});

describe("interrupts and limits", () => {
  test("while (true) {} stops within a second of interrupt(), and the next cell runs in a rebuilt sandbox", async () => {
    const session = createExecutor({ warmUpAfterMs: false });
    try {
      await run(session, "const kept = 'before'");
      const pending = run(session, "while (true) {}");
      await new Promise((r) => setTimeout(r, 300));
      const interruptedAt = Date.now();
      session.interrupt();
      const outcome = await pending;
      expect(Date.now() - interruptedAt).toBeLessThan(1000);
      expect(outcome).toEqual({
        status: "error",
        ename: "KeyboardInterrupt",
        evalue:
          "the cell was interrupted while running JavaScript that would not stop (a loop?), so the sandbox was rebuilt: earlier variables are gone, re-run the cells you need",
        traceback: [
          "KeyboardInterrupt: the cell was interrupted while running JavaScript that would not stop (a loop?), so the sandbox was rebuilt: earlier variables are gone, re-run the cells you need",
        ],
      });
      expect(await value(session, "[1 + 1, typeof kept]")).toBe("[ 2, 'undefined' ]");
    } finally {
      await session.shutdown();
    }
  }, 30_000);

  test("aborting ctx.signal during await sleep() ends the cell at once and keeps the variables", async () => {
    const session = createExecutor({ warmUpAfterMs: false });
    try {
      await run(session, "const kept = 'still here'");
      const ctx = recordingContext(++count);
      const pending = run(session, "await sleep(60_000)\n'never'", ctx);
      await new Promise((r) => setTimeout(r, 200));
      const interruptedAt = Date.now();
      ctx.abort();
      expect(await pending).toEqual({ status: "error", ename: "KeyboardInterrupt", evalue: "the cell was interrupted", traceback: ["KeyboardInterrupt: the cell was interrupted"] });
      expect(Date.now() - interruptedAt).toBeLessThan(500);
      expect(await value(session, "kept")).toBe("'still here'");
    } finally {
      await session.shutdown();
    }
  }, 30_000);

  test("a cell waiting on a promise that never settles is abandoned, not the sandbox", async () => {
    const session = createExecutor({ warmUpAfterMs: false });
    try {
      await run(session, "const kept = 1");
      const pending = run(session, "await new Promise(() => {})");
      await new Promise((r) => setTimeout(r, 100));
      session.interrupt();
      const outcome = await pending;
      expect(outcome.status === "error" && outcome.evalue).toBe("the cell was interrupted while waiting; what it was waiting for was abandoned (variables are kept)");
      expect(await value(session, "kept + 1")).toBe("2");
    } finally {
      await session.shutdown();
    }
  }, 30_000);

  test("a memory bomb gets a clear error and the next cell works", async () => {
    const session = createExecutor({ warmUpAfterMs: false, memoryLimitMb: 128 });
    try {
      const outcome = await run(session, "const a = []; while (true) a.push(new Array(1e6).fill(1))");
      expect(outcome).toEqual({
        status: "error",
        ename: "MemoryError",
        evalue:
          "the cell exceeded the sandbox memory limit of 128 MB; the sandbox was rebuilt, so earlier variables are gone: re-run the cells you need, keeping less data (filter or aggregate in the kernel, or use .limit())",
        traceback: [
          "MemoryError: the cell exceeded the sandbox memory limit of 128 MB; the sandbox was rebuilt, so earlier variables are gone: re-run the cells you need, keeping less data (filter or aggregate in the kernel, or use .limit())",
        ],
      });
      expect(await value(session, "'alive'")).toBe("'alive'");
    } finally {
      await session.shutdown();
    }
  }, 60_000);
});

describe("probes through the bridge", () => {
  let session: Session;
  const runner = new FakeProbeRunner();
  beforeAll(() => {
    session = createExecutor({ warmUpAfterMs: false, probeRunner: runner });
  });
  afterAll(() => session.shutdown());

  test("a declaration goes to the runner and its columns come back as the exact table", async () => {
    runner.behaviour = {
      kind: "result",
      result: {
        columns: {
          pid: new Uint32Array([42, 42, 7]),
          ts_ns: new BigInt64Array([1000n, 2000n, 3000n]),
          prev_comm: ["bash", "bash", "init"],
        },
        columnTypes: { pid: "u32", ts_ns: "u64", prev_comm: "string" },
        rowCount: 3,
        stats: { events: 5, dropped: 2, durationMs: 250 },
        plan: { template: "fake" },
      },
    };
    const outcome = await run(session, 't = await tracepoint("sched:sched_switch").where({ pid: 42 }).fields("prev_comm").limit(3).events({ for: "250ms" })'.replace(/^t =/, "const t ="));
    expect(outcome).toEqual({ status: "ok" });
    expect(runner.calls.at(-1)).toEqual({
      kind: "events",
      source: { type: "tracepoint", name: "sched:sched_switch" },
      fields: ["prev_comm"],
      filter: { pid: 42 },
      durationMs: 250,
      limit: 3,
    });
    // Typed arrays cross as typed arrays and become the table's columns as they are.
    expect(await value(session, "[t.columnNames(), t.column('pid'), t.column('ts_ns'), t.column('prev_comm'), t.numRows()]")).toBe(
      "[\n  [ 'pid', 'ts_ns', 'prev_comm' ],\n  Uint32Array(3) [ 42, 42, 7 ],\n  BigInt64Array(3) [ 1000n, 2000n, 3000n ],\n  [ 'bash', 'bash', 'init' ],\n  3\n]",
    );
    expect(await value(session, "[t.meta.events, t.meta.dropped, t.meta.durationMs, t.meta.columnTypes, Object.keys(t).includes('meta')]")).toBe(
      "[ 5, 2, 250, { pid: 'u32', ts_ns: 'u64', prev_comm: 'string' }, false ]",
    );
    expect(await value(session, "t")).toBe(
      [
        "pid  ts_ns  prev_comm",
        "---  -----  ---------",
        " 42   1000  bash",
        " 42   2000  bash",
        "  7   3000  init",
        "3 rows × 3 columns · 5 events in 250 ms · 2 events DROPPED (the ring buffer was full; they are missing from this table)",
      ].join("\n"),
    );
    expect(await value(session, "t.groupby('prev_comm').count().orderby('prev_comm')")).toBe(
      ["prev_comm  count", "---------  -----", "bash           2", "init           1", "2 rows × 2 columns"].join("\n"),
    );
  });

  test("a long run shows throttled progress under one display id, then a summary", async () => {
    const result = { columns: { pid: new Uint32Array([1]) }, columnTypes: { pid: "u32" }, rowCount: 1, stats: { events: 1, dropped: 3, durationMs: 2000 } };
    runner.behaviour = {
      kind: "progress",
      steps: [
        { elapsedMs: 250, events: 0, dropped: 0 },
        { elapsedMs: 600, events: 10, dropped: 0 },
        { elapsedMs: 1000, events: 20, dropped: 0 },
        { elapsedMs: 1700, events: 30, dropped: 3 },
      ],
      result,
    };
    const ctx = recordingContext(++count);
    expect(await run(session, 'const progressed = await tracepoint("sched:sched_switch").events({ for: "2s" })', ctx)).toEqual({ status: "ok" });
    const displays = ctx.events.map((e) => (e.kind === "display" ? [e.bundle["text/plain"], e.opts?.update, e.opts?.displayId] : e));
    const id = ctx.events[0]?.kind === "display" ? ctx.events[0].opts?.displayId : undefined;
    expect(id).toMatch(/^probebook-run-/);
    expect(displays).toEqual([
      ["sched:sched_switch: collecting, 0.6 s of 2.0 s, 10 events (17/s)", false, id],
      ["sched:sched_switch: collecting, 1.7 s of 2.0 s, 30 events (18/s), 3 DROPPED", true, id],
      ["sched:sched_switch: collected 1 events in 2.0 s, 3 DROPPED", true, id],
    ]);
  });

  test("a planner error reaches the cell with its message intact", async () => {
    const message = 'unknown tracepoint "sched:sched_swtch"; closest: sched:sched_switch, sched:sched_switch_ext';
    runner.behaviour = { kind: "error", error: Object.assign(new Error(message), { name: "PlanError" }) };
    const ctx = recordingContext(++count);
    const outcome = await run(session, '\nawait tracepoint("sched:sched_swtch").events({ for: "1s" })', ctx);
    expect(outcome).toEqual({
      status: "error",
      ename: "PlanError",
      evalue: message,
      traceback: [`PlanError: ${message}`, expect.stringMatching(/^ {2}\(\d+ frames? inside the sandbox's libraries\)$/), `  at In[${ctx.executionCount}], line 2`, '    2 | await tracepoint("sched:sched_swtch").events({ for: "1s" })'],
    });
  });

  test("builder mistakes are errors in the cell that quote the call", async () => {
    const outcome = await run(session, 'tracepoint("sched:sched_switch").where({ pid: -1 })');
    expect(outcome.status === "error" && [outcome.ename, outcome.evalue]).toEqual(["RangeError", 'tracepoint("sched:sched_switch").where(...): pid must be a positive whole number, not -1']);
  });

  test("an interrupt during .events() aborts the run and ends the cell promptly, keeping variables", async () => {
    runner.behaviour = { kind: "until-aborted" };
    runner.aborted = false;
    await run(session, "const before = 'kept'");
    const pending = run(session, 'await tracepoint("sched:sched_switch").events({ for: "5s" })');
    await new Promise((r) => setTimeout(r, 200));
    const interruptedAt = Date.now();
    session.interrupt();
    expect(await pending).toEqual({ status: "error", ename: "KeyboardInterrupt", evalue: "the cell was interrupted", traceback: ["KeyboardInterrupt: the cell was interrupted"] });
    expect(Date.now() - interruptedAt).toBeLessThan(500);
    expect(runner.aborted).toBe(true);
    expect(await value(session, "before")).toBe("'kept'");
  });
});
