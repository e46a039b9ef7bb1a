// A reader inside its own pid namespace (as in a container) filters by the
// pids it sees: the template translates ids with bpf_get_ns_current_pid_tgid.
// The child runs under `unshare --pid --fork --mount-proc`, starts the
// open-loop workload, and traces it by its namespaced pid - once with the
// namespace configured (every open seen) and once without (the host's ids
// never match a namespaced pid, so nothing is seen).
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../native/load.js";
import { member } from "../../runtime/templates/struct-codec.js";
import { tpEventsDescriptor } from "../../runtime/templates/tp_events/layout.js";
import { buildC, type BuiltC } from "../bpf/support/build-c.js";
import { spawnTracked, killSpawned } from "../support/children.js";
import { waitUntilFreed } from "../support/held-bpf.js";
import { openatPlan, rodataOf } from "./support.js";

const CHILD = `
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
const [addonPath, objectPath, rodataHex, ringBytes, recordSize, offsetsJson, workload, path] = process.argv.slice(2);
const off = JSON.parse(offsetsJson);
const addon = createRequire(import.meta.url)(addonPath);
const ns = statSync("/proc/self/ns/pid");

// The kernel ids of the programs and maps this process holds (ids are global,
// not namespaced): the test waits until exactly these are freed.
function heldIds() {
  const progs = new Set(), maps = new Set();
  for (const fd of readdirSync("/proc/self/fdinfo")) {
    let info = "";
    try { info = readFileSync("/proc/self/fdinfo/" + fd, "utf8"); } catch { continue; }
    const p = /^prog_id:\\s*(\\d+)/m.exec(info), m = /^map_id:\\s*(\\d+)/m.exec(info);
    if (p) progs.add(Number(p[1])); // from the program's fd and from a link's
    if (m) maps.add(Number(m[1]));
  }
  return { progs: [...progs], maps: [...maps] };
}

async function trace(useNamespace) {
  const child = spawn(workload, [path, "1000"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise((r) => child.stdout.once("data", r)); // "ready"
  const rodata = Buffer.from(rodataHex, "hex");
  rodata.writeUInt32LE(child.pid, off.target_tgid);
  rodata.writeBigUInt64LE(useNamespace ? BigInt(ns.dev) : 0n, off.pidns_dev);
  rodata.writeBigUInt64LE(useNamespace ? BigInt(ns.ino) : 0n, off.pidns_ino);
  const obj = addon.openObject(objectPath);
  obj.setRodata(".rodata", 0, new Uint8Array(rodata));
  obj.setMapMaxEntries("pb_events", Number(ringBytes));
  obj.load();
  const pids = new Set(), tids = new Set(), files = new Set();
  let rows = 0;
  const reader = obj.openRingReader("pb_events", [
    { name: "pid", offset: 20, kind: "u32" }, { name: "tid", offset: 24, kind: "u32" },
    { name: "filename", offset: 56, kind: "cstring", length: 256 }],
    { recordSize: Number(recordSize), pollMs: 5 }, (b) => {
      rows += b.rows;
      b.columns.pid.forEach((x) => pids.add(x));
      b.columns.tid.forEach((x) => tids.add(x));
      b.columns.filename.forEach((x) => files.add(x));
    });
  obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_openat");
  const exited = new Promise((r) => child.once("exit", r));
  child.stdin.end("g");
  await exited;
  await reader.stop();
  const dropped = obj.percpuSum("pb_drops", 0);
  const held = heldIds();
  obj.close();
  return { nsPid: child.pid, rows, pids: [...pids], tids: [...tids], files: [...files], dropped, held };
}

const result = { myPid: process.pid, withNamespace: await trace(true), withoutNamespace: await trace(false) };
process.stdout.write(JSON.stringify(result));
`;

let build: BuiltC;
let dir: string;
beforeAll(() => {
  build = buildC("open-loop");
  dir = mkdtempSync(join(tmpdir(), "probebook-pidns-"));
});
afterEach(killSpawned);
afterAll(() => {
  build?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Where a process-filter member sits in .rodata: in the config's shared `filter` (struct pb_filter), or directly in the config. */
function rodataOffset(name: "tgid" | "pidns_dev" | "pidns_ino"): number {
  const cfg = tpEventsDescriptor.sections[".rodata"].vars.find((v) => v.name === "cfg")!.offset;
  const config = tpEventsDescriptor.structs["tp_events_config"]!;
  const filter = config.members.find((m) => m.name === "filter");
  if (filter) return cfg + filter.offset + member(tpEventsDescriptor, "pb_filter", name).offset;
  return cfg + member(tpEventsDescriptor, "tp_events_config", name === "tgid" ? "target_tgid" : name).offset;
}

describe("pid namespaces", () => {
  it("filters and reports pids as the reader's namespace sees them", async () => {
    const script = join(dir, "child.mjs");
    writeFileSync(script, CHILD);
    const p = openatPlan(1); // target_tgid and the namespace are patched in the child
    const offsets = { target_tgid: rodataOffset("tgid"), pidns_dev: rodataOffset("pidns_dev"), pidns_ino: rodataOffset("pidns_ino") };
    const path = join(dir, "target");
    writeFileSync(path, "");
    // --kill-child: if unshare is killed (afterEach), the namespace's init and so its workload die with it
    const child = spawnTracked("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", process.execPath, script,
      join(packageRoot(), "native/build/Release/probebook_bpf.node"), p.object,
      Buffer.from(rodataOf(p)).toString("hex"), String(p.maps.pb_events!.maxEntries), String(p.ring.recordSize),
      JSON.stringify(offsets), build.bin, path], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    const [code] = await once(child, "exit");
    expect({ code, err }).toEqual({ code: 0, err: "" });
    const r = JSON.parse(out);
    expect(r.myPid).toBe(1); // the child is its namespace's init
    const w = r.withNamespace;
    expect(w.nsPid).toBeLessThan(100); // a small namespaced pid (node's own threads take the first ones)
    expect(w).toEqual({ nsPid: w.nsPid, rows: 1000, pids: [w.nsPid], tids: [w.nsPid], files: [path], dropped: 0, held: w.held });
    expect(r.withoutNamespace.rows).toBe(0);
    // exactly what the child held (one program and its maps, twice) is freed once it has exited
    for (const held of [w.held, r.withoutNamespace.held]) {
      expect(held.progs).toHaveLength(1);
      expect(held.maps.length).toBeGreaterThan(0);
      expect(await waitUntilFreed({ ...held, links: [], perfEvents: 0 })).toEqual([]);
    }
  });
});
