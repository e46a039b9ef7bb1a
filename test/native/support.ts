// Shared by the native tests: a tp_events object configured to capture this
// process's openat calls (filename + flags), loaded and ready to attach.
import { execFileSync } from "node:child_process";
import { native } from "../../native/load.js";
import type { BpfObject } from "../../native/surface.js";
import { plan, type TpEventsInstance } from "../../runtime/planner.js";
import { encodeSection } from "../../runtime/templates/struct-codec.js";
import { tpEventsDescriptor } from "../../runtime/templates/tp-events.js";

/** `pid`: only that process (default: this one); null: every process. */
export function openatPlan(pid: number | null = process.pid): TpEventsInstance {
  return plan({
    kind: "events",
    source: { type: "tracepoint", name: "syscalls:sys_enter_openat" },
    fields: ["filename", "flags"],
    filter: pid === null ? {} : { pid },
    durationMs: 1000,
  });
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

export function ourPrograms(): string[] {
  const out = execFileSync("bpftool", ["prog", "show", "-j"], { encoding: "utf8" });
  return (JSON.parse(out) as { name?: string }[]).map((x) => x.name ?? "").filter((n) => n.startsWith("pb_"));
}

/** The kernel frees programs after their last fd closes, not always at once. */
export async function waitUntilNoneLoaded(timeoutMs = 3000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = ourPrograms();
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}
