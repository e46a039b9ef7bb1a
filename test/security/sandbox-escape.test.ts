// Escape attempts from a cell, against the real session in this process (the
// isolated-vm sandbox, the real probe runner and real BPF, save()/load() in a
// temporary notebook directory), so that what the host sees afterwards is
// checked here, on the host. Each attempt must fail or be contained, and each
// test says concretely how: the value the chain reached, the error the cell
// got, the host's own objects untouched, the kernel's next cell working.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExecutor, type Session } from "../../runtime/session.js";
import { recordingContext, streamText } from "../runtime/fixtures/recording-context.js";
import { recordHeld } from "../support/held-bpf.js";

let session: Session;
let dir: string;
let count = 0;
const held = recordHeld();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "probebook-escape-"));
  session = createExecutor({ warmUpAfterMs: false, dataDir: dir, memoryLimitMb: 128 });
});
afterAll(async () => {
  await session?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

async function run(code: string, { interruptAfterMs }: { interruptAfterMs?: number } = {}) {
  const ctx = recordingContext(++count);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  if (interruptAfterMs !== undefined) timer = setTimeout(() => {
    ctx.abort();
    session.interrupt();
  }, interruptAfterMs);
  const outcome = await session.execute(code, ctx);
  clearTimeout(timer);
  const text = outcome.status === "ok" ? (outcome.result?.data["text/plain"] as string | undefined) : undefined;
  return { outcome, text, ms: Date.now() - started, stderr: streamText(ctx, "stderr"), stdout: streamText(ctx, "stdout") };
}

/** What the cell can reach from `expr` through constructor chains: the Function it gets, and what that Function's code sees. */
const CHAIN = (expr: string) => `
  const target = ${expr};
  const seen = [];
  for (const F of [target.constructor?.constructor, Object.getPrototypeOf(target)?.constructor?.constructor,
                   target.then?.constructor, target.toString?.constructor, target.constructor?.constructor?.constructor]) {
    if (typeof F !== "function") { seen.push("none"); continue; }
    seen.push(F === Function ? "sandbox Function" : "OTHER Function");
    seen.push(String(F("return [typeof process, typeof require, typeof module, typeof Buffer, typeof __probebook_probe, typeof globalThis.__probebook_stream].join()")()));
  }
  seen.join(" | ")`;
const NOTHING = "undefined,undefined,undefined,undefined,undefined,undefined";

describe("constructor chains to the host's Function", () => {
  // One object of every kind the host hands a cell (or that holds what it handed).
  const objects: Record<string, string> = {
    "a probe result table": 'await tracepoint("sched:sched_switch").count().by("cpu").run({ for: "200ms" })',
    "an event table": 'await tracepoint("sched:sched_switch").limit(5).events({ for: "2s" })',
    "a column of an event table": '(await tracepoint("sched:sched_switch").limit(5).events({ for: "2s" })).array("pid")',
    "a table's meta (the host's stats)": '(await tracepoint("sched:sched_switch").limit(5).events({ for: "2s" })).meta',
    "an error from the host (an unknown tracepoint)": 'await tracepoint("nosuch:event").events({ for: "1s" }).catch((e) => e)',
    "a background run handle": 'globalThis.bg = tracepoint("sched:sched_switch").count().by("cpu").start({ name: "escape-bg" })',
    "a promise of the host (sleep)": "sleep(1)",
    "a display handle": 'display("x", { id: "escape-display" })',
    "a table loaded from disk": '(await save(aq.table({ a: [1, 2] }), "escape.arrow", { overwrite: true }), await load("escape.arrow"))',
    "an explain() of a declaration": 'explain(tracepoint("sched:sched_switch").count().by("cpu"))',
  };
  for (const [what, expr] of Object.entries(objects)) {
    it(`through ${what}: every chain ends at the sandbox's own Function, which sees no process, require, Buffer or bridge`, async () => {
      const r = await run(CHAIN(`(${expr})`));
      expect(r.outcome.status, JSON.stringify(r.outcome)).toBe("ok");
      const parts = r.text!.replace(/^'|'$/g, "").split(" | ");
      expect(parts.filter((p) => p === "OTHER Function")).toEqual([]);
      expect(parts.filter((p) => p.startsWith("sandbox"))).not.toHaveLength(0);
      for (const p of parts) if (p.includes(",")) expect(p).toBe(NOTHING);
    }, 30_000);
  }

  it("the background run started above is stopped, and nothing of it stays attached", async () => {
    const r = await run("(await bg.stop()).numRows() > 0");
    expect(r.text).toBe("true");
    await expect.poll(() => held.leftovers(), { timeout: 5000 }).toEqual([]);
  });
});

describe("stack-trace hooks", () => {
  it("Error.prepareStackTrace in the cell sees only sandbox frames of a host error, and the host's own hook is untouched", async () => {
    const hostHook = Error.prepareStackTrace;
    const r = await run(`
      const leaks = [];
      Error.prepareStackTrace = (err, frames) => {
        for (const f of frames) {
          for (const get of ["getThis", "getFunction", "getTypeName"]) {
            try { const v = f[get]?.(); if (v && typeof v === "object" && ("process" in v || "require" in v)) leaks.push(get); } catch {}
          }
          if (/node:|internal\\//.test(String(f.getFileName?.()))) leaks.push(String(f.getFileName()));
        }
        return "hooked";
      };
      let caught;
      try { await tracepoint("nosuch:event").events({ for: "1s" }); } catch (e) { caught = e; }
      [caught.stack, caught.name, leaks.length]`);
    expect(r.text).toBe("[ 'hooked', 'PlanError', 0 ]");
    expect(Error.prepareStackTrace).toBe(hostHook);
    // The host's stack traces are its own: a host error still has a normal stack.
    expect(new Error("host").stack).toMatch(/^Error: host\n\s+at /);
  });
});

describe("prototype pollution", () => {
  const hostUntouched = () => {
    const host = {} as Record<string, unknown>;
    expect(host.polluted).toBeUndefined();
    expect(host.kind).toBeUndefined();
    expect(JSON.stringify({ a: 1 })).toBe('{"a":1}');
    expect(JSON.parse("[1]")).toEqual([1]);
    const arr: number[] = [];
    arr.push(1);
    expect(arr).toEqual([1]);
    expect(Promise.resolve(1).then(() => 2)).toBeInstanceOf(Promise);
  };

  it("a cell polluting Object.prototype (a value, and a getter for 'kind') then running a probe and save(): the host's objects are untouched and the probe ran as declared", async () => {
    const r = await run(`
      Object.prototype.polluted = "yes";
      Object.defineProperty(Object.prototype, "kind", { get() { return "hijacked"; }, configurable: true });
      const t = await tracepoint("sched:sched_switch").limit(3).events({ for: "5s" });
      await save(t, "polluted.arrow", { overwrite: true });
      [t.numRows(), t.meta.declaration.kind, (await load("polluted.arrow")).numRows()]`);
    expect(r.text).toBe("[ 3, 'events', 3 ]");
    hostUntouched();
    await run("delete Object.prototype.kind; delete Object.prototype.polluted");
  }, 30_000);

  it("a cell replacing what the sandbox's reply is made of (toJSON, JSON.parse, Array.prototype.push, Promise.prototype.then) gets a SandboxError and a fresh sandbox; the host is untouched", async () => {
    await run("var before = 1");
    const r = await run(`
      Object.prototype.toJSON = () => "pwned";
      JSON.parse = () => ({ hijacked: true });
      Array.prototype.push = () => { throw new Error("push hijacked"); };
      Promise.prototype.then = function () { return "then hijacked"; };
      "polluted"`);
    expect(r.outcome).toMatchObject({ status: "error", ename: "SandboxError" });
    expect((r.outcome as { evalue: string }).evalue).toMatch(/replaced built-ins the sandbox itself relies on .* the sandbox was rebuilt/);
    hostUntouched();
    expect((await run("[typeof before, 40 + 2]")).text).toBe("[ 'undefined', 42 ]");
  });
});

describe("Proxy and Reflect tricks on values passed to the host", () => {
  it("a Proxy display bundle whose getters change on every read reaches the host as one consistent copy", async () => {
    const r = await run(`
      let reads = 0;
      const bundle = new Proxy({}, {
        ownKeys: () => ["text/plain"],
        getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }),
        get: (_t, k) => (k === "text/plain" ? "read " + (++reads) : undefined),
      });
      display(bundle, { raw: true });
      reads`);
    expect(r.outcome.status).toBe("ok");
    // Whatever was shown, the host never called back into the sandbox for it.
    expect(Number(r.text)).toBeLessThan(10);
  });

  it("a Proxy as a probe declaration (kind changes between reads, traps that throw) gets a typed error or a consistent plan, never a host crash", async () => {
    const r = await run(`
      let n = 0;
      const decl = new Proxy({ kind: "events" }, { get: (t, k) => (k === "kind" ? (n++ % 2 ? "aggregate" : "events") : Reflect.get(t, k)) });
      const thrower = new Proxy({}, { get() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } });
      const results = [];
      for (const d of [decl, thrower]) {
        try { await tracepoint("sched:sched_switch").events({ for: d }); results.push("ran"); } catch (e) { results.push(e.name); }
      }
      results`);
    expect(r.outcome.status).toBe("ok");
    expect(r.text).not.toContain("ran");
    expect((await run("1 + 1")).text).toBe("2");
  });
});

describe("blocking, recursion and memory", () => {
  it("SharedArrayBuffer exists but Atomics.wait on it is interruptible (the sandbox is rebuilt), and the host kept running", async () => {
    let hostTicks = 0;
    const ticker = setInterval(() => hostTicks++, 50);
    const r = await run("const sab = new SharedArrayBuffer(8); Atomics.wait(new Int32Array(sab), 0, 0, 60_000); 'woke'", { interruptAfterMs: 500 });
    clearInterval(ticker);
    expect(r.outcome).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(r.ms).toBeLessThan(5000);
    expect(hostTicks).toBeGreaterThan(3);
    expect((await run("2 + 2")).text).toBe("4");
  });

  it("deep recursion is a RangeError in the cell", async () => {
    const r = await run("function f(n) { return f(n + 1) + 1; } f(0)");
    expect(r.outcome).toMatchObject({ status: "error", ename: "RangeError" });
    expect((r.outcome as { evalue: string }).evalue).toMatch(/call stack/);
  });

  it("a string past V8's limit is a RangeError; one that fills the sandbox hits its memory limit; the host's memory stays bounded", async () => {
    const big = await run('"x".repeat(2 ** 30)');
    expect(big.outcome).toMatchObject({ status: "error", ename: "RangeError" });
    const rssBefore = process.memoryUsage().rss;
    const fill = await run('const parts = []; for (let i = 0; i < 1e6; i++) parts.push("y".repeat(1e5) + i); parts.length');
    expect(fill.outcome.status).toBe("error");
    expect((fill.outcome as { evalue: string }).evalue).toMatch(/memory limit of 128 MB/);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(1024 * 1024 * 1024);
    expect((await run("3 + 3")).text).toBe("6");
  }, 60_000);

  it("WebAssembly is not there (its memory would be outside the sandbox's limit), and can't be put back", async () => {
    const r = await run(`
      const tries = [];
      try { new WebAssembly.Memory({ initial: 1, maximum: 65536 }); tries.push("made"); } catch (e) { tries.push(e.name + ": " + e.message); }
      try { Object.defineProperty(globalThis, "WebAssembly", { value: {} }); tries.push("redefined"); } catch (e) { tries.push(e.name); }
      tries`);
    expect(r.text).toBe("[\n  \"ReferenceError: WebAssembly is not available in probebook cells: its memory is outside the sandbox's memory limit\",\n  'TypeError'\n]");
  });
});

describe("loops the host never gets back from", () => {
  it("an endless microtask loop is interruptible within a second and the next cell runs", async () => {
    const r = await run("for (;;) await null", { interruptAfterMs: 300 });
    expect(r.outcome).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    // 300 ms to the interrupt, then the grace period and a rebuilt sandbox (under 1 s on an idle machine: test/kernel/real-kernel.test.ts).
    expect(r.ms).toBeLessThan(3000);
    expect((await run("5 + 5")).text).toBe("10");
  });

  it("queueMicrotask recursion is interruptible too", async () => {
    const r = await run("const spin = () => queueMicrotask(spin); spin(); await sleep(60_000)", { interruptAfterMs: 300 });
    expect(r.outcome).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(r.ms).toBeLessThan(2000);
    expect((await run("6 + 6")).text).toBe("12");
  });

  it("a flood of timers stops at 10 000 pending (a RangeError), each spinning one is interruptible, the host's event loop kept running, and none fires later", async () => {
    let hostTicks = 0;
    const ticker = setInterval(() => hostTicks++, 50);
    const r = await run(`
      try { for (let i = 0; i < 100_000; i++) setTimeout(() => { globalThis.fired = (globalThis.fired ?? 0) + 1; for (;;) {} }, 0); }
      catch (e) { console.log(e.message); }
      await sleep(60_000)`, { interruptAfterMs: 1000 });
    clearInterval(ticker);
    expect(r.stdout).toBe("setTimeout: 10000 timers are already pending, the most a cell may have; wait for some (await sleep()) or clearTimeout() them\n");
    expect(r.outcome).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(r.ms).toBeLessThan(4000);
    expect(hostTicks).toBeGreaterThan(5);
    const next = await run("await sleep(200); String(globalThis.fired)");
    expect(next.text).toBe("'undefined'");
  }, 30_000);
});
