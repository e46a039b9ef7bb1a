// A finished events run stops in the kernel before it reads its counters and
// drains: it stores the template's switch and waits until no program that
// passed it is still running (native quiesceAsync), not for the detach and its
// RCU grace periods, which follow on a libuv worker as the object closes. It
// returns with every row and exact counters, and shortly after nothing it
// loaded remains.
import { describe, expect, it } from "vitest";
import { runRing } from "../../../runtime/runs/ring.js";
import { plan } from "../../../runtime/planner/plan.js";
import { recordHeld } from "../../support/held-bpf.js";

const CALLS = 200;
const held = recordHeld();

describe("runEvents' detach", () => {
  it("returns with every row and exact counters, and nothing remains loaded shortly after", async () => {
    const result = await runRing(plan({
        kind: "events",
        source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" },
        fields: [],
        filter: { pid: process.pid },
        durationMs: 300,
      }),
      { onAttached: () => { for (let i = 0; i < CALLS; i++) void process.ppid; } }, // one getppid(2) each
    );
    expect(result.rowCount).toBe(CALLS);
    expect(result.stats).toMatchObject({ events: CALLS, seen: CALLS, dropped: 0, stoppedBy: "duration" });
    expect(await held.leftovers(3000)).toEqual([]); // then closed and freed
  });
});
