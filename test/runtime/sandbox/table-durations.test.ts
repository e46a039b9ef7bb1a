// A latency probe's nanoseconds show as times in its table's text and HTML
// views: slow pairs get a "latency" column (1.23ms) before latency_ns, and a
// latency's sum/min/max/avg show as times; keyed by the table's meta, and the
// numbers stay in the table for queries.
import * as aq from "arquero";
import { describe, expect, it } from "vitest";
import { withMeta } from "../../../probes-lib/result-table.js";
import { tableBundle } from "../../../runtime/sandbox/prelude/render-table.js";

const meta = (kind: string, value: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ events: 2, dropped: 0, lost: 0, missed: 0, durationMs: 1000, declaration: { kind, value, keys: [], filter: {}, durationMs: 1000, ...extra }, columnTypes: {} }) as never;

describe("latency tables", () => {
  it("show slow pairs' latency as a time before latency_ns", () => {
    const t = withMeta(aq.table({ time_ns: [1, 2], latency_ns: [1234567, 2500] }), meta("latency", { op: "count" }, { thresholdNs: 1000 }));
    const { "text/plain": text, "text/html": html } = tableBundle(t);
    expect(text.split("\n").slice(0, 4)).toEqual([
      "time_ns  latency  latency_ns",
      "-------  -------  ----------",
      "      1  1.23ms      1234567",
      "      2  2.5us          2500",
    ]);
    expect(html).toContain("<td style=\"text-align: left;\">1.23ms</td>");
    expect(t.columnNames()).toEqual(["time_ns", "latency_ns"]);
  });

  it("show a latency's avg, min, max and sum as times, and leave counts alone", () => {
    const t = withMeta(aq.table({ comm: ["sleeper"], count: [5], sum: [42500000], min: [8400000], max: [8600000], avg: [8500000] }), meta("latency", { op: "stats" }));
    expect(tableBundle(t)["text/plain"].split("\n")[2]).toBe("sleeper      5  42.5ms  8.4ms  8.6ms  8.5ms");
    expect(t.get("avg", 0)).toBe(8500000);
  });

  it("leave other tables as they are: a field's average is no time", () => {
    const t = withMeta(aq.table({ count: [2], avg: [8500000] }), meta("aggregate", { op: "avg", field: "bytes" }));
    expect(tableBundle(t)["text/plain"].split("\n")[2]).toBe("    2  8500000");
  });
});
