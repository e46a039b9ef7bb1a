// Contract 3, nothing outlives its owner: a process that loaded and attached
// tp_events (with a ring reader running) and then ends - normally, by an
// uncaught exception or by SIGKILL - leaves no program of ours in the kernel.
// Exit behaviour is tested in child processes: the test reads the exact
// program, map and link ids the child holds once attached, and waits until the
// kernel has freed exactly those (other processes' probes may be loaded).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { packageRoot } from "../../native/load.js";
import { killSpawned, spawnTracked } from "../support/children.js";
import { heldBpf, programNames, waitUntilFreed, type HeldBpf } from "../support/held-bpf.js";
import { openatPlan, rodataOf } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "probebook-exit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killSpawned); // a failed assertion must not leave a child running with its probe attached

const CHILD = `
import { createRequire } from "node:module";
import { openSync, closeSync } from "node:fs";
const [addonPath, objectPath, rodataHex, ringBytes, recordSize, mode] = process.argv.slice(2);
const addon = createRequire(import.meta.url)(addonPath);
const obj = addon.openObject(objectPath);
obj.setRodata(".rodata", 0, new Uint8Array(Buffer.from(rodataHex, "hex")));
obj.setMapMaxEntries("pb_events", Number(ringBytes));
obj.load();
obj.openRingReader("pb_events", [{ name: "pid", offset: 20, kind: "u32" }],
  { recordSize: Number(recordSize), pollMs: 5 }, () => {});
obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_openat");
setInterval(() => closeSync(openSync("/proc/self/stat", "r")), 1); // events keep flowing
process.stdin.once("data", () => {
  if (mode === "exit") process.exit(0);
  if (mode === "throw") throw new Error("uncaught in the child");
});
process.stdout.write("attached\\n");
`;

function startChild(mode: string) {
  const script = join(dir, "child.mjs");
  writeFileSync(script, CHILD);
  const p = openatPlan(null);
  const child = spawnTracked(process.execPath, [
    script,
    join(packageRoot(), "native/build/Release/probebook_bpf.node"),
    p.object,
    Buffer.from(rodataOf(p)).toString("hex"),
    String(p.maps.pb_events!.maxEntries),
    String(p.ring.recordSize),
    mode,
  ], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, stderr })));
  const attached = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("attached") && resolve());
    void exited.then((r) => reject(new Error(`child exited before attaching: ${r.stderr}`)));
  });
  return { child, attached, exited };
}

/** What the attached child holds: one program (pb_tp_events) with its link, and its maps. */
function heldByAttached(pid: number): HeldBpf {
  const held = heldBpf(pid);
  expect(programNames(held.progs)).toEqual(["pb_tp_events"]);
  expect(held.links).toHaveLength(1);
  expect(held.maps.length).toBeGreaterThan(0);
  return held;
}

describe("exit clean-up", () => {
  it("frees exactly the child's objects after process.exit() with a reader running", async () => {
    const { child, attached, exited } = startChild("exit");
    await attached;
    const held = heldByAttached(child.pid!);
    child.stdin!.write("go");
    const r = await exited;
    expect(r).toEqual({ code: 0, signal: null, stderr: "" });
    expect(await waitUntilFreed(held)).toEqual([]);
  });

  it("frees exactly the child's objects after an uncaught exception", async () => {
    const { child, attached, exited } = startChild("throw");
    await attached;
    const held = heldByAttached(child.pid!);
    child.stdin!.write("go");
    const r = await exited;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("uncaught in the child");
    expect(await waitUntilFreed(held)).toEqual([]);
  });

  it("frees exactly the child's objects after SIGKILL (links are fds, never pinned)", async () => {
    const { child, attached, exited } = startChild("kill");
    await attached;
    const held = heldByAttached(child.pid!);
    child.kill("SIGKILL");
    expect((await exited).signal).toBe("SIGKILL");
    expect(await waitUntilFreed(held)).toEqual([]);
  });
});
