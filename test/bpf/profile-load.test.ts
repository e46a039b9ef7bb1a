// Contract 1: the profile template through the real verifier, with each stack setting.
import { describe, expect, it } from "vitest";
import { plan } from "../../runtime/planner/plan.js";
import type { ProfileInstance } from "../../runtime/templates/profile/plan.js";
import { profileDescriptor } from "../../runtime/templates/profile/layout.js";
import { load } from "../../runtime/templates/load.js";
import { expectReleasedAfterAll } from "../support/held-bpf.js";

const held = expectReleasedAfterAll(); // what this file loads must all be closed and freed, by id

describe("profile through the verifier", () => {
  for (const stacks of [{}, { kernel: false }, { user: false }, { kernel: false, user: false }]) {
    it(`loads with stacks ${JSON.stringify(stacks)}`, () => {
      const p = plan({ kind: "profile", stacks, filter: { pid: 1 }, durationMs: 1000 }) as ProfileInstance;
      expect(p.rodata.cfg).toMatchObject({ target_tgid: 1, kernel_stacks: stacks.kernel === false ? 0 : 1,
        user_stacks: stacks.user === false ? 0 : 1 });
      const obj = load(p).obj;
      try {
        expect(obj.programInfo("pb_profile").type).toBe("perf_event");
      } finally {
        held.close(obj);
      }
    });
  }

  it("refuses a frequency out of range", () => {
    expect(() => plan({ kind: "profile", frequencyHz: 5000, filter: {}, durationMs: 1000 }))
      .toThrow("frequencyHz must be a whole number of samples per second from 1 to 1000, got 5000");
  });
});
