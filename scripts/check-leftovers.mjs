// Contract 3 (nothing outlives its owner), checked after the whole suite:
// every BPF program probebook loads is named "pb_*", so any such program still
// loaded means an attachment leaked. A program whose last holder has just let
// go is freed by the kernel a little later (RCU), so the check gives the kernel
// a few seconds before it judges. Writes { passed, failed } for sum-results.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const GRACE_MS = 5000;
const out = process.argv[process.argv.indexOf("--json") + 1];

const loaded = () => (JSON.parse(execFileSync("bpftool", ["prog", "show", "-j"], { encoding: "utf8" }) || "[]"))
  .filter((p) => String(p.name ?? "").startsWith("pb_"));

let ours = loaded();
for (const end = Date.now() + GRACE_MS; ours.length && Date.now() < end; ours = loaded()) await sleep(100);
for (const p of ours) console.error(`leftover BPF program: id ${p.id} ${p.name} (pids: ${JSON.stringify(p.pids ?? [])})`);
console.log(`leftover check: ${ours.length} probebook programs loaded`);
writeFileSync(out, JSON.stringify({ passed: ours.length ? 0 : 1, failed: ours.length ? 1 : 0 }));
