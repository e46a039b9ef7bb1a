// Wall-clock times as a cell sees them: through the session's sandbox and
// bridge, real BPF and a workload stepped between two readings of the host's
// Date.now(). The table's `time` column holds Dates (a DateColumn over epoch
// ms), arquero's verbs work on it, the display shows it in UTC with
// milliseconds, and background runs and time series have the same column.

import { expect, test } from "vitest";
import { measureBootClock } from "../../runtime/host/wall-clock.js";
import { workloadFile } from "../support/workload-file.js";
import { printed, realRunner, withSession } from "./fixtures/real-runner.js";
import { recordingContext } from "./fixtures/recording-context.js";

const CALLS = 300;
/** How far two measurements of the boot offset may differ (each is good to µs; NTP may slew the wall clock in between). */
const EPSILON_MS = 0.25;
const steps = workloadFile("agg-steps", { sandbox: true });

interface Printed {
  names: string[];
  types: Record<string, string>;
  column: string;
  dates: boolean;
  ms: number[];
  ns: number[];
  latestFirst: string;
  perPid: { pid: number; n: number; first: string; last: string }[];
  second: number[];
}

test("a cell's events table has time as Dates next to time_ns: between the host's readings, the conversion of time_ns, shown in UTC", async () => {
  const s = await steps.stepper();
  const window = { before: 0, after: 0 };
  await withSession(realRunner(async () => {
    window.before = Date.now();
    await s.step(`p ${CALLS}`);
    window.after = Date.now();
  }), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const t = await tracepoint("syscalls:sys_enter_getppid").where({ pid: ${s.pid} }).columns("time", "pid").events({ for: "200ms" });`,
      `console.log(JSON.stringify({`,
      `  names: t.columnNames(), types: t.meta.columnTypes, column: t.column("time").constructor.name,`,
      `  dates: t.array("time").every((d) => d instanceof Date),`,
      `  ms: t.array("time").map((d) => d.getTime()), ns: Array.from(t.array("time_ns")),`,
      // arquero's verbs read the column through at(): filter, orderby, groupby, rollup and derive see Dates
      `  latestFirst: t.filter((d) => d.pid > 0).orderby(aq.desc("time")).get("time", 0).toISOString(),`,
      `  perPid: t.groupby("pid").rollup({ n: aq.op.count(), first: aq.op.min("time"), last: aq.op.max("time") }).objects(),`,
      `  second: t.derive({ s: (d) => op.seconds(d.time) }).array("s").slice(0, 1),`,
      `}));`,
      `t`,
    ].join("\n"), ctx);
    expect(outcome).toMatchObject({ status: "ok" });
    const p = printed(ctx) as Printed;
    expect(p.names).toEqual(["time_ns", "time", "pid"]);
    expect(p.types).toEqual({ time_ns: "float64", time: "date", pid: "uint32" });
    expect(p.column).toBe("DateColumn");
    expect(p.dates).toBe(true);
    expect(p.ms).toHaveLength(CALLS);
    const clock = measureBootClock();
    for (let i = 0; i < CALLS; i++) {
      // every getppid happened between the two readings (1 ms either side for the offset's rounding)
      expect(p.ms[i]).toBeGreaterThanOrEqual(window.before - 1);
      expect(p.ms[i]).toBeLessThanOrEqual(window.after + 1);
      // the conversion of time_ns, to the millisecond
      const exact = clock.bootEpochMs + p.ns[i]! / 1e6;
      expect(p.ms[i]).toBeGreaterThanOrEqual(Math.floor(exact - EPSILON_MS));
      expect(p.ms[i]).toBeLessThanOrEqual(Math.floor(exact + EPSILON_MS));
      if (i > 0) {
        expect(p.ns[i]).toBeGreaterThanOrEqual(p.ns[i - 1]!); // one thread: ring order is time order
        expect(p.ms[i]).toBeGreaterThanOrEqual(p.ms[i - 1]!);
      }
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(p.latestFirst).toBe(iso(p.ms[CALLS - 1]!));
    expect(p.perPid).toEqual([{ pid: s.pid, n: CALLS, first: iso(p.ms[0]!), last: iso(p.ms[CALLS - 1]!) }]);
    expect(p.second).toEqual([new Date(p.ms[0]!).getSeconds()]);

    // The display: ISO 8601 in UTC with milliseconds, in the text and the HTML table alike.
    const data = (outcome as { result: { data: Record<string, string> } }).result.data;
    const lines = data["text/plain"]!.split("\n");
    expect(lines[0]).toMatch(/^ *time_ns  time {20,}pid$/); // numbers right-aligned, the date as text
    expect(lines[2]!.trim().split(/ +/)).toEqual([String(p.ns[0]), iso(p.ms[0]!), String(s.pid)]);
    expect(data["text/html"]).toContain(`>${iso(p.ms[0]!)}</td>`);
    expect(data["text/html"]).toContain(`>${iso(p.ms[19]!)}</td>`);
  });
}, 60_000);

test("background event runs and time series carry the same time column", async () => {
  const s = await steps.stepper();
  const windows: { before: number; after: number }[] = []; // one per run: the background run's, the series'
  await withSession(realRunner(async () => {
    const before = Date.now();
    await s.step("p 40");
    windows.push({ before, after: Date.now() });
  }), async (session) => {
    const ctx = recordingContext(1);
    const cellStart = Date.now();
    const outcome = await session.execute([
      `const run = tracepoint("syscalls:sys_enter_getppid").where({ pid: ${s.pid} }).columns("pid", "time").start({ name: "bg" });`,
      `await new Promise((resolve) => setTimeout(resolve, 300)); // the ring reader polls: let it read what the hook caused`,
      `const snap = await run.snapshot();`,
      `const done = await run.stop();`,
      `const series = await syscall("getppid").where({ pid: ${s.pid} }).count().every("100ms").run({ for: "250ms" });`,
      `const ms = (t) => t.array("time").map((d) => (d instanceof Date ? d.getTime() : "not a Date: " + String(d)));`,
      `console.log(JSON.stringify({ snap: [snap.columnNames(), ms(snap)], done: [done.columnNames(), ms(done)],`,
      `  series: [series.columnNames(), ms(series), series.meta.columnTypes.time, series.array("count").reduce((a, b) => a + b, 0)] }));`,
    ].join("\n"), ctx);
    const cellEnd = Date.now();
    expect(outcome).toEqual({ status: "ok" });
    const p = printed(ctx) as { snap: [string[], number[]]; done: [string[], number[]]; series: [string[], number[], string, number] };
    expect(p.snap[0]).toEqual(["time_ns", "time", "pid"]);
    expect(p.done[0]).toEqual(["time_ns", "time", "pid"]);
    expect(p.snap[1]).toHaveLength(40); // the hook ran before start() resolved, and the reader had time to read
    expect(p.done[1]).toEqual(p.snap[1]);
    expect(windows).toHaveLength(2);
    for (const t of p.done[1]) {
      expect(t).toBeGreaterThanOrEqual(windows[0]!.before - 1);
      expect(t).toBeLessThanOrEqual(windows[0]!.after + 1);
    }
    // The series' time: each interval's end, a Date too.
    const [names, times, type, total] = p.series;
    expect(names).toEqual(["interval", "time", "count"]);
    expect(type).toBe("date");
    expect(total).toBe(40);
    expect(times.length).toBeGreaterThan(0);
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(cellStart);
      expect(t).toBeLessThanOrEqual(cellEnd);
    }
  });
}, 60_000);
