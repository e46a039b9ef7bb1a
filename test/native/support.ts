// Shared by the native tests: a tp_events object configured to capture this
// process's openat calls (filename + flags), loaded and ready to attach.
import { native } from "../../native/load.js";
import type { BpfObject } from "../../native/surface.js";
import { type TpEventsInstance } from "../../runtime/templates/tp_events/plan.js";
import { plan } from "../../runtime/planner/plan.js";
import { encodeSection } from "../../runtime/templates/struct-codec.js";
import { objectPath } from "../../runtime/templates/load.js";
import { tpEventsDescriptor } from "../../runtime/templates/tp_events/layout.js";

/** `pid`: only that process (default: this one); null: every process. The object's path is
 *  resolved (a plan names it relative to the package root), for the tests that open it by hand. */
export function openatPlan(pid: number | null = process.pid): TpEventsInstance {
  const p = plan({
    kind: "events",
    source: { type: "tracepoint", name: "syscalls:sys_enter_openat" },
    fields: ["filename", "flags"],
    filter: pid === null ? {} : { pid },
    durationMs: 1000,
  });
  return { ...p, object: objectPath(p.object) };
}

export function rodataOf(p: TpEventsInstance): Uint8Array {
  return encodeSection(tpEventsDescriptor, ".rodata", p.rodata as never);
}

/** Opened and configured from the plan; loaded unless `load` is false. */
export function openConfigured(p: TpEventsInstance, load = true): BpfObject {
  const obj = native().openObject(p.object);
  obj.setRodata(".rodata", 0, rodataOf(p));
  obj.setMapMaxEntries("pb_events", p.maps.pb_events!.maxEntries);
  if (load) obj.load();
  return obj;
}
