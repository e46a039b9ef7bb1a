// An empty result is a normal result: a run whose kernel filter matched
// nothing (here: a pid that sleeps) saves and loads back as an empty table with
// the same columns in the same containers, and the Arrow file holds each
// column with its own type (not one guessed from values it does not have).
// One run per template and shape, in a real session on this kernel.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC } from "@uwdata/flechette";
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import { libcPath } from "../../runtime/host/features.js";
import { createExecutor, type Session } from "../../runtime/session.js";
import { killSpawned, spawnTracked } from "../support/children.js";
import { expectReleasedAfterAll } from "../support/held-bpf.js";
import { recordingContext, streamText } from "./fixtures/recording-context.js";

expectReleasedAfterAll();
let session: Session;
let dir = "";
let idle = 0;
let cell = 0;

beforeAll(async () => {
  await buildSandbox();
  dir = mkdtempSync(join(tmpdir(), "probebook-empty-"));
  idle = spawnTracked("sleep", ["600"], { stdio: "ignore" }).pid!; // does none of what the probes see
  session = createExecutor({ warmUpAfterMs: false, dataDir: dir });
}, 60_000);
afterAll(async () => {
  await session.shutdown();
  await killSpawned();
  rmSync(dir, { recursive: true, force: true });
});

const RUNS: [string, (pid: number) => string][] = [
  ["tracepoint events", (pid) => `tracepoint("syscalls:sys_enter_openat").fields("filename", "flags").where({ pid: ${pid} }).events({ for: "300ms" })`],
  ["syscall events, every field", (pid) => `syscall("read").where({ pid: ${pid} }).events({ for: "300ms" })`],
  ["lean events with stacks", (pid) => `tracepoint("syscalls:sys_enter_getppid").columns("time", "pid", "kstack", "ustack").where({ pid: ${pid} }).events({ for: "300ms" })`],
  ["uprobe events", (pid) => `uprobe(${JSON.stringify(libcPath())}, "lldiv").arg("n", 0, "long").where({ pid: ${pid} }).events({ for: "300ms" })`],
  ["uretprobe events", (pid) => `uretprobe(${JSON.stringify(libcPath())}, "getpid").returns("ret", "int").where({ pid: ${pid} }).events({ for: "300ms" })`],
  ["tcp events", () => `tcp().where({ port: 1 }).events({ for: "300ms" })`],
  ["count by key", (pid) => `syscall("read").where({ pid: ${pid} }).count().by("comm", "pid").run({ for: "300ms" })`],
  ["field histogram", (pid) => `syscall("read").where({ pid: ${pid} }).histogram("count", { for: "300ms" })`],
  ["stats", (pid) => `syscall("read").where({ pid: ${pid} }).stats("count").by("comm").run({ for: "300ms" })`],
  ["latency histogram", (pid) => `syscall("read").latency().where({ pid: ${pid} }).by("comm").histogram({ for: "300ms" })`],
  ["latency events", (pid) => `syscall("read").latency().where({ pid: ${pid} }).events({ over: "1us", for: "300ms" })`],
  ["run-queue latency", (pid) => `runqueue().where({ tid: ${pid} }).histogram({ for: "300ms" })`],
  ["profile", (pid) => `profile({ hz: 49 }).where({ pid: ${pid} }).run({ for: "300ms" })`],
];

/** Arrow's type of each column type a run reports (flechette's typeId, bit width, signedness). */
function expectedArrow(type: string): Record<string, unknown> {
  if (type === "string") return { typeId: 5 };
  if (type === "date") return { typeId: 10, unit: 1 };
  if (type === "float64") return { typeId: 3, precision: 2 };
  const m = /^(big)?(u?)int(\d+)?$/.exec(type);
  if (!m) throw new Error(`no Arrow type known for ${type}`);
  return { typeId: 2, bitWidth: m[1] ? 64 : Number(m[3]), signed: m[2] !== "u" };
}

test.each(RUNS)("an empty %s saves and loads back with its columns and types", async (name, probe) => {
  const file = `${name.replace(/\W+/g, "-")}.arrow`;
  const ctx = recordingContext(++cell);
  const outcome = await session.execute(`
    const t = await ${probe(idle)};
    await save(t, ${JSON.stringify(file)});
    const back = await load(${JSON.stringify(file)});
    const shape = (x) => x.columnNames().map((n) => [n, x.column(n).constructor.name]);
    console.log(JSON.stringify({ rows: t.numRows(), loadedRows: back.numRows(), before: shape(t), after: shape(back), types: t.meta.columnTypes, loadedTypes: back.meta.columnTypes }));
  `, ctx);
  expect(outcome.status === "error" ? `${outcome.ename}: ${outcome.evalue}` : outcome.status).toBe("ok");
  const seen = JSON.parse(streamText(ctx, "stdout")) as { rows: number; loadedRows: number; before: [string, string][]; after: [string, string][]; types: Record<string, string>; loadedTypes: Record<string, string> };
  expect(seen.rows).toBe(0);
  expect(seen.loadedRows).toBe(0);
  expect(seen.before.length).toBeGreaterThan(0);
  expect(seen.after).toEqual(seen.before);
  expect(seen.loadedTypes).toEqual(seen.types);
  const arrow = tableFromIPC(readFileSync(join(dir, file)));
  expect(arrow.schema.fields.map((f) => f.name)).toEqual(seen.before.map(([n]) => n));
  for (const field of arrow.schema.fields) {
    const type = seen.types[field.name];
    expect(type, `the run's type of ${field.name}`).toBeDefined();
    expect(field.type, `the Arrow type of ${field.name} (${type})`).toMatchObject(expectedArrow(type!));
  }
}, 60_000);
