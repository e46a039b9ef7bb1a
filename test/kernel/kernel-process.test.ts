// A real kernel process (kernel/ + the node:vm test executor) over real
// ZeroMQ: the protocol as a frontend sees it, including hostile input.
import { describe, expect, it } from "vitest";
import { TestClient } from "./support/client.js";
import { fileKernel } from "./support/file-kernel.js";
import { spawnKernel } from "./support/kernel-process.js";

const k = fileKernel();
const { execute, waitForLog } = k;

describe("kernel_info", () => {
  it("answers on shell and on control with protocol 5.3 and TypeScript language_info", async () => {
    for (const channel of ["shell", "control"] as const) {
      const id = await k.client.send(channel, "kernel_info_request");
      const reply = await k.client.reply(channel, id);
      expect(reply.header.msg_type).toBe("kernel_info_reply");
      expect(reply.header.version).toBe("5.3");
      expect(reply.content).toMatchObject({
        status: "ok",
        protocol_version: "5.3",
        implementation: "probebook",
        language_info: { name: "typescript", mimetype: "text/typescript", file_extension: ".ts", pygments_lexer: "typescript" },
      });
      expect(reply.content.language_info.version).toMatch(/^\d+\.\d+\.\d+/);
      const states = (await k.client.iopubUntilIdle(id)).map((m) => m.content.execution_state);
      expect(states).toEqual(["busy", "idle"]);
    }
  });

  it("echoes heartbeats", async () => {
    expect((await k.client.ping()).toString()).toBe("ping");
  });
});

describe("hostile and malformed input", () => {
  it("drops a message with a bad signature without answering, logs it, and keeps serving", async () => {
    const { msgId, frames } = k.client.frames("execute_request", { code: 'console.log("must not run")' });
    frames[1] = Buffer.from("0".repeat(64));
    await k.client.sendRaw("shell", frames);
    await expect(k.client.reply("shell", msgId, 500)).rejects.toThrow(/timed out/);
    expect(k.client.pending("iopub").filter((m) => m.parent_header.msg_id === msgId)).toEqual([]);
    await waitForLog(/dropped a message on shell: signature does not match/);
    const ok = await execute("1 + 1");
    expect(ok.reply.content.status).toBe("ok");
  });

  it("drops frames without a delimiter, too few frames, bad JSON and headers missing fields", async () => {
    const good = k.client.frames("kernel_info_request", {});
    await k.client.sendRaw("shell", ["just", "noise"]);
    await k.client.sendRaw("shell", good.frames.slice(0, 4));
    // Correctly signed but not JSON: a kernel with the key could be buggy, never crash on it.
    const badJson = [Buffer.from("{not json"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    await k.client.sendRaw("shell", [Buffer.from("<IDS|MSG>"), Buffer.from(k.client.sign(badJson)), ...badJson]);
    const noMsgId = [Buffer.from(JSON.stringify({ msg_type: "kernel_info_request", session: "s" })), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    await k.client.sendRaw("shell", [Buffer.from("<IDS|MSG>"), Buffer.from(k.client.sign(noMsgId)), ...noMsgId]);
    await k.client.sendRaw("control", ["<IDS|MSG>", "x"]);

    const id = await k.client.send("shell", "kernel_info_request");
    expect((await k.client.reply("shell", id)).content.status).toBe("ok");
    // The ROUTER adds the client's identity frame, hence 3 frames for the 2 sent.
    await waitForLog(/dropped a message on shell: no "<IDS\|MSG>" delimiter among 3 frames/);
    await waitForLog(/after the delimiter, got 3 frames/);
    await waitForLog(/dropped a message on shell: header frame is not valid JSON/);
    await waitForLog(/dropped a message on shell: header\.msg_id is missing/);
    await waitForLog(/dropped a message on control: expected signature.*got 1 frames/);
    expect(k.client.pending("shell")).toEqual([]);
  });

  it("answers an unknown request type with an error reply of the paired type", async () => {
    const id = await k.client.send("shell", "frobnicate_request", {});
    const reply = await k.client.reply("shell", id);
    expect(reply.header.msg_type).toBe("frobnicate_reply");
    expect(reply.content).toEqual({ status: "error", ename: "UnknownMessageType", evalue: 'probebook does not handle "frobnicate_request" messages', traceback: [] });
    expect((await k.client.iopubUntilIdle(id)).map((m) => m.content.execution_state)).toEqual(["busy", "idle"]);
  });

  it("answers a request with invalid content with an error naming the field", async () => {
    const id = await k.client.send("shell", "execute_request", { code: 42 });
    const reply = await k.client.reply("shell", id);
    expect(reply.header.msg_type).toBe("execute_reply");
    expect(reply.content.status).toBe("error");
    expect(reply.content.ename).toBe("InvalidRequest");
    expect(reply.content.evalue).toContain("content.code must be a string");
    await k.client.iopubUntilIdle(id);
  });

  it("refuses execute_request on control with an error reply", async () => {
    const id = await k.client.send("control", "execute_request", { code: "1" });
    const reply = await k.client.reply("control", id);
    expect(reply.content).toMatchObject({ status: "error", ename: "WrongChannel" });
    await k.client.iopubUntilIdle(id);
  });
});

describe("execute", () => {
  it("publishes busy, execute_input, outputs in order, execute_result, idle", async () => {
    const r = await execute('console.log("a"); console.error("b"); display(7); 6 * 7');
    expect(r.reply.content).toMatchObject({ status: "ok", payload: [], user_expressions: {} });
    const n = r.reply.content.execution_count;
    expect(r.types).toEqual(["status", "execute_input", "stream", "stream", "display_data", "execute_result", "status"]);
    expect(r.iopub[1].content).toEqual({ code: 'console.log("a"); console.error("b"); display(7); 6 * 7', execution_count: n });
    expect(r.iopub[2].content).toEqual({ name: "stdout", text: "a\n" });
    expect(r.iopub[3].content).toEqual({ name: "stderr", text: "b\n" });
    expect(r.iopub[4].content).toEqual({ data: { "text/plain": "7" }, metadata: {}, transient: {} });
    expect(r.iopub[5].content).toEqual({ execution_count: n, data: { "text/plain": "42" }, metadata: {} });
  });

  it("coalesces a burst of stream writes into one message", async () => {
    const r = await execute('for (let i = 0; i < 100; i++) console.log(i)');
    const streams = r.iopub.filter((m) => m.header.msg_type === "stream");
    expect(streams.length).toBeLessThanOrEqual(2);
    expect(streams.map((m) => m.content.text).join("")).toBe(Array.from({ length: 100 }, (_, i) => `${i}\n`).join(""));
  });

  it("counts only stored cells, and silent cells publish no input or result", async () => {
    const first = await execute("1");
    const n = first.reply.content.execution_count;
    const notStored = await execute("2", { extra: { store_history: false } });
    expect(notStored.reply.content.execution_count).toBe(n);
    const silent = await execute('console.log("quiet"); 3', { extra: { silent: true } });
    expect(silent.reply.content.execution_count).toBe(n);
    expect(silent.types).toEqual(["status", "stream", "status"]);
    const next = await execute("4");
    expect(next.reply.content.execution_count).toBe(n + 1);
  });

  it("reports errors as an error message and an error reply", async () => {
    const r = await execute('throw new TypeError("bad input")');
    expect(r.types).toEqual(["status", "execute_input", "error", "status"]);
    expect(r.iopub[2].content).toMatchObject({ ename: "TypeError", evalue: "bad input" });
    expect(r.reply.content).toMatchObject({ status: "error", ename: "TypeError", evalue: "bad input" });
    expect(r.reply.content.traceback.join("\n")).toContain("TypeError: bad input");
  });

  it("aborts execute_requests queued behind a failing cell when stop_on_error is set", async () => {
    const cell = { silent: false, store_history: true, user_expressions: {}, allow_stdin: false };
    const failing = await k.client.send("shell", "execute_request", { ...cell, code: 'await sleep(200); throw new Error("first")', stop_on_error: true });
    const queued1 = await k.client.send("shell", "execute_request", { ...cell, code: 'console.log("never")', stop_on_error: true });
    const queued2 = await k.client.send("shell", "execute_request", { ...cell, code: "2", stop_on_error: true });
    const info = await k.client.send("shell", "kernel_info_request");
    expect((await k.client.reply("shell", failing)).content.status).toBe("error");
    expect((await k.client.reply("shell", queued1)).content).toEqual({ status: "aborted" });
    expect((await k.client.reply("shell", queued2)).content).toEqual({ status: "aborted" });
    // Only executes are aborted.
    expect((await k.client.reply("shell", info)).content.status).toBe("ok");
    const aborted = await k.client.iopubUntilIdle(queued1);
    expect(aborted.map((m) => m.header.msg_type)).toEqual(["status", "status"]);
    // And the kernel runs cells again afterwards.
    expect((await execute("5")).reply.content.status).toBe("ok");
  });

  it("keeps running queued cells after an error when stop_on_error is false", async () => {
    const cell = { silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: false };
    const failing = await k.client.send("shell", "execute_request", { ...cell, code: 'await sleep(100); throw new Error("x")' });
    const next = await k.client.send("shell", "execute_request", { ...cell, code: "40 + 2" });
    expect((await k.client.reply("shell", failing)).content.status).toBe("error");
    expect((await k.client.reply("shell", next)).content.status).toBe("ok");
    const result = await k.client.iopubMsg(next, "execute_result");
    expect(result.content.data).toEqual({ "text/plain": "42" });
  });

  it("evaluates user_expressions after the cell", async () => {
    const r = await execute("var shared = 20", { extra: { user_expressions: { doubled: "shared * 2", broken: "nope.x" } } });
    expect(r.reply.content.user_expressions.doubled).toEqual({ status: "ok", data: { "text/plain": "40" }, metadata: {} });
    expect(r.reply.content.user_expressions.broken).toMatchObject({ status: "error", ename: "ReferenceError" });
  });

  it("supports display ids, update_display_data and clear_output", async () => {
    const r = await execute('const h = display("v1", { id: "d" }); h.update("v2"); clear_output(true)');
    expect(r.types).toEqual(["status", "execute_input", "display_data", "update_display_data", "clear_output", "status"]);
    expect(r.iopub[2].content.transient).toEqual({ display_id: "d" });
    expect(r.iopub[3].content).toEqual({ data: { "text/plain": "v2" }, metadata: {}, transient: { display_id: "d" } });
    expect(r.iopub[4].content).toEqual({ wait: true });
  });

  it("returns pager payloads in the execute_reply", async () => {
    const r = await execute("help(Math.max)");
    expect(r.reply.content.payload).toEqual([{ source: "page", data: { "text/plain": "help: function [Function: max]" }, start: 0 }]);
  });
});

describe("stdin", () => {
  it("asks for input on stdin when allow_stdin is set and resumes the cell with the reply", async () => {
    const id = await k.client.send("shell", "execute_request", { code: 'const name = await input("name? "); console.log("hi " + name)', allow_stdin: true });
    const request = await k.client.nextStdin();
    expect(request.header.msg_type).toBe("input_request");
    expect(request.parent_header.msg_id).toBe(id);
    expect(request.content).toEqual({ prompt: "name? ", password: false });
    await k.client.send("stdin", "input_reply", { value: "ada" }, { parent: request.header });
    expect((await k.client.reply("shell", id)).content.status).toBe("ok");
    const stream = await k.client.iopubMsg(id, "stream");
    expect(stream.content.text).toBe("hi ada\n");
  });

  it("fails input() with StdinNotImplementedError when allow_stdin is false", async () => {
    const r = await execute('await input("x")', { extra: { allow_stdin: false } });
    expect(r.reply.content).toMatchObject({ status: "error", ename: "StdinNotImplementedError" });
  });
});

describe("introspection and history", () => {
  it("completes with code-point cursor positions", async () => {
    const code = 'const s = "😀"; parseFl';
    const id = await k.client.send("shell", "complete_request", { code, cursor_pos: [...code].length });
    const reply = await k.client.reply("shell", id);
    expect(reply.content).toEqual({ status: "ok", matches: ["parseFloat"], cursor_start: [...code].length - 7, cursor_end: [...code].length, metadata: {} });
  });

  it("inspects, and judges completeness", async () => {
    const id = await k.client.send("shell", "inspect_request", { code: "Math.max", cursor_pos: 8, detail_level: 0 });
    const reply = await k.client.reply("shell", id);
    expect(reply.content.status).toBe("ok");
    expect(reply.content.found).toBe(true);
    expect(reply.content.data["text/plain"]).toContain("Math.max: function");
    for (const [code, status] of [["let x = 1", "complete"], ["if (x) {", "incomplete"], ["let = ;", "invalid"]]) {
      const isc = await k.client.send("shell", "is_complete_request", { code });
      expect((await k.client.reply("shell", isc)).content.status).toBe(status);
    }
  });

  it("keeps this session's history for tail, range and search", async () => {
    const a = await execute("100 + 1");
    const b = await execute("100 + 2");
    const n = a.reply.content.execution_count;
    expect(b.reply.content.execution_count).toBe(n + 1);
    const tail = await k.client.send("shell", "history_request", { hist_access_type: "tail", n: 2, output: true, raw: true });
    expect((await k.client.reply("shell", tail)).content.history).toEqual([
      [1, n, ["100 + 1", "101"]],
      [1, n + 1, ["100 + 2", "102"]],
    ]);
    const range = await k.client.send("shell", "history_request", { hist_access_type: "range", session: 1, start: n, stop: n + 1, output: false, raw: true });
    expect((await k.client.reply("shell", range)).content.history).toEqual([[1, n, "100 + 1"]]);
    const search = await k.client.send("shell", "history_request", { hist_access_type: "search", pattern: "100 + ?", unique: true, output: false, raw: true });
    expect((await k.client.reply("shell", search)).content.history).toEqual([
      [1, n, "100 + 1"],
      [1, n + 1, "100 + 2"],
    ]);
  });

  it("has no comms: comm_info is empty and comm_open is closed", async () => {
    const info = await k.client.send("shell", "comm_info_request", {});
    expect((await k.client.reply("shell", info)).content).toEqual({ status: "ok", comms: {} });
    const open = await k.client.send("shell", "comm_open", { comm_id: "c1", target_name: "jupyter.widget", data: {} });
    const close = await k.client.iopubMsg(open, "comm_close");
    expect(close.content).toEqual({ comm_id: "c1", data: {} });
    await waitForLog(/comm_open for target "jupyter.widget" refused/);
  });
});

describe("interrupt", () => {
  it("interrupts a long cell through interrupt_request on control while shell is busy", async () => {
    const started = Date.now();
    const id = await k.client.send("shell", "execute_request", { code: 'console.log("start"); await sleep(30000)' });
    await k.client.iopubMsg(id, "stream");
    const interrupt = await k.client.send("control", "interrupt_request");
    expect((await k.client.reply("control", interrupt)).content).toEqual({ status: "ok" });
    const reply = await k.client.reply("shell", id);
    expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(Date.now() - started).toBeLessThan(5000);
    const after = await execute("7 * 6");
    expect(after.reply.content.status).toBe("ok");
  });

  it("interrupts a long cell on SIGINT", async () => {
    const id = await k.client.send("shell", "execute_request", { code: 'console.log("go"); await sleep(30000)' });
    await k.client.iopubMsg(id, "stream");
    k.kernel.child.kill("SIGINT");
    const reply = await k.client.reply("shell", id);
    expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(k.kernel.child.exitCode).toBeNull();
  });
});

describe("shutdown", () => {
  it("replies on control, broadcasts the reply, and exits with status 0", async () => {
    const own = await spawnKernel();
    const c = new TestClient(own.info);
    try {
      await c.waitForReady();
      const running = await c.send("shell", "execute_request", { code: "await sleep(30000)" });
      const id = await c.send("control", "shutdown_request", { restart: true });
      const reply = await c.reply("control", id);
      expect(reply.content).toEqual({ status: "ok", restart: true });
      expect((await c.iopubMsg(id, "shutdown_reply")).content).toEqual({ status: "ok", restart: true });
      expect(await own.exited).toEqual({ code: 0, signal: null });
      expect(own.stderr()).toMatch(/shutting down \(the client will restart the kernel\)/);
      void running;
    } finally {
      c.close();
      await own.dispose();
    }
  }, 20_000);

  it("shuts down cleanly on SIGTERM", async () => {
    const own = await spawnKernel();
    const c = new TestClient(own.info);
    try {
      await c.waitForReady();
      own.child.kill("SIGTERM");
      expect(await own.exited).toEqual({ code: 0, signal: null });
    } finally {
      c.close();
      await own.dispose();
    }
  }, 20_000);
});
