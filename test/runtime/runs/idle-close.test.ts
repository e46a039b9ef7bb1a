// A finished ring run returns with its programs switched off but still
// attached; its object closes once the next run has attached (its detach then
// stays out of that run's way: runtime/runs/idle-close.ts), or after
// IDLE_CLOSE_MS when no run follows. Either way nothing it loaded remains.
import { describe, expect, it } from "vitest";
import { runRing, startRingRun } from "../../../runtime/runs/ring.js";
import { plan } from "../../../runtime/planner/plan.js";
import { heldBpf, recordHeld } from "../../support/held-bpf.js";

const held = recordHeld();
const stream = (durationMs: number) => plan({
  kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" },
  fields: [], columns: ["time_ns", "pid"], filter: { pid: process.pid }, durationMs,
});

describe("a finished run's detach", () => {
  it("waits for the next run to attach, then goes; the next run's rows are its own", async () => {
    const first = await runRing(stream(100), { onAttached: () => { for (let i = 0; i < 50; i++) void process.ppid; } });
    expect(first.rowCount).toBe(50);
    const lingering = heldBpf().links; // the same tick: the idle timer has not fired
    expect(lingering.length).toBeGreaterThan(0);
    const second = await startRingRun(stream(200), { onAttached: () => { for (let i = 0; i < 70; i++) void process.ppid; } });
    const result = await second.done;
    expect(result.rowCount).toBe(70); // the first run's program, still attached a moment, recorded nothing
    expect(await held.leftovers(3000)).toEqual([]);
  });

  it("goes on its own when no run follows", async () => {
    const r = await runRing(stream(100), { onAttached: () => { for (let i = 0; i < 30; i++) void process.ppid; } });
    expect(r.stats).toMatchObject({ events: 30, seen: 30, dropped: 0 });
    expect(await held.leftovers(3000)).toEqual([]);
  });
});
