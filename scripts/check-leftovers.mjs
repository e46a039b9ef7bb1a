// Contract 3 (nothing outlives its owner), checked after the whole suite:
// every BPF program probebook loads is named "pb_*", so any such program still
// loaded means an attachment leaked. Writes { passed, failed } for sum-results.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

const out = process.argv[process.argv.indexOf("--json") + 1];
const progs = JSON.parse(execFileSync("bpftool", ["prog", "show", "-j"], { encoding: "utf8" }) || "[]");
const ours = progs.filter((p) => String(p.name ?? "").startsWith("pb_"));
for (const p of ours) console.error(`leftover BPF program: id ${p.id} ${p.name} (pids: ${JSON.stringify(p.pids ?? [])})`);
console.log(`leftover check: ${ours.length} probebook programs loaded`);
writeFileSync(out, JSON.stringify({ passed: ours.length ? 0 : 1, failed: ours.length ? 1 : 0 }));
