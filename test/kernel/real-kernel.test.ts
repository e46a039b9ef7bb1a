// The kernel a frontend launches, `node bin/probebook.js kernel -f <file>`,
// with the real executor (runtime/session.ts: isolated-vm sandbox, TypeScript
// cells), over real ZeroMQ. What a notebook user does to a kernel on a bad
// day - endless loops, unbounded allocation, cells run twice, a hostile or
// broken client - and in every case the same kernel process carries on.
import { describe, expect, it } from "vitest";
import { probebookBin } from "./support/built-dist.js";
import { TestClient } from "./support/client.js";
import { executeRequest, fileKernel } from "./support/file-kernel.js";
import { spawnKernel, type KernelProcess } from "./support/kernel-process.js";

const k = fileKernel({ built: true });
const { execute, waitForLog } = k;

/** Sends `code`, waits until the cell printed its first line (so it is running), then calls `interrupt`. */
async function interruptAfterFirstLine(code: string, interrupt: () => Promise<void> | void) {
  const id = await k.client.send("shell", "execute_request", executeRequest(code));
  await k.client.iopubMsg(id, "stream", 30_000);
  const started = Date.now();
  await interrupt();
  const reply = await k.client.reply("shell", id, 10_000);
  const elapsedMs = Date.now() - started;
  const iopub = await k.client.iopubUntilIdle(id);
  return { reply, elapsedMs, iopub };
}

const byControl = async () => {
  const id = await k.client.send("control", "interrupt_request");
  expect((await k.client.reply("control", id)).content).toEqual({ status: "ok" });
};

describe("the real kernel (bin/probebook.js kernel, real sandbox)", () => {
  it("runs TypeScript cells with top-level await", async () => {
    const r = await execute("const n: number = 6;\nawait sleep(10);\nn * 7");
    expect(r.content.status).toBe("ok");
    expect(r.text).toBe("42");
  });

  it("lets a cell that declares a const (and let, function, class) run again, and later cells see the new values", async () => {
    const cell = (v: number) => `const limit = ${v};\nlet seen = limit + 1;\nfunction twice(x: number) { return x * ${v}; }\nclass Box { v = ${v}; }\n[limit, seen, twice(2), new Box().v]`;
    const first = await execute(cell(1));
    expect(first.content.status).toBe("ok");
    expect(first.text).toBe("[ 1, 2, 2, 1 ]");
    const again = await execute(cell(5));
    expect(again.content.status).toBe("ok");
    expect(again.text).toBe("[ 5, 6, 10, 5 ]");
    expect((await execute("[limit, seen, twice(3), new Box().v]")).text).toBe("[ 5, 6, 15, 5 ]");
  });

  it("stops `while (true) {}` on interrupt_request within a second, says the sandbox was rebuilt, and runs the next cell", async () => {
    await execute("const before = 1");
    const r = await interruptAfterFirstLine('console.log("spinning"); while (true) {}', byControl);
    expect(r.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(r.reply.content.evalue).toMatch(/would not stop \(a loop\?\), so the sandbox was rebuilt: earlier variables are gone/);
    expect(r.elapsedMs).toBeLessThan(1000);
    const error = r.iopub.find((m) => m.header.msg_type === "error");
    expect(error?.content.ename).toBe("KeyboardInterrupt");
    // The output says plainly that state was lost, and it was.
    const gone = await execute("typeof before");
    expect(gone.text).toBe("'undefined'");
    expect((await execute("[1, 2, 3].map((x) => x * 2)")).text).toBe("[ 2, 4, 6 ]");
    expect(k.kernel.child.exitCode).toBeNull();
  });

  it("stops `while (true) {}` on SIGINT too", async () => {
    const r = await interruptAfterFirstLine('console.log("spinning"); for (;;) {}', () => {
      k.kernel.child.kill("SIGINT");
    });
    expect(r.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(r.elapsedMs).toBeLessThan(1000);
    expect((await execute("40 + 2")).text).toBe("42");
    expect(k.kernel.child.exitCode).toBeNull();
  });

  it("stops an endless chain of awaits (a microtask loop the host never gets back from)", async () => {
    const r = await interruptAfterFirstLine('console.log("spinning"); for (;;) { await null; }', byControl);
    expect(r.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(r.elapsedMs).toBeLessThan(1000);
    expect((await execute("40 + 2")).text).toBe("42");
  });

  it("abandons a promise that never settles on interrupt and keeps the cell's variables", async () => {
    await execute("const kept = 41");
    const r = await interruptAfterFirstLine('console.log("waiting"); await new Promise(() => {})', byControl);
    expect(r.reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(r.reply.content.evalue).toMatch(/interrupted while waiting; .* \(variables are kept\)/);
    expect((await execute("kept + 1")).text).toBe("42");
  });

  it("gives a memory bomb a clear MemoryError, rebuilds the sandbox, and runs the next cell", async () => {
    const started = Date.now();
    const r = await execute("const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(1_000_000).fill(7));", { timeoutMs: 60_000 });
    expect(r.content).toMatchObject({ status: "error", ename: "MemoryError" });
    expect(r.content.evalue).toMatch(/^the cell exceeded the sandbox memory limit of \d+ MB; the sandbox was rebuilt, so earlier variables are gone/);
    expect(r.types).toEqual(["status", "execute_input", "error", "status"]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((await execute('"still " + "here"')).text).toBe("'still here'");
    expect(k.kernel.child.exitCode).toBeNull();
  }, 90_000);

  it("drops a message with a bad signature (never runs it) and keeps serving", async () => {
    const { msgId, frames } = k.client.frames("execute_request", { code: "globalThis.ranUnsigned = true", silent: false });
    frames[1] = Buffer.from("f".repeat(64));
    await k.client.sendRaw("shell", frames);
    await expect(k.client.reply("shell", msgId, 500)).rejects.toThrow(/timed out/);
    await waitForLog(/dropped a message on shell: signature does not match/);
    expect((await execute("typeof globalThis.ranUnsigned")).text).toBe("'undefined'");
  });

  it("survives malformed frames and unknown message types", async () => {
    await k.client.sendRaw("shell", ["just", "noise"]);
    const badJson = [Buffer.from("{not json"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    await k.client.sendRaw("shell", [Buffer.from("<IDS|MSG>"), Buffer.from(k.client.sign(badJson)), ...badJson]);
    await k.client.sendRaw("control", ["<IDS|MSG>", "x"]);
    const unknown = await k.client.send("shell", "frobnicate_request", {});
    expect((await k.client.reply("shell", unknown)).content).toMatchObject({ status: "error", ename: "UnknownMessageType" });
    await waitForLog(/header frame is not valid JSON/);
    expect((await execute("6 * 7")).text).toBe("42");
    expect(k.kernel.child.exitCode).toBeNull();
  });
});

// Allocation patterns that reach V8's own heap limit before isolated-vm's
// memory check (a growing Map or many strings: V8 reports a "catastrophic
// out-of-memory error"), and external ArrayBuffer memory. Each gets its own
// kernel with a 128 MB sandbox so one broken run cannot spoil the others.
describe("memory bombs of other shapes (own kernel each, PROBEBOOK_SANDBOX_MEMORY_MB=128)", () => {
  async function withKernel(work: (c: TestClient, k: KernelProcess) => Promise<void>) {
    const own = await spawnKernel({ command: [process.execPath, probebookBin, "kernel"], env: { ...process.env, PROBEBOOK_SANDBOX_MEMORY_MB: "128" } });
    const c = new TestClient(own.info);
    try {
      await c.waitForReady();
      await work(c, own);
    } finally {
      c.close();
      await own.dispose();
    }
  }

  async function run(c: TestClient, code: string, timeoutMs: number) {
    const id = await c.send("shell", "execute_request", executeRequest(code));
    try {
      return (await c.reply("shell", id, timeoutMs)).content;
    } catch (error) {
      // Leave the kernel usable for the rest of the test, then fail with what happened.
      await c.send("control", "interrupt_request");
      const late = await c.reply("shell", id, 10_000).catch(() => undefined);
      throw new Error(`no reply to the cell within ${timeoutMs} ms (after an interrupt it said: ${JSON.stringify(late?.content?.evalue)}): ${(error as Error).message}`);
    }
  }

  for (const [shape, code] of [
    ["a Map that grows without bound", "const m = new Map<number, object>(); let i = 0; while (true) m.set(i++, { i });"],
    ["strings kept without bound", "const s: string[] = []; while (true) s.push('x'.repeat(1000) + Math.random());"],
  ] as const) {
    it(`gives ${shape} a MemoryError, runs the next cell, and still shuts down`, async () => {
      await withKernel(async (c, own) => {
        const bomb = await run(c, code, 30_000);
        expect(bomb).toMatchObject({ status: "error", ename: "MemoryError" });
        expect(bomb.evalue).toMatch(/^the cell exceeded the sandbox memory limit of 128 MB; the sandbox was rebuilt, so earlier variables are gone/);
        const next = await run(c, "40 + 2", 30_000);
        expect(next.status).toBe("ok");
        const bye = await c.send("control", "shutdown_request", { restart: false });
        await c.reply("control", bye, 10_000);
        const exited = await Promise.race([own.exited, new Promise((r) => setTimeout(() => r("still running 10 s after shutdown_reply"), 10_000))]);
        // When V8 gave up on the sandbox (a "catastrophic" out-of-memory error),
        // isolated-vm parks its thread for good and exit() would wait for it in
        // isolated-vm's thread-pool destructor forever: the kernel then ends
        // itself with SIGKILL, after the shutdown reply, and says so in the
        // cell and the log. Otherwise it exits cleanly.
        if (/catastrophic error/.test(own.stderr())) {
          expect(bomb.evalue).toMatch(/this kernel process keeps it .* Restart the kernel/);
          expect(own.stderr()).toMatch(/will end with SIGKILL when it exits, as a normal exit would hang/);
          expect(exited).toEqual({ code: null, signal: "SIGKILL" });
        } else {
          expect(exited).toEqual({ code: 0, signal: null });
        }
      });
    }, 120_000);
  }

  it("blames a typed-array memory bomb on its own cell, not on the next one", async () => {
    await withKernel(async (c) => {
      const bomb = await run(c, "const bufs: Uint8Array[] = []; while (true) bufs.push(new Uint8Array(16 * 1024 * 1024).fill(1));", 30_000);
      expect(bomb.status).toBe("error");
      expect(bomb.ename).toBe("MemoryError");
      expect(bomb.evalue).toMatch(/^the cell exceeded the sandbox memory limit of 128 MB; the sandbox was rebuilt, .*\. It failed with RangeError: Array buffer allocation failed$/);
      const next = await run(c, "40 + 2", 30_000);
      expect(next, `the cell after the bomb got ${next.ename}: ${next.evalue}`).toMatchObject({ status: "ok" });
    });
  }, 120_000);
});
