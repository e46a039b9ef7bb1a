// `npm run bench` (bench/run.sh builds first): every figure of issue 5 against
// its hand-written libbpf floor and bpftrace (or tslab) in the same run,
// medians over REPS repetitions. BENCH_QUICK=1 is the short CI version.
// Writes bench/results/results.json ({ rows }) and results.md, prints the table.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { BENCH_DIR } from "./lib/procs.mjs";
import { markdownTable, notesList } from "./lib/results.mjs";
import { attachAndDetach } from "./sections/attach-detach.mjs";
import { kernelLatencyAndMemory } from "./sections/kernel-latency.mjs";
import { perEventOverhead } from "./sections/overhead.mjs";
import { playgroundFigures } from "./sections/playground.mjs";
import { streamThroughput } from "./sections/throughput.mjs";
import { tlsOverhead } from "./sections/tls.mjs";

const quick = process.env.BENCH_QUICK === "1";
const settings = quick
  ? { reps: Number(process.env.REPS ?? 1), n: 200_000, nSlow: 20_000, completes: 10, bigRows: 1_000_000 }
  : { reps: Number(process.env.REPS ?? 5), n: 2_000_000, nSlow: 200_000, completes: 30, bigRows: 1_000_000 };
const only = process.env.BENCH_ONLY?.split(",");
const outDir = process.env.BENCH_OUT ?? join(BENCH_DIR, "results");
const log = (line) => process.stderr.write(`bench: ${line}\n`);

const sections = [
  ["attach", () => attachAndDetach(settings)],
  ["overhead", () => perEventOverhead(settings)],
  ["throughput", () => streamThroughput(settings)],
  ["kernel", () => kernelLatencyAndMemory(settings)],
  ["playground", () => playgroundFigures(settings)],
  ["tls", () => tlsOverhead(settings)],
];

settings.log = log;
const started = Date.now();
// Other work on a shared machine moves wall-clock figures (not the bpf_stats rows): the table says how busy it was.
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const loadBefore = loadavg();
const rows = [], raw = {}, failures = [];
for (const [name, run] of sections) {
  if (only && !only.includes(name)) continue;
  log(`--- ${name}`);
  try {
    const out = await run();
    rows.push(...out.rows);
    raw[name] = out.raw;
  } catch (error) {
    // One broken section must not hide the others' figures; the run still fails at the end.
    failures.push(`${name}: ${error.stack ?? error}`);
    log(`${name} FAILED: ${error.message}`);
  }
}

const { log: _, ...shown } = settings;
const meta = { date: new Date().toISOString(), quick, ...shown, seconds: Math.round((Date.now() - started) / 1000),
  cpus: availableParallelism(), loadavgBefore: loadBefore, loadavgAfter: loadavg(), failures };
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "results.json"), JSON.stringify({ meta, rows }, null, 2) + "\n");
mkdirSync(join(outDir, "raw"), { recursive: true });
writeFileSync(join(outDir, "raw", "raw.json"), JSON.stringify(raw, (k, v) => (typeof v === "bigint" ? String(v) : v), 1) + "\n");
const table = markdownTable(rows);
const notes = notesList(rows);
const md = `# probebook bench - ${meta.date}\n\n${quick ? "Quick run (BENCH_QUICK=1): " : ""}medians over ${settings.reps} repetition(s), ` +
  `getppid loop pinned to CPU 1, ${settings.n} calls per run; floor = hand-written libbpf (bench/floor), peer = bpftrace 0.17 (tslab for kernel rows). ` +
  `${meta.cpus} CPUs, load average ${meta.loadavgBefore} before, ${meta.loadavgAfter} after (wall-clock rows move with it; the bpf_stats rows do not).\n\n` +
  `${table}\n\n## Notes\n\n${notes}\n${failures.length ? `\n## Failed sections\n\n${failures.map((f) => `- ${f.split("\n")[0]}`).join("\n")}\n` : ""}`;
writeFileSync(join(outDir, "results.md"), md);
process.stdout.write(`\n${table}\n\n${notes}\n`);
const missed = rows.filter((r) => !r.meetsTarget).length;
process.stdout.write(`\n${rows.length} figures, ${rows.length - missed} meet their target, ${missed} do not; ${meta.seconds} s` +
  `${failures.length ? `; ${failures.length} section(s) FAILED` : ""}\n`);
process.exitCode = failures.length ? 1 : 0;
