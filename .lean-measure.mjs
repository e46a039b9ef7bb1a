// temporary (removed after use): bpf_stats ns/call of variants, same method as bench/sections/overhead.mjs
import { loop, startFloor } from "./bench/lib/procs.mjs";
import { startEvents, startAggregation, aggregateDeclarations } from "./bench/lib/probebook-runs.mjs";
import { attachedBy, enableRunStats, ofPrograms, programs } from "./bench/lib/bpf-stats.mjs";
const GETPPID = { type: "tracepoint", name: "syscalls:sys_enter_getppid" };
const n = Number(process.env.N ?? 300000), reps = Number(process.env.R ?? 3);
const variants = {
  "floor count": async () => { const f = await startFloor("count"); return [f.pid, () => f.stop()]; },
  "pb count": async () => { const r = await startAggregation("count"); return [process.pid, () => r.stop()]; },
  "floor hist": async () => { const f = await startFloor("hist"); return [f.pid, () => f.stop()]; },
  "pb hist": async () => { const r = await startAggregation("hist"); return [process.pid, () => r.stop()]; },
  "floor stream": async () => { const f = await startFloor("stream"); return [f.pid, () => f.stop()]; },
  "pb stream default": async () => { const r = await startEvents(); return [process.pid, () => r.stop()]; },
  "pb stream time,pid,cpu": async () => { const r = await startEvents({ decl: { kind: "events", source: GETPPID, fields: [], columns: ["time_ns", "pid", "cpu"], filter: {}, durationMs: 3600_000 } }); return [process.pid, () => r.stop()]; },
};
const only = process.env.ONLY?.split(",");
const stats = await enableRunStats();
const out = {};
try {
  for (let rep = 0; rep < reps; rep++)
    for (const [name, start] of Object.entries(variants)) {
      if (only && !only.some((o) => name.includes(o))) continue;
      const [pid, stop] = await start();
      let res, before, after;
      try {
        const ids = await attachedBy(pid);
        before = ofPrograms(ids, await programs());
        res = await loop(n);
        after = ofPrograms(ids, await programs());
      } finally { await stop(); }
      (out[name] ??= []).push((after.runTimeNs - before.runTimeNs) / res.calls);
    }
} finally { stats.close(); }
for (const [k, v] of Object.entries(out)) { v.sort((a, b) => a - b); console.log(k.padEnd(24), v.map((x) => x.toFixed(0)).join(" "), " median", v[v.length >> 1].toFixed(0)); }
