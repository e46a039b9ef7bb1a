// (3) Stream throughput: events/s that land in typed columns with zero drops,
// from 1 and 2 producers (getppid loops on CPUs 1 and 0, one event per call),
// against the raw libbpf consumer with the same ring size and wakeup policy.
// Then drop accounting when the producers outrun a tiny ring.
import { cpuNs, loops, median, startBpftrace, startFloor, TP } from "../lib/procs.mjs";
import { planStream, startEvents } from "../lib/probebook-runs.mjs";
import { num } from "../lib/results.mjs";

const CPUS = { 1: [1], 2: [1, 0] };
const BPFTRACE_STREAM = 'tracepoint:syscalls:sys_enter_getppid { printf("%llu %d %d\\n", nsecs, pid, cpu); }';
const TINY_RING = 8192;

/** One run; also the consumer's CPU time per event (its process, all threads, while the producers ran). */
async function measure(start, n, cpus) {
  const { stop, pid } = await start();
  let res, got, cpu;
  try {
    const before = cpuNs(pid);
    res = await loops(n, cpus);
    cpu = cpuNs(pid) - before;
  } finally {
    got = await stop();
  }
  return { rate: got.events / (res.elapsedNs / 1e9) / 1e6, events: got.events, drops: got.drops, seen: got.seen, calls: res.calls,
    consumerNsPerEvent: cpu / Math.max(1, got.events) };
}

export async function streamThroughput({ reps, n, nSlow, log }) {
  const instance = await planStream();
  const ringBytes = instance.maps[instance.ring.map].maxEntries;
  const floorArgs = ["-r", String(ringBytes), "-w", String(instance.rodata.cfg.wakeup_bytes)];
  const tracers = {
    floor: async () => { const f = await startFloor("stream", floorArgs); return { stop: () => f.stop(), pid: f.pid }; },
    // probebook's reader runs in this process (the addon's thread + the JS batch handling).
    probebook: async () => { const r = await startEvents({ instance }); return { stop: () => r.stop(), pid: process.pid }; },
    bpftrace: async () => {
      const b = await startBpftrace(BPFTRACE_STREAM, [TP]);
      return { pid: b.pid, stop: async () => {
        const { output, errors } = await b.stop();
        const lost = [...(output + errors).matchAll(/Lost (\d+) events/g)].reduce((s, m) => s + Number(m[1]), 0);
        return { events: (output.match(/^\d+ \d+ \d+$/gm) ?? []).length, drops: lost };
      } };
    },
  };
  const rows = [], raw = {};
  for (const producers of [1, 2]) {
    const s = { floor: [], probebook: [], bpftrace: [] };
    for (let rep = 0; rep < reps; rep++) {
      for (const who of rep % 2 ? ["probebook", "floor", "bpftrace"] : ["floor", "probebook", "bpftrace"]) {
        s[who].push(await measure(tracers[who], who === "bpftrace" ? nSlow : n, CPUS[producers]));
      }
      log(`stream rep ${rep + 1}/${reps}, ${producers} producer(s): ` +
        Object.entries(s).map(([who, xs]) => `${who} ${xs[rep].rate.toFixed(2)} Mev/s, ${xs[rep].drops} dropped`).join("; "));
    }
    raw[producers] = s;
    const value = median(s.probebook.map((x) => x.rate));
    const floor = median(s.floor.map((x) => x.rate));
    const peer = median(s.bpftrace.map((x) => x.rate));
    const drops = Math.max(...s.probebook.map((x) => x.drops));
    const floorDrops = Math.max(...s.floor.map((x) => x.drops));
    const peerLost = median(s.bpftrace.map((x) => x.drops / Math.max(1, x.calls)));
    rows.push({
      name: `stream throughput into typed columns, ${producers} producer${producers > 1 ? "s" : ""}`,
      value: num(value, 3), unit: "Mev/s", floor: num(floor, 3), peer: num(peer, 3),
      target: ">= 0.9x the raw libbpf consumer, drops <= the floor's",
      meetsTarget: value >= 0.9 * floor && drops <= floorDrops,
      note: `${(value / floor).toFixed(2)}x the raw consumer; drops: probebook ${drops}, floor ${floorDrops}; bpftrace lost ${(peerLost * 100).toFixed(1)}% of events; consumer CPU per event: probebook ${median(s.probebook.map((x) => x.consumerNsPerEvent)).toFixed(0)} ns, floor ${median(s.floor.map((x) => x.consumerNsPerEvent)).toFixed(0)} ns, bpftrace ${median(s.bpftrace.map((x) => x.consumerNsPerEvent)).toFixed(0)} ns; ring ${ringBytes / 1024} KiB, ${instance.ring.recordSize}-byte records (floor: 16-byte)`,
    });
  }

  // Producers outrun a tiny ring: every lost event must be counted.
  const tiny = structuredClone(instance);
  tiny.maps[tiny.ring.map].maxEntries = TINY_RING;
  tiny.rodata.cfg.wakeup_bytes = TINY_RING / 4;
  const pbTiny = await measure(async () => { const r = await startEvents({ instance: tiny }); return { stop: () => r.stop(), pid: process.pid }; }, n, CPUS[2]);
  const flTiny = await measure(async () => { const f = await startFloor("stream", ["-r", String(TINY_RING), "-w", String(TINY_RING / 4)]); return { stop: () => f.stop(), pid: f.pid }; }, n, CPUS[2]);
  const pct = (x) => (100 * x.drops) / (x.events + x.drops);
  // Other processes may call getppid too, so the kernel may count a few more events than the loops made.
  const exact = pbTiny.seen === pbTiny.events + pbTiny.drops && pbTiny.events + pbTiny.drops >= pbTiny.calls && pbTiny.drops > 0;
  log(`tiny ring: probebook ${pbTiny.events} rows + ${pbTiny.drops} dropped (seen ${pbTiny.seen}, calls ${pbTiny.calls}); floor ${flTiny.events} + ${flTiny.drops} dropped`);
  rows.push({
    name: `drop accounting: 2 producers outrun an ${TINY_RING / 1024} KiB ring (dropped %)`,
    value: num(pct(pbTiny), 2), unit: "%", floor: num(pct(flTiny), 2), peer: null,
    target: "every lost event counted: rows + drops = events seen >= calls made, drops shown",
    meetsTarget: exact,
    note: `probebook ${pbTiny.events} rows + ${pbTiny.drops} drops = ${pbTiny.events + pbTiny.drops}, seen ${pbTiny.seen}, calls ${pbTiny.calls}; floor ${flTiny.events} + ${flTiny.drops} for ${flTiny.calls} calls`,
  });
  raw.tiny = { probebook: pbTiny, floor: flTiny };
  return { rows, raw };
}
