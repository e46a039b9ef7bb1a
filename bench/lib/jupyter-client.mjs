// A minimal Jupyter client for the bench: real ZeroMQ sockets, messages signed
// with node:crypto. It keeps every message with the CLOCK_MONOTONIC time it
// arrived, so latencies are measured on the same clock as attachwatch.
import { createHmac, randomUUID } from "node:crypto";
import * as zmq from "zeromq";

export const monoNs = () => process.hrtime.bigint();
const url = (info, port) => `${info.transport}://${info.ip}:${port}`;

export class JupyterClient {
  session = randomUUID();
  #info;
  #sockets;
  #iopub = new zmq.Subscriber();
  #inbox = [];
  #waiters = [];
  #closed = false;

  constructor(info) {
    this.#info = info;
    const options = { routingId: `bench-${randomUUID()}`, linger: 0, reconnectInterval: 5 };
    this.#sockets = { shell: new zmq.Dealer(options), control: new zmq.Dealer(options) };
    for (const [name, socket] of Object.entries(this.#sockets)) {
      socket.connect(url(info, info[`${name}_port`]));
      void this.#read(name, socket);
    }
    this.#iopub.linger = 0;
    this.#iopub.reconnectInterval = 5;
    this.#iopub.connect(url(info, info.iopub_port));
    this.#iopub.subscribe();
    void this.#read("iopub", this.#iopub);
  }

  #sign(frames) {
    if (!this.#info.key) return "";
    const hmac = createHmac("sha256", this.#info.key);
    for (const f of frames) hmac.update(f);
    return hmac.digest("hex");
  }

  async #read(channel, socket) {
    try {
      for await (const frames of socket) {
        const at = monoNs();
        const split = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
        const [, header, parent, , content] = frames.slice(split + 1);
        this.#inbox.push({ channel, at, header: JSON.parse(header), parent: JSON.parse(parent), content: JSON.parse(content) });
        for (const w of this.#waiters.splice(0)) w();
      }
    } catch (error) {
      if (!this.#closed) throw error;
    }
  }

  /** Sends a request; returns its msg_id and the monotonic time just before sending. */
  async send(channel, msgType, content = {}) {
    const msgId = randomUUID();
    const header = { msg_id: msgId, session: this.session, username: "bench", date: new Date().toISOString(), msg_type: msgType, version: "5.3" };
    const json = [header, {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
    const sentAt = monoNs();
    await this.#sockets[channel].send([Buffer.from("<IDS|MSG>"), Buffer.from(this.#sign(json)), ...json]);
    return { msgId, sentAt };
  }

  /** Waits for (and removes) the first message matching pred. */
  async take(pred, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#inbox.findIndex(pred);
      if (i >= 0) return this.#inbox.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`bench: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  reply(channel, msgId, timeoutMs = 30000) {
    return this.take((m) => m.channel === channel && m.parent.msg_id === msgId, timeoutMs, `the ${channel} reply to ${msgId}`);
  }

  /** Waits until the kernel is idle after msgId; returns its iopub messages. */
  async iopubUntilIdle(msgId, timeoutMs = 60000) {
    const out = [];
    for (;;) {
      const m = await this.take((x) => x.channel === "iopub" && x.parent.msg_id === msgId, timeoutMs, `iopub traffic for ${msgId}`);
      out.push(m);
      if (m.header.msg_type === "status" && m.content.execution_state === "idle") return out;
    }
  }

  /** Runs a cell; returns the reply, its iopub messages and timestamps. Throws when the cell fails. */
  async execute(code, timeoutMs = 120000) {
    const { msgId, sentAt } = await this.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const reply = await this.reply("shell", msgId, timeoutMs);
    const iopub = await this.iopubUntilIdle(msgId, timeoutMs);
    if (reply.content.status !== "ok") {
      throw new Error(`bench: the cell failed (${reply.content.ename}: ${reply.content.evalue}):\n${code}`);
    }
    return { reply, iopub, sentAt, msgId };
  }

  /** kernel_info until iopub answers too (a SUB socket misses what comes before it is subscribed). */
  async waitForReady(timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    let first;
    for (;;) {
      const { msgId, sentAt } = await this.send("shell", "kernel_info_request");
      const reply = await this.reply("shell", msgId, Math.max(1, deadline - Date.now()));
      first ??= { reply, sentAt };
      try {
        await this.take((m) => m.channel === "iopub" && m.parent.msg_id === msgId && m.header.msg_type === "status", 300, "status");
        return first;
      } catch {
        if (Date.now() > deadline) throw new Error("bench: the kernel's iopub never answered");
      }
    }
  }

  close() {
    this.#closed = true;
    for (const s of [...Object.values(this.#sockets), this.#iopub]) s.close();
  }
}
