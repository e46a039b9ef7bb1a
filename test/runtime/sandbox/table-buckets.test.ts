// Histogram tables show a readable bucket column ([1us, 1.25us)) in their text
// and HTML views, keyed by the table's meta; the numeric bounds stay for queries.
import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import { withMeta } from "../../../probes-lib/result-table.js";
import { tableBundle } from "../../../runtime/sandbox/prelude/render-table.js";
import { runtimeLatencyHistogram } from "../fixtures/plot-tables.js";

const meta = (value: Record<string, unknown>, kind = "aggregate") =>
  ({ events: 9, dropped: 0, lost: 0, missed: 0, durationMs: 1000, declaration: { kind, value, keys: [], filter: {}, durationMs: 1000 }, columnTypes: {} }) as never;

describe("histogram tables", () => {
  it("show a latency histogram's buckets with units, before the bounds, in text and HTML", () => {
    const t = runtimeLatencyHistogram();
    const { "text/plain": text, "text/html": html } = tableBundle(t);
    expect(text.split("\n").slice(0, 5)).toEqual([
      "comm  bucket           lower  upper  count",
      "----  ---------------  -----  -----  -----",
      "cat   [1us, 1.25us)     1024   1280     50",
      "cat   [1.25us, 1.5us)   1280   1536    120",
      "cat   [1.5us, 1.75us)   1536   1792     80",
    ]);
    expect(html).toContain("<th style=\"text-align: left;\">bucket</th><th style=\"text-align: right;\">lower</th>");
    expect(html).toContain("<td style=\"text-align: left;\">[2us, 2.5us)</td><td style=\"text-align: right;\">2048</td>");
    // The table itself is unchanged: queries still see the numbers.
    expect(t.columnNames()).toEqual(["comm", "lower", "upper", "count"]);
  });

  it("show a field's log2 histogram in K/M and a linear one with its open ends, negative bounds too", () => {
    const bytes = withMeta(aq.table({ lower: [262144], upper: [524288], count: [3] }), meta({ op: "hist_log2", field: "bytes", subBuckets: 1 }));
    expect(tableBundle(bytes)["text/plain"].split("\n")[2]).toBe("[256K, 512K)  262144  524288      3");
    const linear = withMeta(aq.table({ lower: [-Infinity, -10, 0, 10], upper: [-10, 0, 10, Infinity], count: [1, 2, 3, 4] }), meta({ op: "hist_linear", field: "delta", min: -10, max: 10, step: 10 }));
    expect(tableBundle(linear)["text/plain"].split("\n").slice(2, 6)).toEqual([
      "(..., -10)  -Infinity       -10      1",
      "[-10, 0)          -10         0      2",
      "[0, 10)             0        10      3",
      "[10, ...)          10  Infinity      4",
    ]);
  });

  it("follow the table's order and filter", () => {
    const t = withMeta(aq.table({ lower: [1024, 2048, 4096], upper: [2048, 4096, 8192], count: [5, 9, 1] }), meta({ op: "hist_log2", field: "len" }));
    const shown = withMeta(t.filter((d: { count: number }) => d.count > 1).orderby(aq.desc("count")), t.meta);
    expect(tableBundle(shown)["text/plain"].split("\n").slice(2, 4)).toEqual(["[2K, 4K)   2048   4096      9", "[1K, 2K)   1024   2048      5"]);
  });

  it("are the only tables that get the column: other results, and tables without meta, are shown as they are", () => {
    const counts = withMeta(aq.table({ lower: [1], upper: [2], count: [1] }), meta({ op: "count" }));
    expect(tableBundle(counts)["text/plain"].split("\n")[0]).toBe("lower  upper  count");
    expect(tableBundle(aq.table({ lower: [1024], upper: [2048], count: [1] }))["text/plain"].split("\n")[0]).toBe("lower  upper  count");
  });
});
