// The test workloads (test/bpf/support/*.c, workloads/*.c) the host builds before it boots a
// guest, since compiling under the guest's emulation takes tens of seconds a
// file. test-kernels.mjs builds them; build-c.ts finds them by these names.

/** The flag sets the tests build their workloads with: each workload is built with each. */
export const FLAG_SETS = [["-O2"], ["-O0"], ["-O0", "-fno-omit-frame-pointer"]];

/** The folder a build of `name` with `flags` has among the prebuilt workloads (the binary inside keeps `name`: it is the comm). */
export function prebuiltName(name, flags) {
  return [name, ...flags].join("_").replace(/[^\w.-]/g, "");
}
