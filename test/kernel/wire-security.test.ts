// The wire as an attacker on the kernel's ports sees it: the real kernel
// (bin/probebook.js kernel, real sandbox) over real ZeroMQ, with its message
// cap lowered to 1 MB. Altered, forged, replayed and oversized messages are
// dropped and logged, never executed (each cell below would leave a trace in
// the sandbox's globals if it ran; tests run in order and only "once" ever
// runs), and the kernel keeps serving.
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TestClient } from "./support/client.js";
import { executeRequest, fileKernel } from "./support/file-kernel.js";
import { spawnKernel } from "./support/kernel-process.js";

const k = fileKernel({ built: true, env: { ...process.env, PROBEBOOK_MAX_MESSAGE_MB: "1" } });
const { execute, waitForLog } = k;

/** Frames of an execute_request whose cell would add `mark` to globalThis.__ran. */
function markingCell(mark: string) {
  return k.client.frames("execute_request", executeRequest(`(globalThis.__ran ??= []).push(${JSON.stringify(mark)}); "ran"`));
}

/** The marks of every cell that ran. */
async function marks(): Promise<string[]> {
  const r = await execute('"<" + (globalThis.__ran ?? []).join("|") + ">"');
  const inside = /^'<(.*)>'$/.exec(r.text ?? "")?.[1];
  if (inside === undefined) throw new Error(`unexpected marks output ${r.text}`);
  return inside === "" ? [] : inside.split("|");
}

/** Waits `ms` and checks that nothing at all came back for `msgId`. */
async function expectNoAnswer(msgId: string, ms = 400) {
  await expect(k.client.reply("shell", msgId, ms)).rejects.toThrow(/timed out/);
  expect(k.client.pending("control").filter((m) => m.parent_header.msg_id === msgId)).toEqual([]);
  expect(k.client.pending("iopub").filter((m) => m.parent_header.msg_id === msgId)).toEqual([]);
}

describe("signatures", () => {
  it("never runs a message altered after signing (content, header or parent changed) and answers nothing", async () => {
    const before = await execute("1");
    const content = markingCell("altered-content");
    content.frames[5] = Buffer.from(content.frames[5].toString().replace("altered-content", "evil"));
    const header = markingCell("altered-header");
    header.frames[2] = Buffer.from(header.frames[2].toString().replace('"username":"test"', '"username":"root"'));
    const parent = markingCell("altered-parent");
    parent.frames[3] = Buffer.from('{"msg_id":"x"}');
    for (const m of [content, header, parent]) await k.client.sendRaw("shell", m.frames);
    for (const m of [content, header, parent]) await expectNoAnswer(m.msgId);
    await waitForLog(/(dropped a message on shell: signature does not match the connection key[\s\S]*){3}/);
    expect(await marks()).toEqual([]);
    // Nothing ran, so nothing was counted between the two cells that did.
    const after = await execute("2");
    expect(after.content.execution_count).toBe(before.content.execution_count + 2);
  });

  it("never runs a message signed with another key, a truncated signature, or no signature", async () => {
    const otherKey = markingCell("other-key");
    const signed = otherKey.frames.slice(2, 6);
    const h = createHmac("sha256", "not-the-key");
    for (const f of signed) h.update(f);
    otherKey.frames[1] = Buffer.from(h.digest("hex"));
    const truncated = markingCell("truncated");
    truncated.frames[1] = truncated.frames[1].subarray(0, 32);
    const empty = markingCell("empty");
    empty.frames[1] = Buffer.alloc(0);
    for (const m of [otherKey, truncated, empty]) await k.client.sendRaw("shell", m.frames);
    for (const m of [otherKey, truncated, empty]) await expectNoAnswer(m.msgId);
    expect(await marks()).toEqual([]);
  });
});

describe("replays", () => {
  it("runs a signed message once: the same frames again, on shell or on control, are dropped as replays", async () => {
    const cell = markingCell("once");
    await k.client.sendRaw("shell", cell.frames);
    expect((await k.client.reply("shell", cell.msgId)).content.status).toBe("ok");
    await k.client.iopubUntilIdle(cell.msgId);
    await k.client.sendRaw("shell", cell.frames);
    await k.client.sendRaw("control", cell.frames);
    await expectNoAnswer(cell.msgId);
    await waitForLog(/dropped a message on shell: the signature was seen before: a replayed message/);
    await waitForLog(/dropped a message on control: the signature was seen before: a replayed message/);
    expect(await marks()).toEqual(["once"]);
  });

  it("drops a replayed interrupt_request too (control is protected like shell)", async () => {
    const interrupt = k.client.frames("interrupt_request", {});
    await k.client.sendRaw("control", interrupt.frames);
    expect((await k.client.reply("control", interrupt.msgId)).content).toEqual({ status: "ok" });
    await k.client.iopubUntilIdle(interrupt.msgId);
    const id = await k.client.send("shell", "execute_request", executeRequest('await sleep(600); "slept"'));
    await k.client.iopubMsg(id, "execute_input");
    await k.client.sendRaw("control", interrupt.frames);
    const reply = await k.client.reply("shell", id, 10_000);
    expect(reply.content.status).toBe("ok");
    await k.client.iopubUntilIdle(id);
  });
});

/** `m`'s frames signed with another key: a forgery. */
function forged(m: { frames: Buffer[] }) {
  const h = createHmac("sha256", "not-the-key");
  for (const f of m.frames.slice(2, 6)) h.update(f);
  m.frames[1] = Buffer.from(h.digest("hex"));
  return m;
}

describe("control and stdin are guarded like shell", () => {
  it("control: a forged shutdown_request and a forged interrupt_request are dropped (the cell runs on, the kernel lives); malformed frames too", async () => {
    const id = await k.client.send("shell", "execute_request", executeRequest('await sleep(800); "slept"'));
    await k.client.iopubMsg(id, "execute_input");
    const interrupt = forged(k.client.frames("interrupt_request", {}));
    const shutdown = forged(k.client.frames("shutdown_request", { restart: false }));
    await k.client.sendRaw("control", interrupt.frames);
    await k.client.sendRaw("control", shutdown.frames);
    await k.client.sendRaw("control", Array.from({ length: 1000 }, () => Buffer.alloc(0)));
    const badJson = [Buffer.from("{not json"), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    await k.client.sendRaw("control", [Buffer.from("<IDS|MSG>"), Buffer.from(k.client.sign(badJson)), ...badJson]);
    expect((await k.client.reply("shell", id, 10_000)).content.status).toBe("ok");
    await k.client.iopubUntilIdle(id);
    await expect(k.client.reply("control", shutdown.msgId, 300)).rejects.toThrow(/timed out/);
    await expect(k.client.reply("control", interrupt.msgId, 100)).rejects.toThrow(/timed out/);
    await waitForLog(/(dropped a message on control: signature does not match the connection key[\s\S]*){2}/);
    await waitForLog(/dropped a message on control: header frame is not valid JSON/);
    const info = await k.client.send("control", "kernel_info_request");
    expect((await k.client.reply("control", info)).content.status).toBe("ok");
    expect(k.kernel.child.exitCode).toBeNull();
  });

  it("stdin: while a cell waits for input(), forged, altered and malformed input_replies are dropped, and only the genuine one answers; replayed, it is dropped too", async () => {
    const ask = async () => {
      const id = await k.client.send("shell", "execute_request", executeRequest('await input("name? ")', { allow_stdin: true }));
      return { id, request: await k.client.nextStdin(10_000) };
    };
    const first = await ask();
    expect(first.request.header.msg_type).toBe("input_request");
    const other = forged(k.client.frames("input_reply", { value: "forged" }, { parent: first.request.header }));
    const altered = k.client.frames("input_reply", { value: "genuine" }, { parent: first.request.header });
    altered.frames[5] = Buffer.from(altered.frames[5].toString().replace("genuine", "altered"));
    for (const m of [other, altered]) await k.client.sendRaw("stdin", m.frames);
    await k.client.sendRaw("stdin", ["<IDS|MSG>", "x", "{"]);
    const genuine = k.client.frames("input_reply", { value: "genuine" }, { parent: first.request.header });
    await k.client.sendRaw("stdin", genuine.frames);
    const reply = await k.client.reply("shell", first.id, 10_000);
    const iopub = await k.client.iopubUntilIdle(first.id);
    expect(reply.content.status).toBe("ok");
    expect(iopub.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("'genuine'");
    await waitForLog(/(dropped a message on stdin: signature does not match the connection key[\s\S]*){2}/);
    // The same genuine frames again, to the next input(): a replay, dropped; a fresh reply answers.
    const second = await ask();
    await k.client.sendRaw("stdin", genuine.frames);
    await waitForLog(/dropped a message on stdin: the signature was seen before: a replayed message/);
    await k.client.send("stdin", "input_reply", { value: "fresh" }, { parent: second.request.header });
    await k.client.reply("shell", second.id, 10_000);
    const iopub2 = await k.client.iopubUntilIdle(second.id);
    expect(iopub2.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"]).toBe("'fresh'");
  });
});

describe("message size", () => {
  it("refuses a message over the 1 MB cap (frames each under it), logs the cap and how to raise it, and runs nothing", async () => {
    const cell = markingCell("big");
    // Buffers after the content are part of the message: 3 x 400 KB = 1.2 MB.
    const frames = [...cell.frames, Buffer.alloc(400_000, 1), Buffer.alloc(400_000, 2), Buffer.alloc(400_000, 3)];
    await k.client.sendRaw("shell", frames);
    await expectNoAnswer(cell.msgId);
    await waitForLog(/dropped a message on shell: the message is 12\d{5} bytes, over the kernel's limit of 1048576 bytes \(set PROBEBOOK_MAX_MESSAGE_MB in the kernel's environment to raise it\)/);
    expect(await marks()).toEqual(["once"]);
  });

  it("disconnects a peer sending one frame over the cap (ZeroMQ never buffers it); other clients are served", async () => {
    const rogue = new TestClient(k.kernel.info);
    try {
      const code = `(globalThis.__ran ??= []).push("huge"); ${JSON.stringify("x".repeat(2 * 1024 * 1024))}.length`;
      const { msgId, frames } = rogue.frames("execute_request", executeRequest(code));
      await rogue.sendRaw("shell", frames);
      await expect(rogue.reply("shell", msgId, 800)).rejects.toThrow(/timed out/);
    } finally {
      rogue.close();
    }
    expect((await k.client.ping()).toString()).toBe("ping");
    expect(await marks()).toEqual(["once"]);
    // Under the cap is fine: 900 KB of code runs.
    const ok = await execute(`${JSON.stringify("y".repeat(900_000))}.length`);
    expect(ok.text).toBe("900000");
  });

  it("keeps serving after malformed input: non-UTF-8 JSON frames, 10 000 empty frames, JSON nested 100 000 deep", async () => {
    const sign = (parts: Buffer[]) => Buffer.from(k.client.sign(parts));
    const binary = [Buffer.from([0xff, 0xfe, 0x7b]), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    await k.client.sendRaw("shell", [Buffer.from("<IDS|MSG>"), sign(binary), ...binary]);
    await k.client.sendRaw("shell", Array.from({ length: 10_000 }, () => Buffer.alloc(0)));
    const deep = [Buffer.from("[".repeat(100_000) + "]".repeat(100_000)), Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
    await k.client.sendRaw("shell", [Buffer.from("<IDS|MSG>"), sign(deep), ...deep]);
    await waitForLog(/dropped a message on shell: header frame is not valid JSON/);
    await waitForLog(/no "<IDS\|MSG>" delimiter among 10001 frames/);
    await waitForLog(/dropped a message on shell: header frame is JSON but not an object/);
    expect((await execute("6 * 7")).text).toBe("42");
    expect(k.kernel.child.exitCode).toBeNull();
  });
});

/** Listening TCP sockets on `port` as "a.b.c.d", read from /proc/net/tcp (state 0A is LISTEN). */
function listenersOn(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length > 3 && f[3] === "0A" && f[1].endsWith(`:${hexPort}`))
    .map((f) => {
      const hex = f[1].split(":")[0];
      return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");
    });
}

function refused(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once("connect", () => {
      s.destroy();
      resolve("connected");
    });
    s.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
  });
}

describe("listening address", () => {
  it("binds its five sockets on the connection file's address only (127.0.0.2 here): nothing on 127.0.0.1 or the machine's other addresses", async () => {
    const own = await spawnKernel({ ip: "127.0.0.2" });
    const c = new TestClient(own.info);
    try {
      await c.waitForReady();
      const ports = [own.info.shell_port, own.info.control_port, own.info.stdin_port, own.info.iopub_port, own.info.hb_port];
      for (const port of ports) expect(listenersOn(port)).toEqual(["127.0.0.2"]);
      const others = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a && a.family === "IPv4" && a.address !== "127.0.0.2")
        .map((a) => a!.address);
      expect(others).toContain("127.0.0.1");
      for (const host of others) for (const port of ports) expect(await refused(host, port)).toBe("ECONNREFUSED");
    } finally {
      c.close();
      await own.dispose();
    }
  }, 30_000);
});
