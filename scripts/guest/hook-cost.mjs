// The cost of each hook on one workload, in the kernel's own accounting
// (kernel.bpf_stats_enabled: run time per program run): the same count of
// openat calls through a classic tracepoint (syscalls:sys_enter_openat), a
// kprobe and an fentry trampoline on do_sys_openat2. Run inside the qemu guest
// by `npm run bench:kernels` (test-kernels.mjs --bench): emulated time is not
// real time, so only the ratios between the rows mean anything.
//
// Usage (in the guest): node scripts/guest/hook-cost.mjs OUT.json
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { prebuiltName } from "./prebuilt.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const load = (rel) => import(pathToFileURL(join(root, "dist", rel)).href);
const { kprobe, fentry, tracepoint } = await load("probes-lib/index.js");
const { runDeclaration } = await load("runtime/runs/run.js");
const { native } = await load("native/load.js");

const CALLS = Number(process.env.PB_HOOK_COST_CALLS ?? 20_000);
const openLoop = join(process.env.PB_PREBUILT_WORKLOADS, prebuiltName("open-loop", ["-O2"]), "open-loop");
const file = `/tmp/probebook-hook-cost-${process.pid}`;
writeFileSync(file, "");

/** run_time_ns and run_cnt of probebook's programs, by bpftool: in the guest, nothing else loads any. */
function ours() {
  const progs = JSON.parse(execFileSync("bpftool", ["prog", "show", "-j"], { encoding: "utf8" }));
  const mine = progs.filter((p) => String(p.name).startsWith("pb_"));
  return { names: mine.map((p) => p.name), ns: mine.reduce((s, p) => s + (p.run_time_ns ?? 0), 0), runs: mine.reduce((s, p) => s + (p.run_cnt ?? 0), 0) };
}

async function measure(title, probe, deny) {
  process.env.PROBEBOOK_DENY_FEATURES = deny ?? "";
  const w = spawn(openLoop, [file, String(CALLS)], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((ok) => w.stdout.once("data", ok)); // "ready"
  let before, after;
  const exited = new Promise((ok) => w.once("exit", ok));
  const result = await runDeclaration(probe(w.pid).toDeclaration({ for: "200ms" }), {
    onAttached: async () => {
      before = ours();
      w.stdin.end("g");
      await exited;
      after = ours();
    },
  });
  const counted = result.columns?.count?.[0];
  const runs = after.runs - before.runs;
  return { hook: title, programs: after.names, calls: CALLS, counted, runs, nsPerRun: (after.ns - before.ns) / runs };
}

const stats = native().enableRunStats();
const rows = [];
try {
  rows.push(await measure("tracepoint syscalls:sys_enter_openat", (pid) => tracepoint("syscalls:sys_enter_openat").where({ pid }).count()));
  rows.push(await measure("kprobe do_sys_openat2", (pid) => kprobe("do_sys_openat2").where({ pid }).count(), "fentry"));
  rows.push(await measure("fentry do_sys_openat2", (pid) => fentry("do_sys_openat2").where({ pid }).count()));
} finally {
  stats.close();
}
const base = rows[0].nsPerRun;
for (const r of rows) r.vsTracepoint = r.nsPerRun / base;
writeFileSync(process.argv[2], JSON.stringify(rows, null, 2));
for (const r of rows) console.log(`${r.hook.padEnd(38)} ${r.nsPerRun.toFixed(0).padStart(7)} ns/run  ${r.vsTracepoint.toFixed(2)}x  (${r.runs} runs, ${r.counted} counted, ${r.programs.join(" ")})`);
