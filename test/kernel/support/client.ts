// A small Jupyter client for tests: real ZeroMQ sockets (DEALER shell/control/
// stdin sharing one identity, SUB iopub, REQ heartbeat) speaking to a kernel
// from a connection file. Messages are signed with node:crypto directly, not
// with kernel/protocol, so a signing bug in the kernel can't cancel out here.
import { createHmac, randomUUID } from "node:crypto";
import * as zmq from "zeromq";
import type { ConnectionInfo } from "../../../kernel/protocol/connection.js";

export interface Msg {
  header: { msg_id: string; msg_type: string; session: string; version: string; date: string; username: string };
  parent_header: { msg_id?: string; msg_type?: string };
  metadata: Record<string, unknown>;
  content: any;
  channel: string;
}

type Channel = "shell" | "control" | "stdin" | "iopub";

const url = (info: ConnectionInfo, port: number) => `${info.transport}://${info.ip}:${port}`;

class Inbox {
  readonly messages: Msg[] = [];
  private waiters: Array<() => void> = [];
  push(msg: Msg) {
    this.messages.push(msg);
    for (const w of this.waiters.splice(0)) w();
  }
  /** Resolves with (and removes) the first message matching `pred`, or rejects after `timeoutMs`. */
  async take(pred: (m: Msg) => boolean, timeoutMs: number, what: string): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(pred);
      if (i >= 0) return this.messages.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

export class TestClient {
  readonly session = randomUUID();
  private readonly sockets: Record<Exclude<Channel, "iopub">, zmq.Dealer>;
  private readonly iopub = new zmq.Subscriber();
  private readonly inboxes: Record<Channel, Inbox> = { shell: new Inbox(), control: new Inbox(), stdin: new Inbox(), iopub: new Inbox() };
  private closed = false;

  constructor(private readonly info: ConnectionInfo) {
    const routingId = `client-${randomUUID()}`;
    // Tests connect before the kernel has bound; a short retry interval keeps
    // ZeroMQ's reconnect back-off (100 ms by default) out of timing checks.
    const options = { routingId, linger: 0, reconnectInterval: 10 };
    this.sockets = {
      shell: new zmq.Dealer(options),
      control: new zmq.Dealer(options),
      stdin: new zmq.Dealer(options),
    };
    this.iopub.linger = 0;
    this.iopub.reconnectInterval = 10;
    this.sockets.shell.connect(url(info, info.shell_port));
    this.sockets.control.connect(url(info, info.control_port));
    this.sockets.stdin.connect(url(info, info.stdin_port));
    this.iopub.connect(url(info, info.iopub_port));
    this.iopub.subscribe();
    for (const channel of ["shell", "control", "stdin"] as const) void this.read(channel, this.sockets[channel]);
    void this.read("iopub", this.iopub);
  }

  sign(frames: Buffer[]): string {
    if (this.info.key === "") return "";
    const hmac = createHmac("sha256", this.info.key);
    for (const f of frames) hmac.update(f);
    return hmac.digest("hex");
  }

  private async read(channel: Channel, socket: zmq.Dealer | zmq.Subscriber) {
    try {
      for await (const frames of socket) {
        const split = frames.findIndex((f) => f.toString() === "<IDS|MSG>");
        const [sig, header, parent, metadata, content] = frames.slice(split + 1);
        const expected = this.sign([header, parent, metadata, content]);
        if (sig.toString() !== expected) throw new Error(`kernel sent a message on ${channel} with a bad signature`);
        this.inboxes[channel].push({
          header: JSON.parse(header.toString()),
          parent_header: JSON.parse(parent.toString()),
          metadata: JSON.parse(metadata.toString()),
          content: JSON.parse(content.toString()),
          channel,
        });
      }
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  frames(msgType: string, content: unknown, opts: { msgId?: string; parent?: object } = {}): { msgId: string; frames: Buffer[] } {
    const msgId = opts.msgId ?? randomUUID();
    const header = { msg_id: msgId, session: this.session, username: "test", date: new Date().toISOString(), msg_type: msgType, version: "5.3" };
    const json = [header, opts.parent ?? {}, {}, content].map((p) => Buffer.from(JSON.stringify(p)));
    return { msgId, frames: [Buffer.from("<IDS|MSG>"), Buffer.from(this.sign(json)), ...json] };
  }

  /** Sends a signed request; returns its msg_id. */
  async send(channel: Exclude<Channel, "iopub">, msgType: string, content: unknown = {}, opts: { parent?: object } = {}): Promise<string> {
    const { msgId, frames } = this.frames(msgType, content, opts);
    await this.sockets[channel].send(frames);
    return msgId;
  }

  async sendRaw(channel: Exclude<Channel, "iopub">, frames: Array<Buffer | string>): Promise<void> {
    await this.sockets[channel].send(frames);
  }

  reply(channel: Exclude<Channel, "iopub">, msgId: string, timeoutMs = 5000): Promise<Msg> {
    return this.inboxes[channel].take((m) => m.parent_header.msg_id === msgId, timeoutMs, `a ${channel} reply to ${msgId}`);
  }

  /** The next iopub message of `type` whose parent is `msgId`. */
  iopubMsg(msgId: string, type: string, timeoutMs = 5000): Promise<Msg> {
    return this.inboxes.iopub.take((m) => m.parent_header.msg_id === msgId && m.header.msg_type === type, timeoutMs, `iopub ${type} for ${msgId}`);
  }

  /** Every iopub message caused by `msgId`, from busy through idle, in order. */
  async iopubUntilIdle(msgId: string, timeoutMs = 5000): Promise<Msg[]> {
    const out: Msg[] = [];
    for (;;) {
      const m = await this.inboxes.iopub.take((x) => x.parent_header.msg_id === msgId, timeoutMs, `iopub traffic for ${msgId}`);
      out.push(m);
      if (m.header.msg_type === "status" && m.content.execution_state === "idle") return out;
    }
  }

  nextStdin(timeoutMs = 5000): Promise<Msg> {
    return this.inboxes.stdin.take(() => true, timeoutMs, "a stdin message");
  }

  /** Messages seen on a channel and not yet taken. */
  pending(channel: Channel): Msg[] {
    return [...this.inboxes[channel].messages];
  }

  /**
   * Like jupyter_client's wait_for_ready: kernel_info until iopub is known to
   * be subscribed (a SUB socket misses what is published before its
   * subscription reaches the kernel). Returns the first kernel_info_reply and
   * how long it took to arrive.
   */
  async waitForReady(timeoutMs = 10000): Promise<Msg & { elapsedMs: number }> {
    const started = Date.now();
    const deadline = started + timeoutMs;
    let first: (Msg & { elapsedMs: number }) | undefined;
    for (;;) {
      const id = await this.send("shell", "kernel_info_request");
      const reply = await this.reply("shell", id, Math.max(1, deadline - Date.now()));
      first ??= { ...reply, elapsedMs: Date.now() - started };
      try {
        // Either status (busy or idle) proves the subscription is live.
        await this.iopubMsg(id, "status", 300);
        return first;
      } catch {
        if (Date.now() > deadline) throw new Error("iopub never received status messages");
      }
    }
  }

  /** One heartbeat round trip. */
  async ping(timeoutMs = 2000): Promise<Buffer> {
    const req = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs });
    req.connect(url(this.info, this.info.hb_port));
    try {
      await req.send("ping");
      const [echo] = await req.receive();
      return echo;
    } finally {
      req.close();
    }
  }

  close(): void {
    this.closed = true;
    for (const s of [...Object.values(this.sockets), this.iopub]) s.close();
  }
}
