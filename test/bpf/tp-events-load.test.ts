// Contract 1: every template is loaded through the real verifier. tp_events is
// loaded with the plans of tracepoints that exercise every field kind, with a
// full 16-entry plan, and with a broken plan the verifier must refuse.
import { describe, expect, it } from "vitest";
import { native } from "../../native/load.js";
import { type TpEventsInstance } from "../../runtime/templates/tp_events/plan.js";
import { plan } from "../../runtime/planner/plan.js";
import { TemplateLoadError } from "../../runtime/templates/load.js";
import { load } from "../../runtime/templates/load.js";
import { recordHeld } from "../support/held-bpf.js";

const held = recordHeld();

function planFor(name: string, fields: string[] = []): TpEventsInstance {
  return plan({ kind: "events", source: { type: "tracepoint", name }, fields, filter: {}, durationMs: 1000 });
}

function kindsOf(p: TpEventsInstance): string[] {
  return [...new Set(p.rodata.cfg.fields.map((f) => f.kind))].sort();
}

describe("tp_events through the verifier", () => {
  const cases: [string, string[]][] = [
    ["syscalls:sys_enter_openat", ["TP_FIELD_INT", "TP_FIELD_USER_STR"]],
    ["sched:sched_switch", ["TP_FIELD_ARRAY", "TP_FIELD_INT"]],
    ["sched:sched_process_exec", ["TP_FIELD_DATA_LOC", "TP_FIELD_INT"]],
    ["sock:inet_sock_set_state", ["TP_FIELD_ARRAY", "TP_FIELD_INT"]],
    ["raw_syscalls:sys_enter", ["TP_FIELD_ARRAY", "TP_FIELD_INT"]],
  ];
  for (const [name, kinds] of cases) {
    it(`loads the plan of ${name} (${kinds.join(", ")})`, () => {
      const p = planFor(name);
      expect(kindsOf(p)).toEqual(kinds);
      const obj = load(p).obj;
      try {
        expect(obj.state).toBe("loaded");
        const info = obj.programInfo("pb_tp_events");
        expect(info.name).toBe("pb_tp_events");
        expect(info.type).toBe("tracepoint");
        expect(info.xlatedInsns).toBeGreaterThan(40);
        expect(info.verifiedInsns).toBeGreaterThan(info.xlatedInsns / 2);
      } finally {
        held.close(obj);
      }
    });
  }

  it("loads the kernel-string kind (TP_FIELD_KERNEL_STR)", () => {
    const p = planFor("syscalls:sys_enter_openat", ["filename"]);
    p.rodata.cfg.fields[0]!.kind = "TP_FIELD_KERNEL_STR";
    const obj = load(p).obj;
    held.close(obj);
  });

  it("loads a full plan of 16 entries, each kind, and stays small", () => {
    const p = planFor("syscalls:sys_enter_openat", ["filename"]);
    const kinds = ["TP_FIELD_INT", "TP_FIELD_ARRAY", "TP_FIELD_DATA_LOC", "TP_FIELD_REL_LOC", "TP_FIELD_USER_STR",
      "TP_FIELD_KERNEL_STR"] as const;
    let dst = 56;
    p.rodata.cfg.fields = Array.from({ length: 16 }, (_, i) => {
      const kind = kinds[i % kinds.length]!;
      const str = kind !== "TP_FIELD_INT" && kind !== "TP_FIELD_ARRAY";
      const f = { src_off: 16, size: str ? 8 : 8, dst_off: dst, max_len: str ? 64 : 0, kind };
      dst += str ? 64 : 8;
      return f;
    });
    p.rodata.cfg.nfields = 16;
    p.rodata.cfg.event_size = Math.ceil(dst / 8) * 8;
    const obj = load(p).obj;
    try {
      expect(obj.programInfo("pb_tp_events").verifiedInsns).toBeLessThan(20_000);
    } finally {
      held.close(obj);
    }
  });

  it("is refused by the verifier when a field is planned outside the event, with the log", () => {
    const p = planFor("syscalls:sys_enter_openat", ["flags"]);
    p.rodata.cfg.fields[0]!.dst_off = p.rodata.cfg.event_size; // one past the end
    let err: TemplateLoadError | undefined;
    try {
      held.close(load(p).obj);
    } catch (e) {
      err = e as TemplateLoadError;
    }
    expect(err).toBeInstanceOf(TemplateLoadError);
    expect(err!.code).toBe("VERIFIER_REJECTED");
    expect(err!.details).toMatchObject({ template: "tp_events", errno: -13, errnoCode: "EACCES" });
    expect(err!.errno).toBe(-13);
    expect(err!.message).toMatch(
      /^template tp_events for syscalls:sys_enter_openat did not load: load \S+\/bpf\/build\/tp_events\.bpf\.o: the verifier rejected program pb_tp_events: EACCES\nverifier log \(last lines\):\n/);
    expect(err!.message).toContain("invalid access to memory");
    expect(err!.message).toContain(`configuration (.rodata): {"cfg":{"event_size":64,"nfields":1,`);
    expect(err!.verifierLog).toMatch(/^0: \(\w+\) /m); // the whole log, from the first instruction
    expect(err!.verifierLog).toContain("processed ");
    expect(err!.verifierLog!.length).toBeGreaterThan(err!.message.length);
  });

  it("leaves nothing held or loaded of what it loaded", async () => {
    expect(held.seen().progs.length).toBeGreaterThan(0);
    expect(await held.leftovers()).toEqual([]); // exact by id: others' probes may be loaded meanwhile
    expect(native().capability.libbpf).toBe("1.1");
  });
});
