// A finished events run detaches before it reads its counters and drains (on a
// libuv worker, so the RCU grace periods of the detach don't block the JS
// thread): it returns with every row, nothing attached any more, and shortly
// after nothing it loaded remains.
import { describe, expect, it } from "vitest";
import { runRing } from "../../../runtime/runs/ring.js";
import { plan } from "../../../runtime/planner/plan.js";
import { heldBpf, recordHeld } from "../../support/held-bpf.js";

const CALLS = 200;
const held = recordHeld();

describe("runEvents' detach", () => {
  it("returns detached, with every row, and nothing remains loaded shortly after", async () => {
    const result = await runRing(plan({
        kind: "events",
        source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" },
        fields: [],
        filter: { pid: process.pid },
        durationMs: 300,
      }),
      { onAttached: () => { for (let i = 0; i < CALLS; i++) void process.ppid; } }, // one getppid(2) each
    );
    const justAfter = heldBpf(); // the same tick as the return
    expect(justAfter.links).toEqual([]); // detached before the counters were read
    expect(result.rowCount).toBe(CALLS);
    expect(result.stats).toMatchObject({ events: CALLS, seen: CALLS, dropped: 0, stoppedBy: "duration" });
    expect(await held.leftovers(3000)).toEqual([]); // then closed and freed
  });
});
