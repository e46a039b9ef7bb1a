// Every template of bpf/ through the guest kernel's verifier, in the variant
// its loader keeps there: the objects are the host's builds (CO-RE against
// the host's BTF), so this is the portability test. explain() loads each
// declaration's programs without attaching them and shows the verifier's
// statistics; the feature probes report what the guest kernel has.
import { libcPath, probeFeatures, usdtTarget } from "../../runtime/host/features.js";
import { afterAll, describe, expect, it } from "vitest";
import { cellPrinted } from "../runtime/fixtures/real-runner.js";
import { heldBpf } from "../support/held-bpf.js";
import { withDenied } from "./support/on-workload.js";

// explain() loads without attaching and closes what it loaded: nothing stays.
afterAll(() => expect(heldBpf()).toEqual({ progs: [], maps: [], links: [], perfEvents: 0 }));

const libc = JSON.stringify(libcPath());
const usdt = usdtTarget();

/** [probe code (an events probe is explained without .events()), template, the programs the loader keeps on this kernel] */
const catalog: [string, string, string[]][] = [
  [`tracepoint("syscalls:sys_enter_openat").fields("filename")`, "tp_events", ["pb_tp_events"]],
  [`tracepoint("sched:sched_switch").count().by("cpu")`, "agg_tp", ["pb_agg_tp"]],
  [`syscall("read").latency().by("comm").histogram()`, "lat_pairs", ["pb_lat_start", "pb_lat_end"]],
  [`block().histogram()`, "lat_pairs", ["pb_lat_rq_issue", "pb_lat_rq_done"]], // tp_btf: 6.1 has BTF
  [`runqueue().histogram()`, "lat_pairs", ["pb_lat_start", "pb_lat_end"]],
  [`uprobe(${libc}, "malloc").arg("size", 0, "ulong")`, "uprobe_events", ["pb_uprobe"]],
  [`uretprobe(${libc}, "getpid").returns("ret", "int")`, "uprobe_events", ["pb_uretprobe"]],
  [`uprobe(${libc}, "malloc").latency().histogram()`, "lat_pairs", ["pb_lat_uprobe", "pb_lat_uretprobe"]],
  ...(usdt ? [[`usdt(${JSON.stringify(usdt.binary)}, "${usdt.provider}", "${usdt.name}")`, "uprobe_events", ["pb_usdt"]] as [string, string, string[]]] : []),
  [`kprobe("vfs_read")`, "uprobe_events", ["pb_fentry"]], // trampolines cost less than a kprobe
  [`kretprobe("vfs_read")`, "uprobe_events", ["pb_kretprobe"]],
  [`fentry("vfs_read")`, "uprobe_events", ["pb_fentry"]],
  [`kprobe("vfs_read").latency().histogram()`, "lat_pairs", ["pb_lat_fentry", "pb_lat_fexit"]],
  [`profile({ hz: 49 })`, "profile", ["pb_profile"]],
  [`tcp()`, "tcp_events", ["pb_tcp_state_btf", "pb_tcp_retransmit"]],
];

const explained = (probe: string) => cellPrinted([
  `const x = (await explain(${probe})).data;`,
  `console.log(JSON.stringify({ template: x.template, load: x.load.error ?? x.load.programs.map((p) => ({ name: p.name, verified: p.verifiedInsns > 0, jited: p.jitedBytes > 0 })) }))`,
].join("\n"));

describe("every template loads on this kernel, in the variant its loader keeps", () => {
  it.each(catalog)("%s: %s", async (probe, template, programs) => {
    expect(await explained(probe)).toEqual({ template, load: programs.map((name) => ({ name, verified: true, jited: true })) });
  });

  it("kprobe(fn) with fentry turned off keeps the kprobe", async () => {
    expect(await withDenied("fentry", () => explained(`kprobe("vfs_read")`))).toEqual({
      template: "uprobe_events", load: [{ name: "pb_kprobe", verified: true, jited: true }],
    });
  });

  it("kprobe(fn).latency() with fentry turned off keeps the kprobe/kretprobe pair", async () => {
    expect(await withDenied("fentry", () => explained(`kprobe("vfs_read").latency().histogram()`))).toEqual({
      template: "lat_pairs", load: ["pb_lat_kprobe", "pb_lat_kretprobe"].map((name) => ({ name, verified: true, jited: true })),
    });
  });
});

describe("the feature probes", () => {
  it("report every hook and map type available, kprobes and trampolines included", () => {
    const missing = Object.values(probeFeatures()).filter((f) => !f.available).map((f) => `${f.feature}: ${f.reason}`);
    expect(missing).toEqual([]);
  });
});
