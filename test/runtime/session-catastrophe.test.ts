// V8's "catastrophic" out-of-memory error (a growing Map fails one big
// allocation before isolated-vm's memory check stops the sandbox): isolated-vm
// then parks the isolate's thread for good. Tested in a real kernel process of
// its own, since the parked thread stays with the process that ran the cell.

import { expect, test } from "vitest";
import { fileKernel } from "../kernel/support/file-kernel.js";

const k = fileKernel({ built: true, env: { ...process.env, PROBEBOOK_SANDBOX_MEMORY_MB: "64" } });
const { execute, waitForLog } = k;

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
  expect(k.kernel.stderr()).toMatch(/the sandbox's V8 reported a catastrophic error \(Catastrophic out-of-memory error\); its thread and about 64 MB stay with this process \(1 sandbox lost so far\)/);
  // The next cell runs in the rebuilt sandbox: the earlier `kept` is gone.
  expect(await execute("[40 + 2, typeof kept]")).toMatchObject({ content: { status: "ok" }, text: "[ 42, 'undefined' ]", stderr: "" });
}, 60_000);

test("a catastrophe after the cell ended (in a timer it left) is noticed by the next cell, which runs in a fresh sandbox and says so", async () => {
  expect((await execute("const before = 1\nsetTimeout(() => { const m = new Map<number, object>(); let i = 0; while (true) m.set(i++, { i }); }, 0); 'left a timer'")).content.status).toBe("ok");
  await waitForLog(/2 sandboxes lost so far/, 30_000); // the timer's Map hit the limit
  const next = await execute("[40 + 2, typeof before]");
  expect(next).toMatchObject({ content: { status: "ok" }, text: "[ 42, 'undefined' ]" });
  expect(next.stderr).toBe(
    "note: since the previous cell, code left running in the sandbox (a timer or a pending promise) exceeded its memory limit of 64 MB; " +
      "the sandbox was rebuilt, so earlier variables are gone. This kernel process keeps that memory: restart the kernel when you can.\n",
  );
  const bye = await k.client.send("control", "shutdown_request", { restart: false });
  await k.client.reply("control", bye, 10_000);
  expect(await k.kernel.exited).toEqual({ code: null, signal: "SIGKILL" });
}, 90_000);
