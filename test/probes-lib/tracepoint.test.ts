import { afterEach, describe, expect, test } from "vitest";
import { tracepoint } from "../../probes-lib/tracepoint.js";
import { syscall } from "../../probes-lib/syscall.js";
import { setProbeHost, type EventsPayload, type ProbeHost } from "../../probes-lib/host.js";
import type { EventsDeclaration } from "../../runtime/spec/declaration.js";

afterEach(() => setProbeHost(undefined));

describe("tracepoint declarations", () => {
  test("the minimal declaration", () => {
    expect(tracepoint("sched:sched_switch").toDeclaration({ for: "1s" })).toEqual({
      kind: "events",
      source: { type: "tracepoint", name: "sched:sched_switch" },
      fields: [],
      filter: {},
      durationMs: 1000,
    });
  });

  test("where, fields and limit all land in the declaration", () => {
    const declaration = tracepoint("syscalls:sys_enter_openat").where({ pid: 4242 }).fields("filename", "flags").fields("flags", "mode").limit(100).toDeclaration({ for: 250 });
    expect(declaration).toEqual({
      kind: "events",
      source: { type: "tracepoint", name: "syscalls:sys_enter_openat" },
      fields: ["filename", "flags", "mode"],
      filter: { pid: 4242 },
      durationMs: 250,
      limit: 100,
    });
    // Plain data: survives JSON unchanged.
    expect(JSON.parse(JSON.stringify(declaration))).toEqual(declaration);
  });

  test("builders are immutable: each step returns a new probe", () => {
    const base = tracepoint("sched:sched_switch");
    const narrowed = base.where({ pid: 1 });
    expect(base.toDeclaration({ for: "1s" }).filter).toEqual({});
    expect(narrowed.toDeclaration({ for: "1s" }).filter).toEqual({ pid: 1 });
    expect(narrowed.where({ pid: undefined }).toDeclaration({ for: "1s" }).filter).toEqual({});
  });

  test("a builder prints as the code that makes it", () => {
    expect(String(tracepoint("sched:sched_switch"))).toBe('tracepoint("sched:sched_switch")');
    expect(String(tracepoint("syscalls:sys_enter_openat").where({ pid: 7 }).fields("filename", "flags").limit(5))).toBe(
      'tracepoint("syscalls:sys_enter_openat").where({"pid":7}).fields("filename", "flags").limit(5)',
    );
  });

  test(".events() without options is the probe itself, for .events().start(); with options it runs", () => {
    const probe = tracepoint("sched:sched_switch").fields("prev_pid");
    expect(probe.events()).toBe(probe);
    expect(probe.events().toDeclaration({ for: "1s" })).toEqual(probe.toDeclaration({ for: "1s" }));
    expect(probe.toDeclaration({ for: "1s" })).toMatchObject({ kind: "events", fields: ["prev_pid"] });
  });

  test("a histogram's options are checked: every is a method, unknown names are errors", () => {
    expect(() => syscall("read").latency().histogram({ every: "1s" } as never)).toThrow(new TypeError('syscall("read").latency().histogram({"every":"1s"}): a histogram series is .histogram().every("1s").run({ for }), not an option'));
    expect(() => syscall("read").histogram("count", { bukets: 4 } as never)).toThrow(/unknown option "bukets" \(a histogram takes linear, subBuckets and for\)/);
  });

  test("mistakes are reported with the call quoted", async () => {
    expect(() => tracepoint("sched_switch")).toThrow(new TypeError('tracepoint("sched_switch"): the name must be "category:event", e.g. tracepoint("syscalls:sys_enter_openat") or tracepoint("sched:sched_switch")'));
    const probe = tracepoint("sched:sched_switch");
    expect(() => probe.where({ pid: 0 })).toThrow(new RangeError('tracepoint("sched:sched_switch").where(...): pid must be a positive whole number, not 0'));
    expect(() => probe.where({ uid: -1 })).toThrow(new RangeError('tracepoint("sched:sched_switch").where(...): uid must be a whole number from 0, not -1'));
    expect(probe.where({ uid: 0 }).toDeclaration({ for: "1s" }).filter).toEqual({ uid: 0 }); // root
    expect(() => probe.where({ comm: "a-name-longer-than-15" })).toThrow(new TypeError('tracepoint("sched:sched_switch").where(...): comm must be a command name of 1 to 15 bytes (as /proc/PID/comm shows it), not "a-name-longer-than-15"'));
    expect(() => probe.fields("prev comm")).toThrow(new TypeError('tracepoint("sched:sched_switch").fields(...): "prev comm" is not a field name; pass names as strings, e.g. .fields("filename", "flags")'));
    expect(() => probe.limit(1.5)).toThrow(new RangeError('tracepoint("sched:sched_switch").limit(1.5): the limit must be a positive whole number of rows'));
    await expect(probe.events({} as never)).rejects.toThrow(new TypeError('tracepoint("sched:sched_switch").events(...): say how long to collect, e.g. { for: "5s" } (or use .start() to run in the background until run.stop())'));
    await expect(probe.events({ for: "soon" })).rejects.toThrow(
      new RangeError('tracepoint("sched:sched_switch").events(...): for "soon" is not a duration: write a number and a unit, e.g. "500ms", "5s", "1m" or "1h"'),
    );
  });

  test("events() sends the declaration to the host and builds the table with its counters", async () => {
    const sent: EventsDeclaration[] = [];
    const payload: EventsPayload = {
      columns: { pid: new Uint32Array([10, 11]), comm: ["a", "b"] },
      columnTypes: { pid: "u32", comm: "string" },
      rowCount: 2,
      stats: { events: 3, dropped: 1, durationMs: 500, stoppedBy: "duration" },
    };
    setProbeHost({
      async run(declaration) {
        sent.push(declaration as EventsDeclaration);
        return payload;
      },
    } as Partial<ProbeHost> as ProbeHost);
    const table = await tracepoint("sched:sched_switch").fields("comm").events({ for: "500ms" });
    expect(sent).toEqual([{ kind: "events", source: { type: "tracepoint", name: "sched:sched_switch" }, fields: ["comm"], filter: {}, durationMs: 500 }]);
    expect(table.objects()).toEqual([
      { pid: 10, comm: "a" },
      { pid: 11, comm: "b" },
    ]);
    expect(table.meta).toEqual({ events: 3, dropped: 1, durationMs: 500, stoppedBy: "duration", declaration: sent[0], columnTypes: payload.columnTypes });
    expect(Object.keys(table)).not.toContain("meta");
  });

  test("events() outside a kernel explains that probes need one", async () => {
    await expect(tracepoint("sched:sched_switch").events({ for: "1s" })).rejects.toThrow(/probes can only run inside a probebook kernel/);
  });
});
