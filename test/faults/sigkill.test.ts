// SIGKILL of the real kernel while a background probe and a foreground probe
// run: every program, map and link the process held (read from its
// /proc/PID/fdinfo just before the kill) is freed by the kernel, because
// links are file descriptors and nothing is pinned. Then the frontend's
// restart - a new kernel process on the same connection file - is clean: no
// background runs, and probes attach again.
import { describe, expect, it } from "vitest";
import { TestClient } from "../kernel/support/client.js";
import { probebookBin, requireBuiltDist } from "../kernel/support/built-dist.js";
import { executeRequest } from "../kernel/support/file-kernel.js";
import { spawnKernel } from "../kernel/support/kernel-process.js";
import { heldBpf, waitUntilFreed } from "../support/held-bpf.js";

async function execute(c: TestClient, code: string, timeoutMs = 60_000) {
  const id = await c.send("shell", "execute_request", executeRequest(code));
  const reply = await c.reply("shell", id, timeoutMs);
  const iopub = await c.iopubUntilIdle(id, timeoutMs);
  return { reply, text: iopub.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"] as string | undefined };
}

describe("SIGKILL with probes running", () => {
  it("leaves nothing attached, and a restarted kernel on the same connection file is clean", async () => {
    requireBuiltDist();
    const first = await spawnKernel({ command: [process.execPath, probebookBin, "kernel"] });
    const c = new TestClient(first.info);
    let second: Awaited<ReturnType<typeof spawnKernel>> | undefined;
    try {
      await c.waitForReady(30_000);
      const bg = await execute(c, 'globalThis.run = tracepoint("sched:sched_switch").count().by("cpu").start({ name: "bg" }); for (let i = 0; i < 100 && (await runs()).length === 0; i++) await sleep(100); (await runs()).length');
      expect(bg.text).toBe("1");
      // The foreground probe: attached and collecting when the kill comes.
      const fg = await c.send("shell", "execute_request", executeRequest('await tracepoint("syscalls:sys_enter_openat").events({ for: "60s" })'));
      await c.iopubMsg(fg, "execute_input", 30_000);
      let held = heldBpf(first.child.pid!);
      const deadline = Date.now() + 30_000;
      // Two runs' programs (agg_tp and tp_events) and their links.
      while ((held.progs.length < 2 || held.links.length < 2) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        held = heldBpf(first.child.pid!);
      }
      expect(held.progs.length).toBeGreaterThanOrEqual(2);
      expect(held.links.length).toBeGreaterThanOrEqual(2);
      first.child.kill("SIGKILL");
      expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
      expect(await waitUntilFreed(held, 10_000)).toEqual([]);

      // The restart: same ports, same key.
      second = await spawnKernel({ command: [process.execPath, probebookBin, "kernel"], info: first.info });
      const c2 = new TestClient(second.info);
      try {
        await c2.waitForReady(30_000);
        expect((await execute(c2, "(await runs()).length")).text).toBe("0");
        expect((await execute(c2, '(await tracepoint("sched:sched_switch").limit(3).events({ for: "5s" })).numRows()')).text).toBe("3");
      } finally {
        c2.close();
      }
    } finally {
      c.close();
      await first.dispose();
      await second?.dispose();
    }
  }, 120_000);
});
