// The native additions (native/src/attach_more.c, stacks.c): each attach kind
// against the real kernel, Node-style errors that say what was being attached,
// the program-variant and attach-target settings, and the map reads.
import { afterEach, describe, expect, it } from "vitest";
import { descriptor as featureProbes } from "../../bpf/generated/feature_probes.js";
import { descriptor as profile } from "../../bpf/generated/profile.js";
import { native, packageRoot } from "../../native/load.js";
import type { BpfObject, NativeError } from "../../native/surface.js";
import { libcPath } from "../../runtime/host/features.js";
import { join } from "node:path";
import { heldBpf, programNames, recordHeld, waitUntilFreed, waitUntilHoldsNothing } from "../support/held-bpf.js";
import { thrown as thrownBy } from "../support/thrown.js";

const opened: BpfObject[] = [];

/** The feature-probe object with only `program` loaded. */
function only(program: string, load = true): BpfObject {
  const obj = native().openObject(join(packageRoot(), featureProbes.object));
  opened.push(obj);
  for (const p of featureProbes.programs) obj.setAutoload(p.name, p.name === program);
  if (load) obj.load();
  return obj;
}

const thrown = (fn: () => unknown) => thrownBy<NativeError>(fn);

const held = recordHeld();
afterEach(async () => {
  held.sample(); // what this test's objects hold, before they are closed
  for (const o of opened.splice(0)) o.close();
  expect(await held.leftovers()).toEqual([]); // exactly those are closed and freed
});

describe("the leak check of these tests", () => {
  it("sees the programs and maps this process holds, and their release", async () => {
    const obj = only("pb_fp_uprobe");
    obj.attachUprobe("pb_fp_uprobe", { binary: libcPath(), symbol: "getpid", pid: process.pid });
    const ours = heldBpf();
    expect(programNames(ours.progs)).toEqual(["pb_fp_uprobe"]);
    expect(ours.links).toHaveLength(1);
    obj.close();
    expect(await waitUntilHoldsNothing()).toEqual([]);
    expect(await waitUntilFreed(ours)).toEqual([]);
  });
});

describe("setAutoload", () => {
  it("loads only the chosen variant", () => {
    const obj = only("pb_fp_uprobe");
    expect(obj.programInfo("pb_fp_uprobe").type).toBe("kprobe"); // uprobes are kprobe-type programs
    // the others were never loaded: they have no fd to ask about
    expect(thrown(() => obj.programInfo("pb_fp_tracepoint")).message).toMatch(/^read info of program pb_fp_tracepoint: EBADFD /);
  });

  it("is refused after load", () => {
    const obj = only("pb_fp_uprobe");
    const e = thrown(() => obj.setAutoload("pb_fp_tracepoint", true));
    expect(e.code).toBe("ERR_BPF_LOADED");
  });
});

describe("attachUprobe", () => {
  it("attaches by symbol, for one pid, and detaches", () => {
    const obj = only("pb_fp_uprobe");
    const link = obj.attachUprobe("pb_fp_uprobe", { binary: libcPath(), symbol: "getpid", pid: process.pid });
    expect(link.target).toBe(`uprobe ${libcPath()}:getpid (pid ${process.pid})`);
    expect(link.attached).toBe(true);
    link.destroy();
    expect(link.attached).toBe(false);
  });

  it("says what it was attaching when the symbol does not exist", () => {
    const obj = only("pb_fp_uprobe");
    const e = thrown(() => obj.attachUprobe("pb_fp_uprobe", { binary: libcPath(), symbol: "no_such_function_here" }));
    expect(e.message).toBe(`attach uprobe ${libcPath()}:no_such_function_here: ENOENT (No such file or directory)`);
    expect(e).toMatchObject({ code: "ENOENT", errno: -2, operation: `attach uprobe ${libcPath()}:no_such_function_here` });
  });

  it("says what it was attaching when the binary does not exist", () => {
    const obj = only("pb_fp_uprobe");
    const e = thrown(() => obj.attachUprobe("pb_fp_uprobe", { binary: "/nonexistent/lib.so", symbol: "f", retprobe: true }));
    expect(e.message).toMatch(/^attach uretprobe \/nonexistent\/lib\.so:f: ENOENT /);
  });

  it("checks its arguments", () => {
    const obj = only("pb_fp_uprobe");
    expect(thrown(() => obj.attachUprobe("pb_fp_uprobe", {} as never)).message)
      .toBe("options.binary must name the executable or library to probe");
    expect(thrown(() => obj.attachUprobe("nope", { binary: "/x" })).code).toBe("ERR_BPF_NO_PROGRAM");
  });
});

describe("attachUsdt", () => {
  it("says what it was attaching when the binary has no such probe", () => {
    const obj = only("pb_fp_usdt");
    const e = thrown(() => obj.attachUsdt("pb_fp_usdt", { binary: libcPath(), provider: "nope", name: "nothing" }));
    expect(e.message).toMatch(new RegExp(`^attach usdt ${libcPath()}:nope:nothing: E[A-Z]+ `));
  });
});

describe("kernel hooks", () => {
  it("attachKprobe fails here (CONFIG_KPROBES is off) with the function named", () => {
    const obj = only("pb_fp_kprobe");
    const e = thrown(() => obj.attachKprobe("pb_fp_kprobe", { function: "do_sys_openat2" }));
    expect(e.operation).toBe("attach kprobe do_sys_openat2");
    expect(e.errno).toBeLessThan(0);
  });

  it("fentry is refused at load (EPERM) after setAttachTarget", () => {
    const obj = only("pb_fp_fentry", false);
    obj.setAttachTarget("pb_fp_fentry", "vfs_read");
    const e = thrown(() => obj.load());
    expect(e.code).toBe("EPERM");
  });

  it("attachRawTracepoint and attachTrace (tp_btf) attach", () => {
    expect(only("pb_fp_raw_tp").attachRawTracepoint("pb_fp_raw_tp", "sys_enter").target).toBe("raw tracepoint sys_enter");
    expect(only("pb_fp_tp_btf").attachTrace("pb_fp_tp_btf").target).toBe("tp_btf/sys_enter program pb_fp_tp_btf");
    const e = thrown(() => only("pb_fp_raw_tp").attachRawTracepoint("pb_fp_raw_tp", "no_such_raw_tp"));
    expect(e.message).toMatch(/^attach raw tracepoint no_such_raw_tp: ENOENT /);
  });

  it("attachPerfEvent opens one sampling event per CPU", () => {
    const obj = only("pb_fp_perf_event");
    const links = [0, 1].slice(0, native().numPossibleCpus()).map((cpu) =>
      obj.attachPerfEvent("pb_fp_perf_event", { cpu, frequency: 99 }));
    expect(links.map((l) => l.target)).toEqual(links.map((_, cpu) => `perf event cpu-clock at 99 Hz on CPU ${cpu}`));
    const e = thrown(() => obj.attachPerfEvent("pb_fp_perf_event", { cpu: 4096, frequency: 99 }));
    expect(e.message).toMatch(/^open perf event cpu-clock at 99 Hz on CPU 4096: E[A-Z]+ /);
  });
});

describe("stack and hash reads", () => {
  it("read an empty profile's maps, and refuse maps of the wrong type", () => {
    const obj = native().openObject(join(packageRoot(), profile.object));
    opened.push(obj);
    obj.load();
    expect(obj.hashEntries("pb_counts")).toMatchObject({ count: 0, keySize: 32, valueSize: 8 });
    expect(obj.stackTrace("pb_stacks", 7)).toEqual(new BigUint64Array(0));
    expect(thrown(() => obj.stackTrace("pb_counts", 0)).message)
      .toBe(`${obj.path} has no stack trace map named "pb_counts"`);
    expect(thrown(() => obj.hashEntries("pb_stacks")).code).toBe("ERR_BPF_NO_MAP");
  });

  it("capability says libbpf has USDT support", () => {
    expect(native().capability).toMatchObject({ libbpf: "1.1", usdt: true });
  });
});
