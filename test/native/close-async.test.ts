// BpfObject.closeAsync(): the object is closed for JS at once (reader halted
// with its final drain, links no longer attached as far as JS knows), while the
// kernel's part - the links' detach, three RCU grace periods each - runs on a
// libuv worker. The JS thread keeps running meanwhile, and afterwards nothing
// the object held is left; a process that exits with a close still pending
// finishes it in the exit hook without hanging.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { packageRoot } from "../../native/load.js";
import { killSpawned, spawnTracked } from "../support/children.js";
import { heldBpf, programNames, waitUntilFreed, waitUntilHoldsNothing } from "../support/held-bpf.js";
import { openatPlan, openConfigured, rodataOf } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "probebook-close-async-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(killSpawned);

const OPENS = 50;

describe("closeAsync", () => {
  it("closes for JS at once, drains the reader, detaches off the JS thread and frees everything", async () => {
    const p = openatPlan();
    const obj = openConfigured(p);
    const path = join(dir, "opened-by-the-test");
    writeFileSync(path, "x");
    const fname = p.columns.find((c) => c.name === "filename")!;
    let rows = 0; // opens of `path` (this process's other threads open files too)
    obj.openRingReader("pb_events", [{ name: "filename", offset: fname.offset, kind: "cstring", length: fname.length! }],
      { recordSize: p.ring.recordSize, pollMs: 1000 },
      (b) => (rows += (b.columns.filename as string[]).filter((f) => f === path).length));
    const link = obj.attachTracepoint(p.program, "syscalls", "sys_enter_openat");
    for (let i = 0; i < OPENS; i++) closeSync(openSync(path, "r"));
    const held = heldBpf();
    expect(programNames(held.progs)).toEqual(["pb_tp_events"]);
    expect(held.links).toHaveLength(1);

    let ranMeanwhile = false;
    setImmediate(() => (ranMeanwhile = true));
    const t0 = performance.now();
    const closing = obj.closeAsync();
    const blockedMs = performance.now() - t0;
    expect(obj.state).toBe("closed");
    expect(link.attached).toBe(false);
    const { detachMs } = await closing;
    // The reader's final drain happened in closeAsync (a 1 s poll would not have woken by itself).
    expect(rows).toBe(OPENS);
    expect(ranMeanwhile).toBe(true); // the event loop turned while the kernel detached
    expect(blockedMs).toBeLessThan(detachMs); // the grace periods were waited on the worker
    expect(await waitUntilHoldsNothing()).toEqual([]);
    expect(await waitUntilFreed(held)).toEqual([]);
    await expect(obj.closeAsync()).resolves.toEqual({ detachMs: 0 }); // closed already
  });

  it("is finished by the exit hook when the process exits with it pending", async () => {
    const script = join(dir, "child.mjs");
    writeFileSync(script, `
import { createRequire } from "node:module";
const [addonPath, objectPath, rodataHex, ringBytes] = process.argv.slice(2);
const addon = createRequire(import.meta.url)(addonPath);
const obj = addon.openObject(objectPath);
obj.setRodata(".rodata", 0, new Uint8Array(Buffer.from(rodataHex, "hex")));
obj.setMapMaxEntries("pb_events", Number(ringBytes));
obj.load();
obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_openat");
process.stdin.once("data", () => {
  void obj.closeAsync();
  process.exit(0); // the worker has barely started: the exit hook waits for it or does it
});
process.stdout.write("attached\\n");
`);
    const p = openatPlan(null);
    const child = spawnTracked(process.execPath, [script, join(packageRoot(), "native/build/Release/probebook_bpf.node"),
      p.object, Buffer.from(rodataOf(p)).toString("hex"), String(p.maps.pb_events!.maxEntries)],
    { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("attached") && resolve());
      void exited.then(() => reject(new Error(`child exited before attaching: ${stderr}`)));
    });
    const held = heldBpf(child.pid!);
    expect(held.links).toHaveLength(1);
    child.stdin!.write("go");
    expect(await exited).toBe(0);
    expect(stderr).toBe("");
    expect(await waitUntilFreed(held)).toEqual([]);
  });
});
