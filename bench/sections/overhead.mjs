// (2) Per-event overhead on the getppid loop: what each tracer adds to one
// syscall, against the untraced baseline measured in the same repetition
// (before and after the traced runs). Hooks: count by key, log2 latency
// histogram over enter/exit, an event stream.
import { loop, median, rotate, startBpftrace, startFloor, TP } from "../lib/procs.mjs";
import { aggregateRunner, startEvents } from "../lib/probebook-runs.mjs";
import { num } from "../lib/results.mjs";

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

/** The tracers of one hook; a start() resolves once attached, stop() gives the events seen. */
async function variantsFor(kind) {
  const agg = kind === "stream" ? undefined : await aggregateRunner();
  const probebook = kind === "stream"
    ? async () => {
        const run = await startEvents();
        return async () => {
          const r = await run.stop();
          return { events: r.events, drops: r.drops };
        };
      }
    : agg && agg.benchDeclaration
      ? async () => {
          const abort = new AbortController();
          let attached;
          const ready = new Promise((resolve) => (attached = resolve));
          const run = agg.runAggregate(agg.benchDeclaration(kind), { signal: abort.signal, onAttached: () => attached() });
          await Promise.race([ready, run]);
          return async () => {
            abort.abort();
            const r = await run;
            return { events: agg.benchEventCount ? agg.benchEventCount(r) : NaN, drops: 0 };
          };
        }
      : undefined;
  return [
    { who: "floor", start: async () => { const f = await startFloor(kind); return async () => f.stop(); } },
    { who: "bpftrace", start: async () => {
        const b = await startBpftrace(BPFTRACE[kind].script, BPFTRACE[kind].tps);
        return async () => ({ events: bpftraceEvents(kind, (await b.stop()).output), drops: 0 });
      } },
    ...(probebook ? [{ who: "probebook", start: probebook }] : []),
  ].map((v) => ({ ...v, kind }));
}

export async function perEventOverhead({ reps, n, nSlow, log }) {
  const kinds = ["count", "hist", "stream"];
  const variants = (await Promise.all(kinds.map(variantsFor))).flat();
  const samples = new Map(); // "kind/who" -> { added: [], ratio: [], drops: [] }
  const baselines = [];
  for (let rep = 0; rep < reps; rep++) {
    const pre = await loop(n);
    const traced = [];
    for (const v of rotate(variants, rep)) {
      // bpftrace's printf stream costs microseconds per event: fewer calls keep the run short.
      const calls = v.kind === "stream" && v.who === "bpftrace" ? nSlow : n;
      const stop = await v.start();
      let res;
      try {
        res = await loop(calls);
      } finally {
        var seen = await stop();
      }
      traced.push({ v, res, seen });
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
    if (!measured) notes.push("no probebook template for this hook in dist/ yet");
    else notes.push(`${(value / floor).toFixed(2)}x floor, ${(value / peer).toFixed(2)}x bpftrace; events/calls ${pbRatio.toFixed(4)} (floor ${med(`${kind}/floor`, "ratio").toFixed(4)}, bpftrace ${med(`${kind}/bpftrace`, "ratio").toFixed(4)})`);
    if (kind === "stream" && measured) notes.push(`probebook drops ${med(`${kind}/probebook`, "drops")}, floor drops ${med(`${kind}/floor`, "drops")}`);
    rows.push({
      name: `per-event overhead: ${titles[kind]}`,
      value: measured ? num(value, 1) : null, unit: "ns/call", floor: num(floor, 1), peer: num(peer, 1),
      target: "<= 1.1x the floor, below bpftrace",
      meetsTarget: measured && value <= 1.1 * floor && value < peer,
      note: notes.join("; "),
    });
  }
  return { rows, raw: Object.fromEntries([...samples].map(([k, v]) => [k, v])), baselines };
}
