// plot.histogram()'s text (runtime/plot/text/histogram-text.ts), through the
// plot builder as cells use it.
import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import * as plot from "../../../../probes-lib/plot.js";
import { latencyHistogram, runtimeLatencyHistogram } from "../../fixtures/plot-tables.js";

const text = (...lines: string[]) => lines.join("\n");

describe("histogram text", () => {
  it("draws a runtime latency histogram in bpftrace's rows, sub-buckets and empty ones between included", () => {
    expect(plot.histogram(runtimeLatencyHistogram()).text(80)).toBe(text(
      "log2 histogram of latency: 288 counted in 14 buckets, 1us to 10.2us, by comm (1 value) (1us = 1024ns)",
      "",
      "comm = cat:",
      "[1us, 1.25us)     50 |@@@@@@@@@@@@@@@@@@@@@@@                                  |",
      "[1.25us, 1.5us)  120 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
      "[1.5us, 1.75us)   80 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                   |",
      "[1.75us, 2us)      0 |                                                         |",
      "[2us, 2.5us)      30 |@@@@@@@@@@@@@@                                           |",
      "[2.5us, 3us)       0 |                                                         |",
      "[3us, 3.5us)       0 |                                                         |",
      "[3.5us, 4us)       6 |@@                                                       |",
      "[4us, 5us)         0 |                                                         |",
      "[5us, 6us)         0 |                                                         |",
      "[6us, 7us)         0 |                                                         |",
      "[7us, 8us)         0 |                                                         |",
      "[8us, 10us)        0 |                                                         |",
      "[10us, 12us)       2 |                                                         |",
    ));
  });

  it("gives each group its own rows, from its first to its last counted bucket", () => {
    const lines = plot.histogram(latencyHistogram()).text(60).split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "log2 histogram of value: 1,322 counted in 11 buckets, 1K to 1M, by comm (2 values)",
      "",
      "comm = nginx:",
      "[1K, 2K)        3 |                                        |",
    ]);
    expect(lines.slice(lines.indexOf("comm = postgres:"))).toEqual([
      "comm = postgres:",
      "[16K, 32K)     20 |@@                                      |",
      "[32K, 64K)     90 |@@@@@@@@@@@@                            |",
      "[64K, 128K)   300 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
      "[128K, 256K)  120 |@@@@@@@@@@@@@@@@                        |",
      "[256K, 512K)    8 |@                                       |",
    ]);
  });

  it("says so when nothing was counted (an empty table, empty raw values)", () => {
    expect(plot.histogram(aq.table({ lower: [], upper: [], count: [] })).text(80)).toBe(text("histogram of value: 0 counted in 0 buckets", "(nothing counted)"));
    expect(plot.histogram(aq.table({ latency_ns: [] as number[] }), { value: "latency_ns" }).text(80)).toBe(text("log2 histogram of latency_ns: 0 counted in 0 buckets (1us = 1024ns)", "(nothing counted)"));
  });

  it("draws one bucket", () => {
    expect(plot.histogram(aq.table({ lower: [1048576], upper: [2097152], count: [200] }), { unit: "ns" }).text(60)).toBe(text(
      "log2 histogram of value: 200 counted in 1 bucket, 1ms to 1ms (1us = 1024ns)",
      "[1ms, 2ms)  200 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
    ));
  });

  it("keeps huge counts whole", () => {
    expect(plot.histogram(aq.table({ lower: [1024, 2048], upper: [2048, 4096], count: [9007199254740991, 4503599627370496] }), { unit: "bytes" }).text(60)).toBe(text(
      "log2 histogram of value: 13,510,798,882,111,488 counted in 2 buckets, 1K to 2K",
      "[1K, 2K)  9007199254740991 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
      "[2K, 4K)  4503599627370496 |@@@@@@@@@@@@@@@                |",
    ));
  });

  it("draws linear buckets with negative bounds and open ends", () => {
    const t = aq.table({ lower: [-Infinity, -20, -10, 0, 10, 20], upper: [-20, -10, 0, 10, 20, Infinity], count: [1, 3, 5, 0, 2, 1] });
    expect(plot.histogram(t).text(50)).toBe(text(
      "histogram of value: 12 counted in 6 buckets, <-20 to ≥20",
      "(..., -20)  1 |@@@@@@                            |",
      "[-20, -10)  3 |@@@@@@@@@@@@@@@@@@@@              |",
      "[-10, 0)    5 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
      "[0, 10)     0 |                                  |",
      "[10, 20)    2 |@@@@@@@@@@@@@                     |",
      "[20, ...)   1 |@@@@@@                            |",
    ));
    expect(plot.histogram(aq.table({ v: [-5, -3, 0, 2, 7, 9, 9] }), { value: "v", bins: 4 }).text(40)).toBe(text(
      "histogram of v: 7 counted in 4 buckets, -5 to 5.5",
      "[-5, -1.5)  2 |@@@@@@@@@@@@@@@@        |",
      "[-1.5, 2)   1 |@@@@@@@@                |",
      "[2, 5.5)    1 |@@@@@@@@                |",
      "[5.5, 9)    3 |@@@@@@@@@@@@@@@@@@@@@@@@|",
    ));
  });

  it("fills wide terminals and fits narrow ones", () => {
    const t = aq.table({ lower: [0, 1, 2, 4], upper: [1, 2, 4, 8], count: [1, 2, 8, 4] });
    const wide = plot.histogram(t).text(120).split("\n");
    expect(wide.slice(1).every((line) => line.length === 120)).toBe(true);
    expect(wide[3]).toBe(`[2, 4)  8 |${"@".repeat(108)}|`);
    expect(plot.histogram(t).text(30)).toBe(text(
      "log2 histogram of value: 15 counted in 4 buckets, 0 to 4",
      "[0]     1 |@@                |",
      "[1]     2 |@@@@              |",
      "[2, 4)  8 |@@@@@@@@@@@@@@@@@@|",
      "[4, 8)  4 |@@@@@@@@@         |",
    ));
  });
});
