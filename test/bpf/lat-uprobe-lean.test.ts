// The uprobe variant of lat_pairs (a user function's entry -> return, by
// thread) through the real verifier: the loader keeps only pb_lat_uprobe and
// pb_lat_uretprobe (set_autoload), and they call what the named syscall's pair
// does: the thread id, the clock and the plain hash by thread, nothing else.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { BpfObject } from "../../native/surface.js";
import { libcPath } from "../../runtime/host/features.js";
import { plan } from "../../runtime/planner/plan.js";
import { load } from "../../runtime/templates/load.js";
import { heldBpf, programNames } from "../support/held-bpf.js";
import { expectReleasedAfterAll } from "../support/held-bpf.js";

const held = expectReleasedAfterAll();

function calls(obj: BpfObject, program: string): string[] {
  const id = obj.programInfo(program).id;
  const xlated = execFileSync("bpftool", ["prog", "dump", "xlated", "id", String(id)], { encoding: "utf8" });
  return [...xlated.matchAll(/\bcall ([\w]+)/g)].map((m) => m[1]!.replace(/#\d+$/, ""));
}

describe("lat_pairs' uprobe pair", () => {
  it("loads only its two programs, which read the thread id, the clock and the plain hash by thread", () => {
    const before = new Set(heldBpf().progs);
    const { obj, attach, variant } = load(plan({
      kind: "latency", pair: { type: "uprobe", binary: libcPath(), symbol: "lldiv" }, value: { op: "hist_log2" },
      keys: [], filter: {}, durationMs: 1000,
    }));
    try {
      held.sample();
      expect(variant).toBe("tracepoint");
      expect(attach.map((a) => a.program)).toEqual(["pb_lat_uprobe", "pb_lat_uretprobe"]);
      expect(programNames(heldBpf().progs.filter((id) => !before.has(id))).sort()).toEqual(["pb_lat_uprobe", "pb_lat_uretprobe"]);
      expect(calls(obj, "pb_lat_uprobe")).toEqual(["bpf_get_current_pid_tgid", "bpf_ktime_get_ns", "htab_map_update_elem"]);
      const end = calls(obj, "pb_lat_uretprobe");
      expect(end.filter((c) => c.startsWith("bpf_get_current"))).toEqual(["bpf_get_current_pid_tgid"]);
      expect(end).toContain("htab_map_delete_elem");
      expect(end.some((c) => c.includes("lru"))).toBe(false);
    } finally {
      held.close(obj);
    }
  });
});
