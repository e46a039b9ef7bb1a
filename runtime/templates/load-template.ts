// Loads an instance of any template whose plan is data: open the object,
// choose the program variants (autoload), set fentry targets, write the rodata
// configuration, size the maps, load through the verifier. The caller attaches
// and closes. Errors name the template, the probe and the configuration.
import type { TemplateDescriptor } from "../../bpf/descriptor.js";
import type { BpfObject } from "../../native/surface.js";
import { loadObject } from "./load.js";
import type { EncodableValue } from "./struct-codec.js";
import { encodeSection } from "./struct-codec.js";

export interface LoadableInstance {
  template: string;
  /** Absolute path of the compiled object. */
  object: string;
  /** What is probed, for messages: "uprobe /usr/lib/.../libc.so.6:lldiv". */
  target: string;
  rodata: Readonly<Record<string, unknown>>;
  maps: Readonly<Record<string, { maxEntries: number }>>;
  /** The programs to load; the object's other variants stay unloaded. */
  programs: readonly string[];
  /** fentry/fexit programs: kernel function to attach to (set before load). */
  attachTargets?: Readonly<Record<string, string>>;
}

export function loadTemplate(instance: LoadableInstance, descriptor: TemplateDescriptor): BpfObject {
  const rodata = encodeSection(descriptor, ".rodata", instance.rodata as Record<string, EncodableValue>);
  return loadObject({
    instance,
    what: `(${instance.programs.join(", ")}) for ${instance.target}`,
    configure(obj) {
      for (const p of descriptor.programs) obj.setAutoload(p.name, instance.programs.includes(p.name));
      for (const [p, fn] of Object.entries(instance.attachTargets ?? {})) obj.setAttachTarget(p, fn);
      obj.setRodata(".rodata", 0, rodata);
      for (const [map, { maxEntries }] of Object.entries(instance.maps)) obj.setMapMaxEntries(map, maxEntries);
    },
  });
}
