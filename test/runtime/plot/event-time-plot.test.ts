// Plots of a probe's wall-clock `time` column (a DateColumn, as resultTable()
// makes it from the runtime's epoch ms): a temporal x axis in UTC, the clock
// the table display uses, checked on the SVG the host renders.

import { describe, expect, test } from "vitest";
import * as plot from "../../../probes-lib/plot.js";
import { resultTable } from "../../../probes-lib/result-table.js";
import { renderVegaLiteSvg } from "../../../runtime/plot/render-svg.js";
import { axisLabels, marks, texts } from "../fixtures/svg.js";

/** 2024-11-25 14:21:07.000 UTC: rows every 250 ms from here, over 2 s. */
const T0 = Date.UTC(2024, 10, 25, 14, 21, 7);
const BOOT_NS = 5_000_000_000_000;

/** What a latency events run gives a cell: time_ns, time (type "date"), latency_ns. */
function slowReads() {
  const n = 9;
  const ms = Float64Array.from({ length: n }, (_, i) => T0 + i * 250);
  return resultTable({
    columns: {
      time_ns: Float64Array.from({ length: n }, (_, i) => BOOT_NS + i * 250e6),
      time: ms,
      latency_ns: Float64Array.from({ length: n }, (_, i) => 1e6 * (1 + (i % 3))),
    },
    columnTypes: { time_ns: "float64", time: "date", latency_ns: "float64" },
    rowCount: n,
    stats: { events: n, dropped: 0, durationMs: 2000 },
  }, { kind: "latency", pair: { type: "syscall", name: "read" }, value: { op: "count" }, keys: [], filter: {}, durationMs: 2000, thresholdNs: 1e6 } as never);
}

describe("plots of the time column", () => {
  test("plot.line over time: a UTC time axis, points at the rows' times", async () => {
    const t = slowReads();
    expect(t.get("time", 0)).toEqual(new Date(T0));
    const p = plot.line(t, { x: "time", y: "latency_ns" });
    const spec = p.spec as { encoding: Record<string, Record<string, unknown>>; data: { values: { x: number; y: number }[] } };
    const utc = (ms: number) => ({ utc: true, year: 2024, month: 11, date: 25, hours: 14, minutes: 21, seconds: 7 + Math.floor(ms / 1000), milliseconds: ms % 1000 });
    expect(spec.encoding.x).toEqual({
      field: "x", type: "temporal", title: "time (UTC)", scale: { type: "utc" },
      axis: { values: [0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000].map(utc), format: "%H:%M:%S.%L" },
    });
    expect(spec.data.values.map((v) => v.x)).toEqual(Array.from({ length: 9 }, (_, i) => T0 + i * 250));
    const svg = await renderVegaLiteSvg(JSON.stringify(p.spec));
    expect(texts(svg, "axis-title")).toEqual(["time (UTC)", "latency_ns"]);
    // a tick every 250 ms, labelled in UTC with milliseconds (vega's own ticks would fall on .900)
    expect(axisLabels(svg)[0]).toEqual(["14:21:07.000", "14:21:07.250", "14:21:07.500", "14:21:07.750", "14:21:08.000",
      "14:21:08.250", "14:21:08.500", "14:21:08.750", "14:21:09.000"]);
    // each point's tooltip: its UTC time with milliseconds
    const points = marks(svg, "point");
    expect(points).toHaveLength(9);
    expect(points[1]).toBe("time (UTC): 14:21:07.250; latency_ns: 2000000");
  });

  test("plot.heatmap over time counts events in columns of the UTC axis", async () => {
    const p = plot.heatmap(slowReads(), { x: "time", y: "latency_ns", columns: 4 });
    const spec = p.spec as { encoding: Record<string, Record<string, unknown>> };
    expect(spec.encoding.x).toMatchObject({ field: "t0", type: "temporal", title: "time (UTC)", scale: { type: "utc" } });
    const svg = await renderVegaLiteSvg(JSON.stringify(p.spec));
    expect(texts(svg, "axis-title")[0]).toBe("time (UTC)");
    expect(axisLabels(svg)[0]).toEqual(["14:21:07.000", "14:21:07.250", "14:21:07.500", "14:21:07.750", "14:21:08.000",
      "14:21:08.250", "14:21:08.500", "14:21:08.750", "14:21:09.000"]);
    // 9 reads of 1, 2, 3 ms (log2 buckets 512us, 1ms, 2ms) in 4 columns of 500 ms; the last read closes the last column
    const cells = marks(svg, "rect mark").map((m) => /^time \(UTC\): ([^;]+); latency_ns \(log2 buckets, 1us = 1024ns\): ([^;]+);.*count: (\d+)$/.exec(m)!.slice(1).join(" "));
    expect(cells).toEqual([
      "14:21:07.000 512us 1", "14:21:07.000 1ms 1",
      "14:21:07.500 512us 1", "14:21:07.500 2ms 1",
      "14:21:08.000 1ms 1", "14:21:08.000 2ms 1",
      "14:21:08.500 512us 1", "14:21:08.500 1ms 1", "14:21:08.500 2ms 1",
    ]);
  });
});
