// Contract 1: every variant of uprobe_events goes through the real verifier,
// with a full value plan of every kind; the kernel-function variants compile
// and load (kprobe) or are refused here (fentry: EPERM), as the features say.
import { describe, expect, it } from "vitest";
import type { FunctionEventsDeclaration } from "../../runtime/spec/declaration.js";
import { libcPath } from "../../runtime/host/features.js";
import { plan } from "../../runtime/planner/plan.js";
import type { FunctionEventsInstance } from "../../runtime/templates/uprobe_events/plan.js";
import { TemplateLoadError } from "../../runtime/templates/load.js";
import { load } from "../../runtime/templates/load.js";
import { UPROBE_EVENTS, uprobeEventsDescriptor } from "../../runtime/templates/uprobe_events/layout.js";
import { expectReleasedAfterAll } from "../support/held-bpf.js";

const held = expectReleasedAfterAll(); // what this file loads must all be closed and freed, by id

function planned(source: FunctionEventsDeclaration["source"], values: FunctionEventsDeclaration["values"]) {
  return plan({ kind: "events", source, values, filter: {}, durationMs: 1000 }) as FunctionEventsInstance;
}

const SIX = (["long", "string", "int", "pointer", "string", "u8"] as const).map((type, arg) => ({ name: `a${arg}`, arg, type }));

describe("uprobe_events through the verifier", () => {
  it("loads pb_uprobe with six arguments of every kind", () => {
    const p = planned({ type: "uprobe", binary: libcPath(), symbol: "lldiv" }, SIX);
    expect(p.rodata.cfg.values.map((v) => v.kind)).toEqual(
      ["UP_VALUE_INT", "UP_VALUE_USER_STR", "UP_VALUE_INT", "UP_VALUE_INT", "UP_VALUE_USER_STR", "UP_VALUE_INT"]);
    const obj = load(p).obj;
    try {
      const info = obj.programInfo("pb_uprobe");
      expect(info.type).toBe("kprobe");
      expect(info.verifiedInsns).toBeLessThan(20_000);
    } finally {
      held.close(obj);
    }
  });

  it("loads pb_uretprobe with the return value, and pb_usdt with six arguments", () => {
    for (const p of [
      planned({ type: "uprobe", binary: libcPath(), symbol: "lldiv", retprobe: true }, [{ name: "r", retval: true, type: "long" }]),
      { ...planned({ type: "uprobe", binary: libcPath(), symbol: "lldiv" }, SIX), programs: [UPROBE_EVENTS.programs.usdt] },
    ]) held.close(load(p).obj);
  });

  it("loads the kprobe variants (only attaching fails here); fentry is refused with EPERM", () => {
    const p = planned({ type: "uprobe", binary: libcPath(), symbol: "lldiv" }, SIX);
    for (const program of [UPROBE_EVENTS.programs.kprobe, UPROBE_EVENTS.programs.kretprobe])
      held.close(load({ ...p, programs: [program] }).obj);
    let err: TemplateLoadError | undefined;
    try {
      held.close(load({ ...p, programs: [UPROBE_EVENTS.programs.fentry], attachTargets: { pb_fentry: "vfs_read" } }).obj);
    } catch (e) {
      err = e as TemplateLoadError;
    }
    expect(err?.code).toBe("PERMISSION");
    expect(err?.details).toMatchObject({ template: "uprobe_events", errnoCode: "EPERM" });
    expect(err?.message).toMatch(/^template uprobe_events \(pb_fentry\) for uprobe .* did not load: .*EPERM/s);
  });
});
