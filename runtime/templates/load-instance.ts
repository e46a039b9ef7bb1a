// Turns a planned template instance into a loaded BPF object: open, write the
// rodata configuration, size the maps, load through the verifier. The one place
// where kernel-dependent loading meets the plan (the plan itself stays data).
import type { BpfObject } from "../../native/surface.js";
import { loadObject } from "./load.js";
import type { TemplateInstance } from "./tp_events/plan.js";
import type { EncodableValue } from "./struct-codec.js";
import { encodeSection } from "./struct-codec.js";
import { tpEventsDescriptor } from "./tp_events/layout.js";


/** Opens, configures and loads the instance's object; the caller closes it. */
export function loadInstance(instance: TemplateInstance): BpfObject {
  const rodata = encodeSection(tpEventsDescriptor, ".rodata", instance.rodata as unknown as Record<string, EncodableValue>);
  return loadObject({
    instance,
    what: `for ${instance.tracepoint}`,
    configure(obj) {
      obj.setRodata(".rodata", 0, rodata);
      for (const [map, { maxEntries }] of Object.entries(instance.maps)) obj.setMapMaxEntries(map, maxEntries);
    },
  });
}
