import { afterAll, beforeAll, it } from "vitest";
import { probebookBin } from "./support/built-dist.js";
import { TestClient } from "./support/client.js";
import { spawnKernel, type KernelProcess } from "./support/kernel-process.js";
let kernel: KernelProcess; let client: TestClient;
beforeAll(async () => { kernel = await spawnKernel({ command: [process.execPath, probebookBin, "kernel"] }); client = new TestClient(kernel.info); await client.waitForReady(); });
afterAll(async () => { client.close(); await kernel.dispose(); });
async function ex(code: string) {
  const t = Date.now();
  const id = await client.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
  const r = await client.reply("shell", id, 120000); const io = await client.iopubUntilIdle(id, 120000);
  console.log(JSON.stringify(code).slice(0,80), Date.now()-t, "ms", JSON.stringify(r.content).slice(0, 400), io.map(m=>m.header.msg_type).join(","));
}
it("variants", async () => {
  await ex("1");
  await ex("const bufs = []; while (true) bufs.push(new Uint8Array(64 * 1024 * 1024).fill(1));");
  await ex("2");
  await ex("let s = 'x'; while (true) s += s;");
  await ex("3");
  await ex("const m = new Map(); let i = 0; while (true) m.set(i++, {i});");
  await ex("4");
  await ex("const big = new ArrayBuffer(8 * 1024 * 1024 * 1024); big.byteLength");
  await ex("5");
  await ex("function f(): number { return f() + 1 } f()");
  await ex("6");
  console.log(kernel.stderr().slice(-3000));
}, 300000);
