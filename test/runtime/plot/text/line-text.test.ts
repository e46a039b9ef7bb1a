// plot.line()'s text (runtime/plot/text/line-text.ts): sparklines with min, max, last.
import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import * as plot from "../../../../probes-lib/plot.js";
import { cpuSeries } from "../../fixtures/plot-tables.js";

const text = (...lines: string[]) => lines.join("\n");
const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 12, 0, s));

describe("line text", () => {
  it("gives each interval of a time series an equal run, the clock times underneath", () => {
    const t = aq.table({ time: [at(1), at(2), at(3), at(4)], count: [10, 40, 20, 80] });
    expect(plot.line(t, { x: "time", y: "count" }).text(60)).toBe(text(
      "line plot of count by time: 4 points",
      "count ▁▁▁▁▁▁▁▁▄▄▄▄▄▄▄▄▂▂▂▂▂▂▂▂████████ min 10 max 80 last 80",
      "      12:00:01.000        12:00:04.000  time (UTC)",
    ));
  });

  it("draws one line per series, largest first, named by the key", () => {
    expect(plot.line(cpuSeries(), { x: "time_ns", y: "count", color: "cpu" }).text(80)).toBe(text(
      "line plot of count by time_ns: 90 points, 3 lines by cpu",
      "cpu 2 █▇▆▅▄▃▁▁▁▁▁▂▃▅▆▇████▇▆▅▄▂▁▁▁▁▁ min 2700 max 3297 last 2765",
      "cpu 1 ████▇▆▅▄▃▁▁▁▁▁▂▃▅▆▇████▇▆▅▄▂▁▁ min 1700 max 2299 last 1716",
      "cpu 0 ▅▆▇████▇▆▅▄▃▁▁▁▁▁▂▃▅▆▇████▇▆▅▄ min 700 max 1299 last 928",
      "      0s                         29s  time (s since first row)",
    ));
  });

  it("shows negative values and flat lines", () => {
    const t = aq.table({ t: [0, 1, 2, 0, 1, 2], v: [-3, 0, 3, 5, 5, 5], k: ["a", "a", "a", "b", "b", "b"] });
    expect(plot.line(t, { x: "t", y: "v", color: "k" }).text(50)).toBe(text(
      "line plot of v by t: 6 points, 2 lines by k",
      "k b ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄ min 5 max 5 last 5",
      "k a ▁▁▁▁▁▁▁▁▅▅▅▅▅▅▅▅████████ min -3 max 3 last 3",
      "    0                      2  t",
    ));
  });

  it("folds more points than columns into the largest of each, so a spike stays (narrow terminal)", () => {
    const t = aq.table({ t: Array.from({ length: 100 }, (_, i) => i), latency_ns: Array.from({ length: 100 }, (_, i) => (i === 50 ? 5e6 : 1000 + i)) });
    expect(plot.line(t, { x: "t", y: "latency_ns" }).text(40)).toBe(text(
      "line plot of latency_ns by t: 100 points",
      "latency_ns ▁▁▁▁█▁▁▁ min 1us max 5ms last 1.1us",
      "           0     99  t",
    ));
    const wide = plot.line(t, { x: "t", y: "latency_ns" }).text(200).split("\n");
    expect(wide[1]).toBe(`latency_ns ${"▁".repeat(50)}█${"▁".repeat(49)} min 1us max 5ms last 1.1us`);
  });

  it("says so when there are no points, and draws a single one", () => {
    expect(plot.line(aq.table({ t: [] as number[], y: [] as number[] }), { x: "t", y: "y" }).text(80)).toBe(text("line plot of y by t: 0 points", "(no points)"));
    expect(plot.line(aq.table({ t: [5], y: [3] }), { x: "t", y: "y" }).text(40)).toBe(text(
      "line plot of y by t: 1 point",
      "y ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄ min 3 max 3 last 3",
      "  5  t",
    ));
  });
});
