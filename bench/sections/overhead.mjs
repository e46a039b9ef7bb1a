// (2) Per-event overhead on the getppid loop: what each tracer adds to one
// syscall, against the untraced baseline measured in the same repetition
// (before and after the traced runs). Hooks: count by key, log2 latency
// histogram over enter/exit, an event stream.
import { loop, median, rotate, startBpftrace, startFloor, TP } from "../lib/procs.mjs";
import { hasAggregation, planStream, runnableAggregation, startAggregation, startEvents } from "../lib/probebook-runs.mjs";
import { num } from "../lib/results.mjs";
import { attachedBy, enableRunStats, ofPrograms, programs } from "../lib/bpf-stats.mjs";

const BPFTRACE = {
  count: { script: "tracepoint:syscalls:sys_enter_getppid { @[comm] = count(); }", tps: [TP] },
  hist: {
    script: "tracepoint:syscalls:sys_enter_getppid { @start[tid] = nsecs; } " +
      "tracepoint:syscalls:sys_exit_getppid /@start[tid]/ { @h = hist(nsecs - @start[tid]); delete(@start[tid]); }",
    tps: [TP, "sys_exit_getppid"],
  },
  // 3 fields per event, printed to a pipe the bench drains (bpftrace's stream).
  stream: { script: 'tracepoint:syscalls:sys_enter_getppid { printf("%llu %d %d\\n", nsecs, pid, cpu); }', tps: [TP] },
};

/** Events bpftrace saw, from its output, so every row checks events against calls. */
function bpftraceEvents(kind, output) {
  if (kind === "count") return [...output.matchAll(/^@\[[^\]]*\]: (\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
  if (kind === "hist") return [...output.matchAll(/^[[(][^\n]*\)\s+(\d+) \|/gm)].reduce((s, m) => s + Number(m[1]), 0);
  return (output.match(/^\d+ \d+ \d+$/gm) ?? []).length;
}

/** The floor's stream uses the ring size and wakeup policy probebook's planner picks (the same design). */
async function floorArgs(kind) {
  if (kind !== "stream") return [];
  const instance = await planStream();
  return ["-r", String(instance.maps[instance.ring.map].maxEntries), "-w", String(instance.rodata.cfg.wakeup_bytes)];
}

const runnable = {};
const variantNotes = new Map(); // kind -> how probebook's variant differs from the floor's

/** The tracers of one hook; a start() resolves once attached, stop() gives the events seen. */
async function variantsFor(kind) {
  const probebook = kind === "stream"
    ? async () => {
        const run = await startEvents();
        return Object.assign(() => run.stop(), { pid: process.pid });
      }
    : (await hasAggregation())
      ? async () => {
          const { decl, note } = (runnable[kind] ??= await runnableAggregation(kind));
          if (note) variantNotes.set(kind, note);
          const run = await startAggregation(kind, decl);
          return Object.assign(() => run.stop(), { pid: process.pid });
        }
      : undefined;
  return [
    { who: "floor", start: async () => { const f = await startFloor(kind, await floorArgs(kind)); return Object.assign(() => f.stop(), { pid: f.pid }); } },
    { who: "bpftrace", start: async () => {
        const b = await startBpftrace(BPFTRACE[kind].script, BPFTRACE[kind].tps);
        return Object.assign(async () => ({ events: bpftraceEvents(kind, (await b.stop()).output), drops: 0 }), { pid: b.pid });
      } },
    ...(probebook ? [{ who: "probebook", start: probebook }] : []),
  ].map((v) => ({ ...v, kind }));
}

export async function perEventOverhead({ reps, n, nSlow, log }) {
  const kinds = ["count", "hist", "stream"];
  const variants = (await Promise.all(kinds.map(variantsFor))).flat();
  const samples = new Map(); // "kind/who" -> { added: [], ratio: [], drops: [] }
  const baselines = [];
  const failed = new Map(); // "kind/who" -> why probebook's variant could not run
  for (let rep = 0; rep < reps; rep++) {
    const pre = await loop(n);
    const traced = [];
    for (const v of rotate(variants, rep)) {
      const key = `${v.kind}/${v.who}`;
      if (failed.has(key)) continue;
      // bpftrace's printf stream costs microseconds per event: fewer calls keep the run short.
      const calls = v.kind === "stream" && v.who === "bpftrace" ? nSlow : n;
      try {
        const stop = await v.start();
        let res, seen;
        try {
          res = await loop(calls);
        } finally {
          seen = await stop();
        }
        traced.push({ v, res, seen });
      } catch (error) {
        // The floor and bpftrace must work; a probebook template still being
        // built is reported in its row instead of hiding every other figure.
        if (v.who !== "probebook") throw error;
        failed.set(key, error.message.split("\n")[0]);
        log(`${key} failed: ${error.message}`);
      }
    }
    const post = await loop(n);
    const base = (pre.nsPerCall + post.nsPerCall) / 2;
    baselines.push(base);
    for (const { v, res, seen } of traced) {
      const key = `${v.kind}/${v.who}`;
      const s = samples.get(key) ?? { added: [], ratio: [], drops: [] };
      s.added.push(res.nsPerCall - base);
      s.ratio.push(seen.events / res.calls);
      s.drops.push(seen.drops ?? 0);
      samples.set(key, s);
    }
    log(`overhead rep ${rep + 1}/${reps}: base ${base.toFixed(0)} ns; ` +
      traced.map(({ v, res }) => `${v.kind}/${v.who} +${(res.nsPerCall - base).toFixed(0)}`).join(", "));
  }
  // The in-kernel profile: one more run of each variant with run statistics on.
  const profile = new Map();
  const stats = await enableRunStats();
  try {
    for (const v of variants) {
      const key = `${v.kind}/${v.who}`;
      if (failed.has(key)) continue;
      const calls = v.kind === "stream" && v.who === "bpftrace" ? nSlow : n;
      const stop = await v.start();
      let res, ids, before, after;
      try {
        ids = await attachedBy(stop.pid);
        before = ofPrograms(ids, await programs()); // stats count from when they were enabled
        res = await loop(calls);
        after = ofPrograms(ids, await programs());
      } finally {
        await stop();
      }
      const p = { names: after.names, runTimeNs: after.runTimeNs - before.runTimeNs, runCnt: after.runCnt - before.runCnt };
      profile.set(key, { nsPerCall: p.runTimeNs / res.calls, programs: p.names, runs: p.runCnt, calls: res.calls });
    }
  } finally {
    stats.close();
  }
  log(`in-kernel ns per call (bpf_stats): ${[...profile].map(([k, p]) => `${k} ${p.nsPerCall.toFixed(0)}`).join(", ")}`);

  const med = (key, field) => (samples.has(key) ? median(samples.get(key)[field]) : NaN);
  const baseline = median(baselines);
  const rows = [{
    name: "getppid baseline (untraced)", value: num(baseline, 1), unit: "ns/call", floor: null, peer: null,
    target: "reference: the added ns below are against it", meetsTarget: true,
  }];
  const titles = { count: "count by key (comm)", hist: "log2 latency histogram (enter/exit)", stream: "event stream, 3 fields" };
  for (const kind of kinds) {
    const value = med(`${kind}/probebook`, "added");
    const floor = med(`${kind}/floor`, "added");
    const peer = med(`${kind}/bpftrace`, "added");
    const measured = Number.isFinite(value);
    const pbRatio = med(`${kind}/probebook`, "ratio");
    const notes = [];
    if (!measured) notes.push(failed.get(`${kind}/probebook`) ? `not measured: probebook failed: ${failed.get(`${kind}/probebook`)}` : "no probebook template for this hook in dist/ yet");
    else if (variantNotes.has(kind)) notes.push(variantNotes.get(kind));
    if (measured) notes.push(`${(value / floor).toFixed(2)}x floor, ${(value / peer).toFixed(2)}x bpftrace; events/calls ${pbRatio.toFixed(4)} (floor ${med(`${kind}/floor`, "ratio").toFixed(4)}, bpftrace ${med(`${kind}/bpftrace`, "ratio").toFixed(4)})`);
    const prof = (who) => profile.get(`${kind}/${who}`)?.nsPerCall.toFixed(0) ?? "-";
    notes.push(`in the BPF programs (bpf_stats): probebook ${prof("probebook")}, floor ${prof("floor")}, bpftrace ${prof("bpftrace")} ns/call`);
    if (kind === "stream" && measured) notes.push(`probebook drops ${med(`${kind}/probebook`, "drops")}, floor drops ${med(`${kind}/floor`, "drops")}`);
    rows.push({
      name: `per-event overhead: ${titles[kind]}`,
      value: measured ? num(value, 1) : null, unit: "ns/call", floor: num(floor, 1), peer: num(peer, 1),
      target: "<= 1.1x the floor, below bpftrace",
      meetsTarget: measured && value <= 1.1 * floor && value < peer,
      note: notes.join("; "),
    });
  }
  // The same rows from the kernel's own accounting of the programs' run time:
  // steadier than wall-clock ns/call on a busy machine, and free of the syscall.
  for (const kind of kinds) {
    const p = (who) => profile.get(`${kind}/${who}`)?.nsPerCall ?? NaN;
    const value = p("probebook"), floor = p("floor"), peer = p("bpftrace");
    rows.push({
      name: `in-kernel run time per call (bpf_stats): ${titles[kind]}`,
      value: Number.isFinite(value) ? num(value, 1) : null, unit: "ns/call", floor: num(floor, 1), peer: num(peer, 1),
      target: "<= 1.1x the floor, below bpftrace",
      meetsTarget: Number.isFinite(value) && value <= 1.1 * floor && value < peer,
      note: Number.isFinite(value) ? `${(value / floor).toFixed(2)}x floor, ${(value / peer).toFixed(2)}x bpftrace; programs: ${profile.get(`${kind}/probebook`).programs.join(", ")}` : "not measured",
    });
  }
  return { rows, raw: { ...Object.fromEntries(samples), profile: Object.fromEntries(profile) }, baselines };
}
