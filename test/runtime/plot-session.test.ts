// Plots and saved data from real cells: the real sandbox (isolated-vm, the
// prelude bundle), the real bridge, vega on the host, and files in a
// temporary notebook directory.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import type { ExecuteOutcome } from "../../kernel/executor.js";
import { createExecutor, type Session } from "../../runtime/session.js";
import { FakeProbeRunner } from "./fixtures/fake-probe-runner.js";
import { recordingContext } from "./fixtures/recording-context.js";
import { countColour, decodePng } from "./fixtures/png.js";
import { marks } from "./fixtures/svg.js";

let session: Session;
let notebookDir: string;
let count = 0;

beforeAll(async () => {
  await buildSandbox();
  notebookDir = mkdtempSync(join(tmpdir(), "probebook-notebook-"));
  session = createExecutor({ warmUpAfterMs: false, dataDir: notebookDir });
}, 60_000);

afterAll(async () => {
  await session?.shutdown();
  rmSync(notebookDir, { recursive: true, force: true });
});

async function run(code: string, on: Session = session): Promise<ExecuteOutcome> {
  return on.execute(code, recordingContext(++count));
}

async function ok(code: string, on: Session = session): Promise<Record<string, unknown>> {
  const outcome = await run(code, on);
  if (outcome.status !== "ok") throw new Error(`cell failed: ${outcome.ename}: ${outcome.evalue}`);
  return outcome.result?.data ?? {};
}

describe("plots in cells", () => {
  test("a plot as the cell's value gives the Vega-Lite spec, a PNG of the host's SVG and the plot as text", async () => {
    // The text is as wide as the kernel's COLUMNS (what `probebook console` sets), read when the plot is shown.
    const columns = process.env.COLUMNS;
    process.env.COLUMNS = "40";
    let data: Record<string, unknown>;
    try {
      data = await ok(`const t = aq.table({ comm: ["nginx", "sshd", "cron"], count: [30, 10, 20] });\nplot.bar(t, { x: "comm", y: "count" })`);
    } finally {
      if (columns === undefined) delete process.env.COLUMNS;
      else process.env.COLUMNS = columns;
    }
    // No image/svg+xml: nbconvert 6.5 would choose it over the PNG and blank it (runtime/plot/render-plot.ts).
    expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    expect(data["text/plain"]).toBe([
      "bar chart of count by comm: 3 bars, largest nginx (30)",
      "nginx  30 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
      "cron   20 |@@@@@@@@@@@@@@@@@@          |",
      "sshd   10 |@@@@@@@@@                   |",
    ].join("\n"));
    const spec = data["application/vnd.vegalite.v5+json"] as { $schema: string; data: { values: unknown[] } };
    expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    expect(spec.data.values).toEqual([
      { category: "nginx", value: 30 },
      { category: "cron", value: 20 },
      { category: "sshd", value: 10 },
    ]);
    // The PNG is the SVG's picture: as large, with the bars that toSVG() lists in vega's blue.
    const svg = String((await ok(`[plot.bar(t, { x: "comm", y: "count" }).toSVG()].join("")`))["text/plain"]);
    expect(marks(svg, "bar")).toEqual(["comm: nginx; count: 30", "comm: cron; count: 20", "comm: sshd; count: 10"]);
    const png = decodePng(data["image/png"] as string);
    const size = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!;
    expect([png.width, png.height]).toEqual([Number(size[1]), Number(size[2])]);
    expect(countColour(png, "#4c78a8")).toBeGreaterThan(20_000);
  });

  test("display(plot) shows the same bundle mid-cell; console.log prints it as text; toSVG() renders in the cell", async () => {
    const ctx = recordingContext(++count);
    const outcome = await session.execute(
      [
        `const series = aq.table({ t: [1, 2, 3, 1, 2, 3], v: [5, 6, 7, 1, 2, 3], k: ["a", "a", "a", "b", "b", "b"] });`,
        `const p = plot.line(series, { x: "t", y: "v", color: "k" });`,
        `display(p);`,
        `console.log(p);`,
        `p.toSVG().length > 1000`,
      ].join("\n"),
      ctx,
    );
    expect(outcome).toEqual({ status: "ok", result: { data: { "text/plain": "true" } } });
    const shown = ctx.events.filter((e) => e.kind === "display");
    expect(shown).toHaveLength(1);
    const bundle = (shown[0] as { bundle: Record<string, unknown> }).bundle;
    expect(Object.keys(bundle).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "text/plain"]);
    expect(decodePng(bundle["image/png"] as string).width).toBeGreaterThan(200);
    expect((bundle["text/plain"] as string).split("\n")[0]).toBe("line plot of v by t: 6 points, 2 lines by k");
    const printed = ctx.events.filter((e) => e.kind === "stream");
    expect(printed).toEqual([{ kind: "stream", name: "stdout", text: `${bundle["text/plain"] as string}\n` }]);
    expect((bundle["text/plain"] as string).split("\n").slice(1, 3).map((line) => line.slice(0, 4))).toEqual(["k a ", "k b "]);
  });

  test("a spec that asks the kernel to load a file is refused when it is rendered", async () => {
    expect(await run(`plot.vegaLite({ data: { url: "/etc/passwd", format: { type: "csv" } }, mark: "point", encoding: { x: { field: "root", type: "nominal" } } })`)).toMatchObject({
      status: "error",
      ename: "PlotRenderError",
      evalue: `the plot asks to load "/etc/passwd"; the kernel renders plots without file or network access: put the data in the spec (data: { values: rows })`,
    });
  });

  test("a plot's mistakes are errors in the cell that list the table's columns", async () => {
    const outcome = await run(`plot.line(aq.table({ a: [1], b: [2] }), { x: "time", y: "b" })`);
    expect(outcome).toMatchObject({ status: "error", ename: "RangeError", evalue: `plot.line(table, { x, y }): the table has no column "time" (for x); its columns are: a, b` });
  });
});

describe("saved data in cells", () => {
  test("save() writes next to the notebook; load() in a later session, with no probes allowed, gives the same table and meta", async () => {
    const saved = await ok(
      [
        `const t = aq.table({ pid: Uint32Array.from([7, 8]), time_ns: BigUint64Array.from([10n, 20n]), comm: ["a", "b"] });`,
        `Object.defineProperty(t, "meta", { value: { events: 2, dropped: 0, durationMs: 5 }, enumerable: false });`,
        `await save(t, "result.arrow")`,
      ].join("\n"),
    );
    expect(saved["text/plain"]).toBe(`{\n  name: 'result.arrow',\n  path: '${join(notebookDir, "result.arrow")}',\n  rows: 2,\n  columns: 3,\n  bytes: ${readFileSync(join(notebookDir, "result.arrow")).length}\n}`);

    const noProbes = new FakeProbeRunner();
    noProbes.behaviour = { kind: "error", error: new Error("probes are not allowed on this machine") };
    const later = createExecutor({ warmUpAfterMs: false, dataDir: notebookDir, probeRunner: noProbes });
    try {
      const loaded = await ok(
        [
          `const u = await load("result.arrow");`,
          `[u.columnNames(), u.column("pid").constructor.name, u.column("time_ns").constructor.name, u.array("time_ns"), u.array("comm"), u.meta]`,
        ].join("\n"),
        later,
      );
      expect(loaded["text/plain"]).toBe(
        "[\n  [ 'pid', 'time_ns', 'comm' ],\n  'Uint32Array',\n  'BigUint64Array',\n  [ 10n, 20n ],\n  [ 'a', 'b' ],\n  { events: 2, dropped: 0, durationMs: 5 }\n]",
      );
      expect(noProbes.calls).toEqual([]);
    } finally {
      await later.shutdown();
    }
  });

  test("names outside the notebook's directory, and overwriting, are refused in the cell", async () => {
    await ok(`const small = aq.table({ x: [1] }); await save(small, "once.arrow"); 1`);
    expect(await run(`await save(small, "../escape.arrow")`)).toMatchObject({
      status: "error",
      ename: "SavedDataError",
      evalue: `save(table, "../escape.arrow"): the name leads outside the notebook's directory (${notebookDir}); the kernel reads and writes only inside it: use a name such as "opens.arrow" or "data/opens.arrow"`,
    });
    expect(await run(`await save(small, "/tmp/abs.arrow")`)).toMatchObject({ status: "error", ename: "SavedDataError" });
    expect(await run(`await load("/etc/passwd")`)).toMatchObject({ status: "error", ename: "SavedDataError" });
    expect(await run(`await save(small, "once.arrow")`)).toMatchObject({
      status: "error",
      ename: "SavedDataError",
      evalue: `save(table, "once.arrow"): ${join(notebookDir, "once.arrow")} already exists; pass { overwrite: true } to replace it, or choose another name`,
    });
    expect((await ok(`(await save(aq.table({ x: [2, 3] }), "once.arrow", { overwrite: true })).rows`))["text/plain"]).toBe("2");
    expect((await ok(`(await load("once.arrow")).objects()`))["text/plain"]).toBe("[ { x: 2 }, { x: 3 } ]");
    expect(existsSync(join(notebookDir, "..", "escape.arrow"))).toBe(false);
  });
});

describe("inspect shows the TSDoc and its example", () => {
  test.each([
    ["plot.histogram(", "```ts\nhistogram(table: aq.ColumnTable, options?: plot.HistogramOptions): plot.Plot\n```", "plot.histogram(lat)"],
    ["plot.heatmap(", "```ts\nheatmap(table: aq.ColumnTable, options: plot.HeatmapOptions): plot.Plot\n```", 'plot.heatmap(series, { x: "time", y: "lower", color: "count" })'],
    ["plot.line(", "```ts\nline(table: aq.ColumnTable, options: plot.LineOptions): plot.Plot\n```", 'plot.line(await run.stop(), { x: "time", y: "count", color: "cpu" })'],
    ["plot.bar(", "```ts\nbar(table: aq.ColumnTable, options: plot.BarOptions): plot.Plot\n```", 'plot.bar(opens, { x: "filename", top: 10 })'],
    ["plot.flame(", "```ts\nflame(table: aq.ColumnTable, options?: plot.FlameOptions): plot.Plot\n```", 'plot.flame(cpu, { stack: "stack", value: "samples" })'],
    ["save(", "```ts\nsave(table: aq.ColumnTable, name: string, options?: SaveOptions): Promise<SavedTable>\n```", 'await save(opens, "opens.arrow")'],
    ["load(", "```ts\nload(name: string): Promise<LoadedTable>\n```", 'const opens = await load("opens.arrow");'],
  ])("%s", async (code, signature, example) => {
    const inspection = await session.inspect(code, code.length, 0);
    expect(inspection.found).toBe(true);
    const markdown = inspection.data["text/markdown"] as string;
    expect(markdown.startsWith(signature)).toBe(true);
    expect(markdown).toContain("**Example**");
    expect(markdown).toContain(example);
  });
});
