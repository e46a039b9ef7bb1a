// What the runtime knows about the profile template (bpf/profile.bpf.c), from
// its generated descriptor: program, maps, the key layout and the config.
import { descriptor } from "../../../bpf/generated/profile.js";
import { member, structSize } from "../struct-codec.js";

export { descriptor as profileDescriptor };

export const PROFILE = {
  template: descriptor.template,
  program: descriptor.programs[0].name,
  countsMap: "pb_counts" satisfies keyof typeof descriptor.maps,
  stacksMap: "pb_stacks" satisfies keyof typeof descriptor.maps,
  dropsMap: "pb_drops" satisfies keyof typeof descriptor.maps,
  seenMap: "pb_seen" satisfies keyof typeof descriptor.maps,
  keySize: structSize(descriptor, "profile_key"),
  key: {
    pid: member(descriptor, "profile_key", "pid"),
    kern: member(descriptor, "profile_key", "kern_stack_id"),
    user: member(descriptor, "profile_key", "user_stack_id"),
    comm: member(descriptor, "profile_key", "comm"),
  },
} as const;

/** The `cfg` rodata: struct profile_config, generated from the object's BTF. */
export type { ProfileConfig } from "../../../bpf/generated/profile.js";

/** A decoded key of pb_counts (struct profile_key, read by decodeProfileKey). */
export interface ProfileKey {
  pid: number;
  kernStackId: number;
  userStackId: number;
  comm: string;
}

/** Decodes entry `i` of pb_counts' raw keys. */
export function decodeProfileKey(keys: Uint8Array, i: number): ProfileKey {
  const base = i * PROFILE.keySize;
  const view = new DataView(keys.buffer, keys.byteOffset + base, PROFILE.keySize);
  const commBytes = keys.subarray(base + PROFILE.key.comm.offset, base + PROFILE.key.comm.offset + PROFILE.key.comm.size);
  const nul = commBytes.indexOf(0);
  return {
    pid: view.getUint32(PROFILE.key.pid.offset, true),
    kernStackId: view.getInt32(PROFILE.key.kern.offset, true),
    userStackId: view.getInt32(PROFILE.key.user.offset, true),
    comm: Buffer.from(commBytes.subarray(0, nul < 0 ? commBytes.length : nul)).toString("utf8"),
  };
}
