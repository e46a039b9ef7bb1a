// Every plot kind rendered to SVG by the host renderer (vega-lite -> vega ->
// headless View -> SVG), from tables shaped like probe results. The marks are
// counted and read back through their ARIA labels (vega writes each mark's
// data there), the axes through their titles and tick labels. A PNG of each
// is written to /tmp/probebook-plots to be looked at. Then: the spec's
// expressions are interpreted, never compiled in the (root) host process, and
// the PNG the notebook bundle carries is the same picture as the SVG.

import { existsSync } from "node:fs";
import * as aq from "arquero";
import { afterEach, describe, expect, test, vi } from "vitest";
import * as plot from "../../../probes-lib/plot.js";
import { renderPlotImages } from "../../../runtime/plot/render-plot.js";
import { PngRenderError, svgToPng } from "../../../runtime/plot/render-png.js";
import { PlotRenderError, renderVegaLiteSvg } from "../../../runtime/plot/render-svg.js";
import { countColour, decodePng } from "../fixtures/png.js";
import { cpuProfile, cpuSeries, latencyHistogram, latencySeries, opensByFile, runtimeLatencyHistogram } from "../fixtures/plot-tables.js";
import { axisLabels, marks, RSVG_CONVERT, texts, writePng } from "../fixtures/svg.js";

async function render(name: string, p: plot.Plot): Promise<string> {
  // Every helper's spec renders with vega's interpreter: nothing compiled with Function.
  const watch = watchFunctionConstructor(false);
  let svg: string;
  try {
    svg = await renderVegaLiteSvg(JSON.stringify(p.spec));
  } finally {
    watch.restore();
  }
  expect(watch.compiled).toEqual([]);
  const png = writePng(name, svg);
  if (RSVG_CONVERT) expect(existsSync(png!)).toBe(true);
  return svg;
}

describe("histogram", () => {
  test("a log2 histogram table: one bar per bucket, empty ones kept, labelled 1us, 2us, 4us", async () => {
    const p = plot.histogram(latencyHistogram(), { unit: "ns" });
    expect(p.summary).toBe("log2 histogram of value: 1,322 counted in 11 buckets, 1us to 1ms, by comm (2 values)");
    const svg = await render("histogram-log2", p);
    const bars = marks(svg, "bar");
    // 11 buckets (2^10..2^20 ns) for each of 2 processes.
    expect(bars).toHaveLength(22);
    expect(bars).toContain("value (log2 buckets, 1us = 1024ns): 16us; count: 480; bucket from: 16.4us; comm: nginx");
    expect(bars).toContain("value (log2 buckets, 1us = 1024ns): 32us; count: 0; bucket from: 32.8us; comm: nginx");
    expect(bars).toContain("value (log2 buckets, 1us = 1024ns): 64us; count: 300; bucket from: 65.5us; comm: postgres");
    expect(texts(svg, "axis-title")).toEqual(["value (log2 buckets, 1us = 1024ns)", "count", "count"]);
    expect(axisLabels(svg)[0]).toEqual(["1us", "2us", "4us", "8us", "16us", "32us", "64us", "128us", "256us", "512us", "1ms"]);
    // One row header per process, largest first.
    expect(texts(svg, "title-text")).toEqual(["comm", "nginx", "postgres"]);
  });

  test("the runtime's histogram (lower, upper, count; 4 sub-buckets per power of two) labels only powers of two", async () => {
    const p = plot.histogram(runtimeLatencyHistogram());
    expect(p.summary).toBe("log2 histogram of latency: 288 counted in 14 buckets, 1us to 10.2us, by comm (1 value)");
    const svg = await render("histogram-runtime", p);
    const bars = marks(svg, "bar");
    expect(bars).toHaveLength(14);
    expect(bars[0]).toBe("latency (log2 buckets, 1us = 1024ns): 1us; count: 50; bucket from: 1.02us; comm: cat");
    expect(bars[1]).toBe("latency (log2 buckets, 1us = 1024ns): 1.28us; count: 120; bucket from: 1.28us; comm: cat");
    expect(bars.filter((b) => b.includes("count: 0;"))).toHaveLength(8);
    expect(axisLabels(svg)[0]).toEqual(["1us", "2us", "4us", "8us"]);
  });

  test("raw values bucketed by log2 in JavaScript", async () => {
    const sizes = [0, 1, 3, 3, 700, 1000, 1024, 5000, 5000, 70_000];
    const p = plot.histogram(aq.table({ bytes: Uint32Array.from(sizes) }), { value: "bytes" });
    const svg = await render("histogram-raw", p);
    const counts = marks(svg, "bar").map((b) => /^bytes \(log2 buckets, 1K = 1024\): ([^;]+); count: (\d+)/.exec(b)!.slice(1).join("="));
    // Small whole counts get whole ticks.
    expect(axisLabels(svg)[1]).toEqual(["0", "1", "2"]);
    expect(counts).toEqual(["0=1", "1=1", "2=2", "4=0", "8=0", "16=0", "32=0", "64=0", "128=0", "256=0", "512=2", "1K=1", "2K=0", "4K=2", "8K=0", "16K=0", "32K=0", "64K=1"]);
  });
});

test("line: a time series of 3 CPUs, boot-relative ns as seconds since the first row", async () => {
  const p = plot.line(cpuSeries(), { x: "time_ns", y: "count", color: "cpu" });
  expect(p.summary).toBe("line plot of count by time_ns: 90 points, 3 lines by cpu");
  const svg = await render("line", p);
  expect(marks(svg, "line mark")).toHaveLength(3);
  const points = marks(svg, "point");
  expect(points).toHaveLength(90);
  expect(points).toContain("time (s since first row): 0; count: 1000; cpu: 0");
  expect(points).toContain("time (s since first row): 29; count: 3000; cpu: 2".replace("3000", String(3000 + Math.round(300 * Math.sin(29 / 3 + 2)))));
  expect(texts(svg, "axis-title")).toEqual(["time (s since first row)", "count"]);
  expect(axisLabels(svg)[0]).toEqual(["0", "2", "4", "6", "8", "10", "12", "14", "16", "18", "20", "22", "24", "26", "28", "30"]);
  expect(texts(svg, "legend-title")).toEqual(["cpu"]);
  expect(texts(svg, "legend-label")).toEqual(["2", "1", "0"]);
});

describe("heatmap", () => {
  test("a histogram series: intervals across, every log2 bucket up (empty ones too), largest on top", async () => {
    const p = plot.heatmap(latencySeries(), { x: "time_ns", y: "low", color: "count", unit: "ns" });
    expect(p.summary).toBe("heatmap of low over time_ns: 4,805 counted in 20 intervals × 11 buckets (2us to 2ms)");
    const svg = await render("heatmap-series", p);
    const cells = marks(svg, "rect mark");
    // 3 buckets for 20 s, 3 more from second 10.
    expect(cells).toHaveLength(90);
    expect(cells).toContain("time (s since first row): 0; low (log2 buckets, 1us = 1024ns): 4us; t1: 1; count: 100; time (s since first row) from: 0; low from: 4.1us");
    expect(cells).toContain("time (s since first row): 19; low (log2 buckets, 1us = 1024ns): 1ms; t1: 20; count: 44; time (s since first row) from: 19; low from: 1.05ms");
    expect(texts(svg, "axis-title")).toEqual(["time (s since first row)", "low (log2 buckets, 1us = 1024ns)"]);
    expect(axisLabels(svg)[1]).toEqual(["2ms", "1ms", "512us", "256us", "128us", "64us", "32us", "16us", "8us", "4us", "2us"]);
    expect(texts(svg, "legend-title")).toEqual(["count"]);
  });

  test("events: time binned into columns, raw latencies into log2 buckets, rows counted", async () => {
    const time: bigint[] = [];
    const latency: number[] = [];
    for (let s = 0; s < 10; s++) {
      for (let j = 0; j < 100; j++) {
        time.push(7_000_000_000n + BigInt(s) * 1_000_000_000n + BigInt(j) * 9_000_000n);
        latency.push(3000);
      }
      if (s >= 5) {
        for (let j = 0; j < 20; j++) {
          time.push(7_000_000_000n + BigInt(s) * 1_000_000_000n + BigInt(j) * 40_000_000n);
          latency.push(1_500_000);
        }
      }
    }
    const p = plot.heatmap(aq.table({ time_ns: BigUint64Array.from(time), latency_ns: Float64Array.from(latency) }), { x: "time_ns", y: "latency_ns", columns: 10 });
    expect(p.summary).toBe("heatmap of latency_ns over time_ns: 1,100 events in 10 intervals × 10 buckets (2us to 1ms)");
    const svg = await render("heatmap-events", p);
    const cells = marks(svg, "rect mark");
    expect(cells).toHaveLength(15);
    expect(cells.filter((c) => /latency_ns \(log2 buckets, 1us = 1024ns\): 2us; t1: [\d.]+; events: 100;/.test(c))).toHaveLength(10);
    expect(cells.filter((c) => /latency_ns \(log2 buckets, 1us = 1024ns\): 1ms; t1: [\d.]+; events: 20;/.test(c))).toHaveLength(5);
    expect(axisLabels(svg)[1]).toEqual(["1ms", "512us", "256us", "128us", "64us", "32us", "16us", "8us", "4us", "2us"]);
  });
});

test("bar: the top 10 of 40 files, largest first, horizontal for long names", async () => {
  const p = plot.bar(opensByFile(), { x: "filename", y: "count", top: 10 });
  expect(p.summary).toBe("bar chart of count by filename: 10 bars, largest /etc/ld.so.cache (900); top 10 of 40 categories drawn (set { top } to see more)");
  const svg = await render("bar-top10", p);
  const bars = marks(svg, "bar");
  expect(bars).toHaveLength(10);
  expect(bars[0]).toBe("count: 900; filename: /etc/ld.so.cache");
  expect(texts(svg, "axis-title")).toEqual(["count", "filename"]);
  expect(axisLabels(svg)[1]).toEqual([
    "/etc/ld.so.cache",
    "/proc/self/maps",
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/var/lib/app/chunk-003.dat",
    "/var/lib/app/chunk-004.dat",
    "/var/lib/app/chunk-005.dat",
    "/var/lib/app/chunk-006.dat",
    "/var/lib/app/chunk-007.dat",
    "/var/lib/app/chunk-008.dat",
    "/var/lib/app/chunk-009.dat",
  ]);
});

test("flame: 3-level stacks merged into a partition, root at the bottom, labels where they fit", async () => {
  const p = plot.flame(cpuProfile());
  expect(p.summary).toBe("flame graph of 1,000 samples: 10 frames, 3 deep");
  const svg = await render("flame", p);
  const frames = marks(svg, "rect mark").map((m) => /function: ([^;]+); samples: (\d+)/.exec(m)!.slice(1).join("="));
  expect(frames).toEqual(["all=1000", "main=1000", "gc=200", "mark=120", "sweep=80", "handle_request=650", "parse_json=400", "render_html=250", "idle=150", "epoll_wait=150"]);
  // Each frame spans its callers' share: handle_request starts where gc (sorted first) ends.
  expect(marks(svg, "rect mark").find((m) => m.includes("function: handle_request;"))).toMatch(/^x0: 200; depth: 2; x1: 850; top: 3; color: rgb\(\d+,\d+,\d+\); function: handle_request; samples: 650; % of samples: 65$/);
  expect(marks(svg, "text mark").map((m) => /label: (.*)$/.exec(m)![1]).sort()).toEqual(["all", "epoll_wait", "gc", "handle_request", "idle", "main", "mark", "parse_json", "render_html", "sweep"]);
});

test("specs that load data are refused: rendering has no file or network access", async () => {
  const spec = { data: { url: "file:///etc/passwd", format: { type: "csv" } }, mark: "point", encoding: { x: { field: "root", type: "nominal" } } };
  await expect(renderVegaLiteSvg(JSON.stringify(spec))).rejects.toThrow(PlotRenderError);
  await expect(renderVegaLiteSvg(JSON.stringify(spec))).rejects.toThrow(/without file or network access/);
  await expect(renderVegaLiteSvg("{not json")).rejects.toThrow("the plot's spec is not JSON");
});

/**
 * Replaces the global Function constructor (what vega's default evaluator
 * compiles expressions with) by a recorder for the duration of a test. With
 * `block`, a call throws instead of compiling, so an escape attempt can't
 * run even if the interpreter were bypassed.
 */
function watchFunctionConstructor(block: boolean): { compiled: string[]; restore(): void } {
  const original = globalThis.Function;
  const compiled: string[] = [];
  const record = (args: unknown[]) => {
    compiled.push(String(args.at(-1)));
    if (block) throw new Error("the test blocked a call to Function");
  };
  globalThis.Function = new Proxy(original, {
    apply(target, self, args) {
      record(args);
      return Reflect.apply(target, self, args);
    },
    construct(target, args, newTarget) {
      record(args);
      return Reflect.construct(target, args, newTarget);
    },
  });
  return { compiled, restore: () => void (globalThis.Function = original) };
}

describe("expressions in the spec run in vega's interpreter, not as host JavaScript", () => {
  let watch: ReturnType<typeof watchFunctionConstructor> | undefined;
  afterEach(() => {
    watch?.restore();
    watch = undefined;
    vi.restoreAllMocks();
    delete (globalThis as Record<string, unknown>).__probebook_escaped;
  });

  test("filter, calculate, a parameter, a conditional, format() and a labelExpr still work, and nothing is compiled with Function", async () => {
    const spec = {
      data: { values: [{ comm: "nginx", count: 30 }, { comm: "sshd", count: 4 }, { comm: "cron", count: 12 }] },
      params: [{ name: "factor", value: 3 }],
      transform: [
        { filter: "datum.count > 5" },
        { calculate: "datum.count * factor", as: "scaled" },
        { calculate: "datum.scaled > 50 ? 'busy' : 'quiet'", as: "load" },
        { calculate: "upper(datum.comm) + ':' + format(datum.count / 4, '.2f')", as: "label" },
      ],
      mark: "bar",
      encoding: {
        x: { field: "label", type: "nominal", sort: null },
        y: { field: "scaled", type: "quantitative", axis: { labelExpr: "datum.value + ' ev'" } },
        color: { field: "load", type: "nominal" },
      },
    };
    watch = watchFunctionConstructor(false);
    const svg = await renderVegaLiteSvg(JSON.stringify(spec));
    watch.restore();
    // vega's own evaluator would have compiled each expression (and field accessor) here.
    expect(watch.compiled).toEqual([]);
    expect(marks(svg, "bar")).toEqual(["label: NGINX:7.50; scaled: 90; load: busy", "label: CRON:3.00; scaled: 36; load: quiet"]);
    expect(axisLabels(svg)).toEqual([["NGINX:7.50", "CRON:3.00"], ["0 ev", "20 ev", "40 ev", "60 ev", "80 ev"]]);
  });

  // Known shapes of vega expression escapes: reaching Function through
  // constructors, the scale() gadget with a forged context (the 2023 vega
  // advisory), a callable smuggled into replace(), the 2020 code-generator
  // comment injection, __proto__ pollution, the same in a parameter's
  // expression, and Object.prototype's methods called by name. Each must either fail as a PlotRenderError or draw without
  // effect: no global written, no process.exit, no prototype polluted and no
  // call to Function.
  const escapes: Array<[string, Record<string, unknown>]> = [
    ["this.constructor", { transform: [{ calculate: "(this.constructor.constructor('return process')()).exit(7)", as: "x" }] }],
    ["datum.constructor", { transform: [{ calculate: "datum.constructor.constructor('globalThis.__probebook_escaped = 1')()", as: "x" }] }],
    ["computed member", { transform: [{ calculate: "datum['constructor']['constructor']('globalThis.__probebook_escaped = 2')()", as: "x" }] }],
    ["scale() with a forged context", { transform: [{ calculate: "scale('f', 'globalThis.__probebook_escaped = 3', {context: {scales: {f: {value: [].constructor.constructor}}}})", as: "x" }] }],
    ["Function as a replace() callback", { transform: [{ calculate: "replace('globalThis.__probebook_escaped = 4', regexp('.*'), datum.constructor.constructor)", as: "x" }] }],
    ["code generator comment injection", { transform: [{ filter: "(0/ /1/)-'\\\n,globalThis.__probebook_escaped = 5))))//'" }] }],
    ["__proto__ in an object literal", { transform: [{ calculate: "{__proto__: {polluted: 'yes'}, a: 1}", as: "x" }] }],
    ["a parameter's expression", { params: [{ name: "p", expr: "datum.constructor.constructor('globalThis.__probebook_escaped = 6')()" }] }],
    ["process through event", { params: [{ name: "q", expr: "event.view.constructor.constructor('return process')().exit(8)" }] }],
    // vega looks function names up in a plain object, so Object.prototype's methods pass as names.
    ["an inherited method as a function name", { transform: [{ calculate: "__defineGetter__('format', datum.constructor.assign) + format(1, 'd')", as: "x" }] }],
  ];

  test.each(escapes)("%s: no host code runs", async (_name, attack) => {
    const spec = { data: { values: [{ a: 1, b: 2 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" } }, ...attack };
    const exit = vi.spyOn(process, "exit").mockImplementation(((code?: number) => {
      throw new Error(`the spec called process.exit(${code})`);
    }) as typeof process.exit);
    // The interpreter reports what it refused on console.error; keep the test output quiet.
    vi.spyOn(console, "error").mockImplementation(() => {});
    watch = watchFunctionConstructor(true);
    let outcome: string;
    try {
      const svg = await renderVegaLiteSvg(JSON.stringify(spec));
      outcome = svg.startsWith("<svg") ? "drawn" : "not an SVG";
    } catch (error) {
      outcome = error instanceof PlotRenderError ? "refused" : `failed with ${(error as Error).name}: ${(error as Error).message}`;
    }
    watch.restore();
    expect(["drawn", "refused"]).toContain(outcome);
    expect(watch.compiled).toEqual([]);
    expect(exit).not.toHaveBeenCalled();
    expect((globalThis as Record<string, unknown>).__probebook_escaped).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("the PNG the notebook bundle carries", () => {
  test("is the SVG's picture at its pixel size: the bars' colour covers the bars' area", async () => {
    const p = plot.bar(aq.table({ comm: ["nginx", "postgres", "cat"], count: [30, 12, 5] }), { x: "comm", y: "count" });
    const { svg, png, pngError } = await renderPlotImages(JSON.stringify(p.spec));
    expect(pngError).toBeUndefined();
    const image = decodePng(png!);
    const size = /^<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)!;
    expect([image.width, image.height]).toEqual([Number(size[1]), Number(size[2])]);
    // Each bar is a path "M x,y h w v h h -w Z" filled with vega's default blue.
    const area = [...svg.matchAll(/aria-roledescription="bar" d="M[-\d.]+,[-\d.]+h([\d.]+)v([\d.]+)h[-\d.]+Z" fill="#4c78a8"/g)]
      .map((m) => Number(m[1]) * Number(m[2]))
      .reduce((a, b) => a + b, 0);
    expect(area).toBeGreaterThan(20_000);
    // Anti-aliased edges take a little off the solid colour.
    const blue = countColour(image, "#4c78a8");
    expect(blue).toBeGreaterThan(area * 0.95);
    expect(blue).toBeLessThanOrEqual(Math.ceil(area));
  });

  test("an SVG over the pixel limit, or one rsvg-convert can't read, gets no PNG and a reason", async () => {
    const huge = '<svg xmlns="http://www.w3.org/2000/svg" width="5000" height="5000"><rect width="5000" height="5000" fill="red"/></svg>';
    await expect(svgToPng(huge)).rejects.toThrow(new PngRenderError("the plot is 5000×5000 pixels, over the 16777216 pixels the kernel rasterises: make it smaller (width, height)"));
    await expect(svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect')).rejects.toThrow(/rsvg-convert could not draw the plot \(exit status 1\)/);
    await expect(svgToPng("<svg/>")).rejects.toThrow("the plot's SVG has no pixel width and height on its <svg> element, so it can't be turned into a PNG");
    const small = await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2"><rect width="3" height="2" fill="#ff0000"/></svg>');
    const image = decodePng(small);
    expect([image.width, image.height, countColour(image, "#ff0000")]).toEqual([3, 2, 6]);
  });

  test("renderPlotImages reports a PNG failure instead of failing the plot", async () => {
    const spec = { width: 5000, height: 5000, data: { values: [{ a: 1 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" } } };
    const result = await renderPlotImages(JSON.stringify(spec));
    expect(result.svg.startsWith("<svg")).toBe(true);
    expect(result.png).toBeUndefined();
    expect(result.pngError).toMatch(/^the plot is \d+×\d+ pixels, over the 16777216 pixels the kernel rasterises/);
  });
});

test("rsvg-convert works in a child process: the kernel's event loop keeps running while a large plot is rasterised", async () => {
  // 50,000 translucent circles: long enough to draw that a blocking call would starve the timer.
  const circles = Array.from({ length: 50_000 }, (_, i) => `<circle cx="${(i * 37) % 800}" cy="${(i * 91) % 600}" r="6" fill="#4c78a8" fill-opacity="0.3"/>`).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600" fill="white"/>${circles}</svg>`;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const started = performance.now();
  try {
    const image = decodePng(await svgToPng(svg));
    expect([image.width, image.height]).toEqual([800, 600]);
  } finally {
    clearInterval(timer);
  }
  const elapsed = performance.now() - started;
  expect(elapsed).toBeGreaterThan(50);
  expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 5 / 4));
});
