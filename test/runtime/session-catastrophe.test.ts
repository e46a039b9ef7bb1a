// V8's "catastrophic" out-of-memory error (a growing Map fails one big
// allocation before isolated-vm's memory check stops the sandbox): isolated-vm
// then parks the isolate's thread for good. Tested in a real kernel process of
// its own, since the parked thread stays with the process that ran the cell.

import { afterAll, beforeAll, expect, test } from "vitest";
import { probebookBin, requireBuiltDist } from "../kernel/support/built-dist.js";
import { TestClient } from "../kernel/support/client.js";
import { spawnKernel, type KernelProcess } from "../kernel/support/kernel-process.js";

let kernel: KernelProcess;
let client: TestClient;

beforeAll(async () => {
  requireBuiltDist();
  kernel = await spawnKernel({ command: [process.execPath, probebookBin, "kernel"], env: { ...process.env, PROBEBOOK_SANDBOX_MEMORY_MB: "64" } });
  client = new TestClient(kernel.info);
  await client.waitForReady();
}, 30_000);

afterAll(async () => {
  client?.close();
  await kernel?.dispose();
});

async function execute(code: string) {
  const id = await client.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  const reply = await client.reply("shell", id, 30_000);
  const iopub = await client.iopubUntilIdle(id, 30_000);
  const stderr = iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text as string).join("");
  return { content: reply.content, stderr };
}

test("a Map bomb ends its cell at once with a MemoryError that says what happened and what to do, and the next cell runs", async () => {
  await execute("const kept = 1");
  const started = Date.now();
  const bomb = await execute("const m = new Map<number, object>(); let i = 0; while (true) m.set(i++, { i });");
  expect(Date.now() - started).toBeLessThan(20_000);
  const evalue =
    "the cell exceeded the sandbox memory limit of 64 MB; the sandbox was rebuilt, so earlier variables are gone: re-run the cells you need, keeping less data " +
    "(filter or aggregate in the kernel, or use .limit()). V8 ran out of memory inside the old sandbox before the limit could stop it, so that sandbox's 64 MB " +
    "can't be given back: this kernel process keeps it and is less reliable from now on. Restart the kernel (Kernel > Restart Kernel) when you can; until then the kernel carries on.";
  expect(bomb.content).toMatchObject({ status: "error", ename: "MemoryError", evalue });
  expect(kernel.stderr()).toMatch(/the sandbox's V8 reported a catastrophic error \(Catastrophic out-of-memory error\); its thread and about 64 MB stay with this process \(1 sandbox lost so far\)/);
  expect((await execute("[40 + 2, typeof kept]")).content.status).toBe("ok");
}, 60_000);

test("a catastrophe after the cell ended (in a timer it left) is noticed by the next cell, which runs in a fresh sandbox and says so", async () => {
  expect((await execute("const before = 1\nsetTimeout(() => { const m = new Map<number, object>(); let i = 0; while (true) m.set(i++, { i }); }, 0); 'left a timer'")).content.status).toBe("ok");
  const deadline = Date.now() + 30_000;
  while (!/2 sandboxes lost so far/.test(kernel.stderr())) {
    if (Date.now() > deadline) throw new Error(`the timer's Map never hit the limit:\n${kernel.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const next = await execute("[40 + 2, typeof before]");
  expect(next.content.status).toBe("ok");
  expect(next.stderr).toBe(
    "note: since the previous cell, code left running in the sandbox (a timer or a pending promise) exceeded its memory limit of 64 MB; " +
      "the sandbox was rebuilt, so earlier variables are gone. This kernel process keeps that memory: restart the kernel when you can.\n",
  );
  const bye = await client.send("control", "shutdown_request", { restart: false });
  await client.reply("control", bye, 10_000);
  expect(await kernel.exited).toEqual({ code: null, signal: "SIGKILL" });
}, 90_000);
