// plot.heatmap()'s text (runtime/plot/text/heatmap-text.ts): shaded cells with axes.
import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import * as plot from "../../../../probes-lib/plot.js";
import { heatmapText } from "../../../../runtime/plot/text/heatmap-text.js";
import { latencySeries } from "../../fixtures/plot-tables.js";

const text = (...lines: string[]) => lines.join("\n");
const seconds = { type: "quantitative" as const, unit: "s" as const, title: "t" };

describe("heatmap text", () => {
  it("shades each interval's buckets, the largest bucket on top, every bucket in the range on the axis", () => {
    expect(plot.heatmap(latencySeries(), { x: "time_ns", y: "low", color: "count" }).text(80)).toBe(text(
      "heatmap of low over time_ns: 4,805 counted in 20 intervals × 11 buckets (2K to 2M)",
      "  2M │                              ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░",
      "  1M │                              ▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒",
      "512K │                              ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░",
      "256K │",
      "128K │",
      " 64K │",
      " 32K │",
      " 16K │",
      "  8K │▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒",
      "  4K │████████████████████████████████████████████████████████████",
      "  2K │▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒▒",
      "     └────────────────────────────────────────────────────────────",
      "      0s                                                       19s  time (s since first row)",
      "      shades: ░ ▒ ▓ █ = up to 29.8, 59.5, 89.3, 119 per cell",
    ));
  });

  it("lays out two intervals", () => {
    expect(heatmapText({ summary: "heatmap", x: seconds, buckets: ["1us", "2us"], times: [0, 1], cells: [{ time: 0, bucket: 0, count: 4 }, { time: 1, bucket: 1, count: 1 }] }, 40)).toBe(text(
      "heatmap",
      "2us │    ░░░░",
      "1us │████",
      "    └────────",
      "     0s  1s  t",
      "     shades: ░ ▒ ▓ █ = up to 1, 2, 3, 4 per cell",
    ));
  });

  it("adds neighbouring intervals together on a narrow terminal", () => {
    const times = Array.from({ length: 50 }, (_, i) => i);
    const out = heatmapText({ summary: "heatmap", x: seconds, buckets: ["1us"], times, cells: times.map((i) => ({ time: i, bucket: 0, count: i < 25 ? 1 : 3 })) }, 30);
    expect(out).toBe(text(
      "heatmap",
      "1us │▒▒▒▒▒▒▒▒▒▒▒▒▓████████████",
      "    └─────────────────────────",
      "     0s                      49s  t",
      "     shades: ░ ▒ ▓ █ = up to 1.5, 3, 4.5, 6 per cell",
    ));
  });

  it("says so when nothing was counted", () => {
    expect(plot.heatmap(aq.table({ t: [] as number[], lower: [] as number[], count: [] as number[] }), { x: "t", y: "lower", color: "count" }).text(80)).toBe(text(
      "heatmap of lower over t: 0 counted in 0 intervals × 0 buckets",
      "(nothing counted)",
    ));
  });
});
