// The `time` column as a cell gets it, without a kernel: a DateColumn over the
// runtime's epoch ms (resultTable), arquero's verbs on it, the table display
// in UTC whatever the time zone, `.columns("time")`, and the time axis ticks.

import * as aq from "arquero";
import { afterEach, describe, expect, test } from "vitest";
import { DateColumn, datedColumns } from "../../probes-lib/date-column.js";
import { temporalAxis } from "../../probes-lib/plot-data.js";
import { resultTable } from "../../probes-lib/result-table.js";
import { tracepoint } from "../../probes-lib/tracepoint.js";
import { tableBundle, tableText } from "../../runtime/sandbox/prelude/render-table.js";

/** 2024-11-25T14:21:07.123Z and three later rows. */
const T0 = Date.UTC(2024, 10, 25, 14, 21, 7, 123);
const MS = [T0, T0 + 1, T0 + 1000, T0 + 1];

function events() {
  return resultTable({
    columns: { time_ns: Float64Array.from([5e12, 5.000001e12, 5.001e12, 5.000001e12]), time: Float64Array.from(MS), pid: Uint32Array.from([7, 8, 7, 9]) },
    columnTypes: { time_ns: "float64", time: "date", pid: "uint32" },
    rowCount: 4,
    stats: { events: 4, dropped: 0, durationMs: 1000 },
  }, { kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, fields: [], columns: ["time_ns", "pid"], filter: {}, durationMs: 1000 });
}

const iso = (ms: number) => new Date(ms).toISOString();

describe("a result's date column", () => {
  test("resultTable makes columns of type date a DateColumn over the same milliseconds", () => {
    const t = events();
    const time = t.column("time") as unknown as DateColumn;
    expect(time).toBeInstanceOf(DateColumn);
    expect(time.ms).toEqual(Float64Array.from(MS)); // no copy of Dates: the epoch ms only
    expect(t.columnNames()).toEqual(["time_ns", "time", "pid"]);
    expect(t.get("time", 2)).toEqual(new Date(T0 + 1000));
    expect(t.meta.columnTypes.time).toBe("date");
    // arrays that are not a Float64Array (a copied result) and missing values
    const copied = datedColumns({ time: [T0, Number.NaN], n: [1, 2] }, { time: "date", n: "float64" });
    expect(copied.n).toEqual([1, 2]);
    expect(Array.from(copied.time as DateColumn)).toEqual([new Date(T0), null]);
  });

  test("arquero's verbs read Dates: filter, derive, orderby, groupby, rollup, objects, reify, concat", () => {
    const t = events();
    expect(t.filter((d: { pid: number }) => d.pid === 7).array("time")).toEqual([new Date(T0), new Date(T0 + 1000)]);
    expect(t.derive({ ms: (d: { time: Date }) => +d.time, s: (d: { time: Date }) => aq.op.seconds(d.time) }).array("s")).toEqual([7, 7, 8, 7]);
    expect(t.orderby(aq.desc("time")).array("pid")).toEqual([7, 8, 9, 7]);
    expect(t.groupby("time").count().objects()).toEqual([
      { time: new Date(T0), count: 1 }, { time: new Date(T0 + 1), count: 2 }, { time: new Date(T0 + 1000), count: 1 },
    ]);
    expect(t.rollup({ first: aq.op.min("time"), last: aq.op.max("time") }).objects()).toEqual([{ first: new Date(T0), last: new Date(T0 + 1000) }]);
    expect(t.objects()[0]).toEqual({ time_ns: 5e12, time: new Date(T0), pid: 7 });
    expect(JSON.stringify(t.select("time").objects()[0])).toBe(`{"time":"${iso(T0)}"}`);
    expect(t.filter((d: { pid: number }) => d.pid > 7).reify().array("time")).toEqual([new Date(T0 + 1), new Date(T0 + 1)]);
    expect(t.concat(t).numRows()).toBe(8);
  });
});

describe("display", () => {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  test("dates show as ISO 8601 in UTC with milliseconds, in text and HTML, whatever the local zone", () => {
    process.env.TZ = "America/New_York"; // local time is 09:21 there
    expect(new Date(T0).getHours()).toBe(9);
    const t = events();
    const text = tableText(t).split("\n");
    expect(text[0]).toBe(`${"time_ns".padStart(13)}  ${"time".padEnd(24)}  pid`);
    expect(text[2]).toBe(`5000000000000  ${iso(T0)}    7`);
    expect(text[2]).toContain("2024-11-25T14:21:07.123Z");
    const html = tableBundle(t)["text/html"]!;
    for (const ms of MS) expect(html).toContain(`>${iso(ms)}</td>`);
    // whole seconds keep their milliseconds too
    const whole = aq.table({ time: new DateColumn(Float64Array.of(Date.UTC(2024, 0, 1))) });
    expect(tableBundle(whole)["text/html"]).toContain(">2024-01-01T00:00:00.000Z</td>");
  });
});

describe(".columns(\"time\")", () => {
  test("records time_ns (time is computed from it); the code keeps what the cell said", () => {
    const probe = tracepoint("syscalls:sys_enter_getppid").columns("time", "pid");
    expect(probe.toDeclaration({ for: "1s" })).toEqual({
      kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" },
      fields: [], columns: ["time_ns", "pid"], filter: {}, durationMs: 1000,
    });
    expect(probe.code).toBe('tracepoint("syscalls:sys_enter_getppid").columns("time", "pid")');
    expect(tracepoint("syscalls:sys_enter_getppid").columns("time", "time_ns").toDeclaration({ for: "1s" }).columns).toEqual(["time_ns"]);
  });
});

describe("time axis ticks", () => {
  test("round UTC steps, at most 9 ticks, labelled with what the step needs", () => {
    const at = (iso: string) => Date.parse(iso);
    const ticks = (a: string, b: string) => {
      const axis = temporalAxis(at(a), at(b));
      return { format: axis.format, values: axis.values.map((v) => new Date(Date.UTC(v.year, v.month - 1, v.date, v.hours, v.minutes, v.seconds, v.milliseconds)).toISOString().slice(11, 23)) };
    };
    expect(ticks("2024-11-25T14:21:07.123Z", "2024-11-25T14:21:09.050Z")).toEqual({
      format: "%H:%M:%S.%L", values: ["14:21:07.250", "14:21:07.500", "14:21:07.750", "14:21:08.000", "14:21:08.250", "14:21:08.500", "14:21:08.750", "14:21:09.000"],
    });
    expect(ticks("2024-11-25T14:21:07Z", "2024-11-25T14:21:37Z")).toEqual({
      format: "%H:%M:%S", values: ["14:21:10.000", "14:21:15.000", "14:21:20.000", "14:21:25.000", "14:21:30.000", "14:21:35.000"],
    });
    expect(ticks("2024-11-25T14:00:00Z", "2024-11-25T15:00:00Z").format).toBe("%H:%M");
    expect(ticks("2024-11-25T23:00:00Z", "2024-11-26T01:00:00Z")).toEqual({ format: "%b %d %H:%M", values: ["23:00:00.000", "23:15:00.000", "23:30:00.000", "23:45:00.000", "00:00:00.000", "00:15:00.000", "00:30:00.000", "00:45:00.000", "01:00:00.000"] });
    expect(temporalAxis(T0, T0)).toEqual({ format: "%H:%M:%S.%L", values: [{ utc: true, year: 2024, month: 11, date: 25, hours: 14, minutes: 21, seconds: 7, milliseconds: 123 }] });
  });
});
