// A finished events run answers without waiting on the detach: runEvents
// returns while the kernel still holds its link (closeAsync() releases it on a
// libuv worker, three RCU grace periods later), with every row already there,
// and shortly after nothing it loaded remains.
import { describe, expect, it } from "vitest";
import { runEvents } from "../../runtime/run-events.js";
import { heldBpf, programNames, recordHeld } from "../support/held-bpf.js";

const CALLS = 200;
const held = recordHeld();

describe("runEvents' detach", () => {
  it("returns before its close completes, with every row, and nothing remains loaded shortly after", async () => {
    const result = await runEvents(
      {
        kind: "events",
        source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" },
        fields: [],
        filter: { pid: process.pid },
        durationMs: 300,
      },
      { onAttached: () => { for (let i = 0; i < CALLS; i++) void process.ppid; } }, // one getppid(2) each
    );
    const justAfter = heldBpf(); // the same tick as the return
    expect(result.rowCount).toBe(CALLS);
    expect(result.stats).toMatchObject({ events: CALLS, seen: CALLS, dropped: 0, stoppedBy: "duration" });
    // Still held: the worker is inside the link's detach (its fd leaves the table at once,
    // the grace periods are waited after), and the object's program and maps go after it.
    expect(programNames(justAfter.progs)).toEqual(["pb_tp_events"]);
    expect(justAfter.maps.length).toBeGreaterThan(0);
    expect(await held.leftovers(3000)).toEqual([]); // then detached, closed and freed
  });
});
