// probebook as JupyterLab drives it: Debian's jupyter-server starts the kernel
// from the installed kernelspec, and the test talks to it only through
// @jupyterlab/services (REST for sessions and interrupts, the kernel
// websocket for messages), the client library JupyterLab itself uses. The
// kernel is the built one (dist/) with the real sandbox and the real probes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelManager, ServerConnection, SessionManager, type Kernel, type KernelMessage, type Session } from "@jupyterlab/services";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorkload, startHeld, type HeldWorkload } from "../bpf/support/workload.js";
import { installKernelspecInTempPrefix, startJupyterServer, type JupyterServer, type KernelspecPrefix } from "./support/jupyter-server.js";

let prefix: KernelspecPrefix | undefined;
let server: JupyterServer | undefined;
let kernelManager: KernelManager | undefined;
let sessionManager: SessionManager | undefined;
let session: Session.ISessionConnection | undefined;

function kernel(): Kernel.IKernelConnection {
  const k = session?.kernel;
  if (!k) throw new Error("the session has no kernel (starting it failed: see beforeAll)");
  return k;
}

beforeAll(async () => {
  prefix = installKernelspecInTempPrefix();
  server = await startJupyterServer({ jupyterPath: prefix.jupyterPath });
  const serverSettings = ServerConnection.makeSettings({
    baseUrl: server.baseUrl,
    wsUrl: server.wsUrl,
    token: server.token,
    appendToken: true,
    // Node has fetch built in; ws stands in for the browser's WebSocket.
    fetch: globalThis.fetch,
    Request: globalThis.Request,
    Headers: globalThis.Headers,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  kernelManager = new KernelManager({ serverSettings });
  sessionManager = new SessionManager({ kernelManager, serverSettings });
  await sessionManager.ready;
  session = await sessionManager.startNew({ path: "frontend-test.ipynb", type: "notebook", name: "frontend-test.ipynb", kernel: { name: "probebook" } });
  const info = await kernel().info;
  expect(info.implementation).toBe("probebook");
}, 60_000);

afterAll(async () => {
  try {
    await session?.shutdown();
  } catch {
    // the server may already be gone; stop() below ends the kernel anyway
  }
  session?.dispose();
  sessionManager?.dispose();
  kernelManager?.dispose();
  await server?.stop();
  prefix?.dispose();
}, 30_000);

interface Ran {
  reply: KernelMessage.IExecuteReplyMsg["content"];
  iopub: KernelMessage.IIOPubMessage[];
  types: string[];
}

/** Runs a cell through the kernel websocket; `onIOPub` sees each output as it arrives. */
async function run(code: string, onIOPub?: (msg: KernelMessage.IIOPubMessage) => void): Promise<Ran> {
  const future = kernel().requestExecute({ code, stop_on_error: true });
  const iopub: KernelMessage.IIOPubMessage[] = [];
  future.onIOPub = (msg) => {
    iopub.push(msg);
    onIOPub?.(msg);
  };
  const reply = await future.done;
  return { reply: reply.content, iopub, types: iopub.map((m) => m.header.msg_type) };
}

const outputs = (r: Ran, type: string) => r.iopub.filter((m) => m.header.msg_type === type).map((m) => m.content as any);

describe("a probebook kernel started by jupyter-server, driven by @jupyterlab/services", () => {
  it("lists the probebook kernelspec", async () => {
    const specs = await fetch(`${server!.baseUrl}api/kernelspecs`, { headers: { Authorization: `token ${server!.token}` } }).then((r) => r.json() as Promise<any>);
    expect(specs.kernelspecs.probebook.spec).toMatchObject({ display_name: "probebook (TypeScript + eBPF)", language: "typescript", interrupt_mode: "message" });
  });

  it("executes a cell: stream output and an execute_result", async () => {
    const r = await run('console.log("hello from probebook"); 6 * 7');
    expect(r.reply.status).toBe("ok");
    expect(r.types).toEqual(["status", "execute_input", "stream", "execute_result", "status"]);
    expect(outputs(r, "stream")[0]).toEqual({ name: "stdout", text: "hello from probebook\n" });
    const result = outputs(r, "execute_result")[0];
    expect(result.data).toEqual({ "text/plain": "42" });
    expect(result.execution_count).toBe((r.reply as KernelMessage.IExecuteReply).execution_count);
  });

  it("keeps declarations across cells", async () => {
    expect((await run("const base = 40")).reply.status).toBe("ok");
    const r = await run("base + 2");
    expect(outputs(r, "execute_result")[0].data).toEqual({ "text/plain": "42" });
  });

  it("shows a display and updates it in place through its display id", async () => {
    const r = await run('const h = display("step 1", { id: "fe-progress" }); await sleep(50); h.update("step 2"); "done"');
    expect(r.reply.status).toBe("ok");
    expect(r.types).toEqual(["status", "execute_input", "display_data", "update_display_data", "execute_result", "status"]);
    expect(outputs(r, "display_data")[0]).toEqual({ data: { "text/plain": "'step 1'" }, metadata: {}, transient: { display_id: "fe-progress" } });
    expect(outputs(r, "update_display_data")[0]).toEqual({ data: { "text/plain": "'step 2'" }, metadata: {}, transient: { display_id: "fe-progress" } });
    expect(outputs(r, "execute_result")[0].data).toEqual({ "text/plain": "'done'" });
  });

  it("renders an arquero table as HTML and text", async () => {
    const r = await run("aq.table({ x: [1, 2, 3] })");
    const data = outputs(r, "execute_result")[0].data;
    expect(data["text/html"]).toMatch(/^<table[^>]*><caption[^>]*>3 rows × 1 column<\/caption>/);
    expect(data["text/plain"]).toBe("x\n-\n1\n2\n3\n3 rows × 1 column");
  });

  it("interrupts `while (true) {}` through the REST API (interrupt_mode message), and the next cell works", async () => {
    let started = 0;
    let interrupting: Promise<void> | undefined;
    // jupyter-server turns the REST interrupt into an interrupt_request on the
    // control channel (interrupt_mode "message"); the kernel's busy/idle for
    // that request reaches every client on iopub.
    const interruptStatus: string[] = [];
    const watch = (_: unknown, msg: KernelMessage.IIOPubMessage) => {
      if ((msg.parent_header as Partial<KernelMessage.IHeader>).msg_type === "interrupt_request" && msg.header.msg_type === "status") {
        interruptStatus.push((msg.content as KernelMessage.IStatusMsg["content"]).execution_state);
      }
    };
    kernel().iopubMessage.connect(watch);
    const r = await run('console.log("spinning"); while (true) {}', (msg) => {
      // The loop is running once its first line is out: interrupt then.
      if (msg.header.msg_type === "stream" && !interrupting) {
        started = Date.now();
        interrupting = kernel().interrupt();
      }
    });
    const stoppedAfterMs = Date.now() - started;
    await interrupting;
    kernel().iopubMessage.disconnect(watch);
    expect(interruptStatus).toEqual(["busy", "idle"]);
    expect(r.reply).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect((r.reply as KernelMessage.IReplyErrorContent).evalue).toMatch(/would not stop \(a loop\?\), so the sandbox was rebuilt/);
    // The bar: an endless loop is stopped within a second.
    expect(stoppedAfterMs).toBeLessThan(1000);
    expect(outputs(r, "error")[0].ename).toBe("KeyboardInterrupt");

    const next = await run("[1, 2, 3].map((x) => x * 2)");
    expect(next.reply.status).toBe("ok");
    expect(outputs(next, "execute_result")[0].data).toEqual({ "text/plain": "[ 2, 4, 6 ]" });
  }, 30_000);

  describe("a probe cell end to end", () => {
    const N = 37;
    let workload: { bin: string; cleanup: () => void } | undefined;
    let child: HeldWorkload | undefined;
    let dir: string | undefined;

    afterAll(() => {
      child?.dispose();
      workload?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(`counts exactly the ${N} openat calls of a workload the test starts once the probe is attached`, async () => {
      dir = mkdtempSync(join(tmpdir(), "probebook-frontend-open-"));
      const target = join(dir, `unique-${process.pid}-${Date.now()}.txt`);
      writeFileSync(target, "probebook\n");
      workload = buildWorkload("open-loop");
      child = await startHeld(workload.bin, [target, String(N)]);

      let childExit: Promise<number | null> | undefined;
      let progressId: string | undefined;
      const r = await run(
        `const t = await tracepoint("syscalls:sys_enter_openat").where({ pid: ${child.pid} }).fields("filename").events({ for: "4s" });\nt.numRows()`,
        (msg) => {
          // The progress display appears once the probe is attached and has
          // run for half a second: only then may the workload open its file.
          if (msg.header.msg_type === "display_data" && !childExit) {
            progressId = (msg.content as KernelMessage.IDisplayDataMsg["content"]).transient?.display_id as string;
            childExit = child!.go();
          }
        },
      );
      expect(r.reply.status).toBe("ok");
      expect(childExit).toBeDefined();
      expect(await childExit).toBe(0);
      expect(outputs(r, "execute_result")[0].data).toEqual({ "text/plain": String(N) });

      // The progress output was updated in place, and at the end says why the run ended before
      // its 4 s: the traced process exited (nothing was lost, so no loss is named).
      const updates = outputs(r, "update_display_data");
      expect(progressId).toMatch(/^probebook-run-/);
      expect(updates.length).toBeGreaterThanOrEqual(1);
      for (const u of updates) expect(u.transient).toEqual({ display_id: progressId });
      expect(updates.at(-1).data).toEqual({
        "text/plain": expect.stringMatching(new RegExp(`^syscalls:sys_enter_openat: collected ${N} events in [\\d.]+ s, then the traced process exited$`)),
      });

      const check = await run(`[t.numRows(), t.array("filename").filter((f) => f !== ${JSON.stringify(target)}).length, t.meta.dropped]`);
      expect(outputs(check, "execute_result")[0].data).toEqual({ "text/plain": `[ ${N}, 0, 0 ]` });
    }, 60_000);
  });
});
