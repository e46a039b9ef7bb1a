// startKernel in this process, over real ZeroMQ, with executor factories that
// misbehave: the runtime's lifecycle as the kernel sees it.
import { afterEach, describe, expect, it } from "vitest";
import type { Executor } from "../../kernel/executor.js";
import { startKernel, type RunningKernel } from "../../kernel/kernel.js";
import { createVmExecutor } from "./fixtures/vm-executor.js";
import { TestClient } from "./support/client.js";
import { connectionInfo } from "./support/kernel-process.js";

const logs: string[] = [];
const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
let running: { kernel: RunningKernel; client: TestClient } | undefined;

afterEach(async () => {
  running?.client.close();
  await running?.kernel.shutdown();
  running = undefined;
  logs.length = 0;
});

async function start(factory: () => Promise<Executor>) {
  const info = await connectionInfo();
  const kernel = await startKernel(info, factory, { log, shutdownTimeoutMs: 500 });
  const client = new TestClient(info);
  running = { kernel, client };
  await client.waitForReady();
  return client;
}

const cell = (code: string) => ({ code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false });

describe("startKernel", () => {
  it("answers kernel_info without loading the runtime", async () => {
    let loads = 0;
    await start(async () => {
      loads += 1;
      return createVmExecutor();
    });
    expect(loads).toBe(0);
  });

  it("reports a runtime that fails to load as a cell error, and tries again on the next cell", async () => {
    let attempts = 0;
    const client = await start(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("prelude missing: run npm run build");
      return createVmExecutor();
    });
    const first = await client.send("shell", "execute_request", cell("1 + 1"));
    expect((await client.reply("shell", first)).content).toMatchObject({
      status: "error",
      ename: "Error",
      evalue: "the TypeScript runtime could not start: prelude missing: run npm run build",
    });
    const second = await client.send("shell", "execute_request", cell("1 + 1"));
    expect((await client.reply("shell", second, 10_000)).content.status).toBe("ok");
    expect(attempts).toBe(2);
  }, 20_000);

  it("turns an executor that throws into an error reply and keeps going", async () => {
    const client = await start(async () => {
      const vm = await createVmExecutor();
      return { ...vm, execute: async () => { throw new RangeError("runtime bug"); } };
    });
    const id = await client.send("shell", "execute_request", cell("1"));
    expect((await client.reply("shell", id, 10_000)).content).toMatchObject({ status: "error", ename: "RangeError", evalue: "the runtime failed while running the cell: runtime bug" });
    const info = await client.send("shell", "kernel_info_request");
    expect((await client.reply("shell", info)).content.status).toBe("ok");
  }, 20_000);

  it("calls the runtime's interrupt and shutdown, and bounds a shutdown that hangs", async () => {
    const calls: string[] = [];
    const client = await start(async () => {
      const vm = await createVmExecutor();
      return { ...vm, interrupt: () => calls.push("interrupt"), shutdown: () => new Promise<void>(() => calls.push("shutdown")) };
    });
    const id = await client.send("shell", "execute_request", cell("1"));
    await client.reply("shell", id, 10_000);
    const interrupt = await client.send("control", "interrupt_request");
    await client.reply("control", interrupt);
    const started = Date.now();
    await running!.kernel.shutdown();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(calls).toEqual(["interrupt", "shutdown"]);
    expect(logs.join("\n")).toContain("runtime shutdown: Error: the runtime's shutdown took longer than 500 ms");
    expect(await running!.kernel.closed).toEqual({ restart: false });
  }, 20_000);
});
