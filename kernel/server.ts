// The five ZeroMQ sockets of a Jupyter kernel and nothing else: bind them from
// the connection file, turn incoming frames into checked messages, send and
// publish encoded messages. What a message means is the dispatcher's business.
import type * as Zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "./protocol/connection.js";
import type { Channel, IncomingMessage, Message } from "./protocol/messages.js";
import { createSigner, type Signer } from "./protocol/signing.js";
import { decodeFrames, encodeMessage } from "./protocol/wire.js";
import { DigestHistory } from "./protocol/digest-history.js";
import { maxMessageBytes } from "./protocol/message-limit.js";
import { startHeartbeat, type Heartbeat } from "./heartbeat.js";
import { describeError, type Logger } from "./log.js";

export type RouterChannel = Exclude<Channel, "iopub">;

/**
 * Serialises writes on one socket: zeromq.js allows a single pending send per
 * socket, while replies, stdin requests and broadcasts come from many places.
 */
class SendQueue {
  private tail: Promise<void> = Promise.resolve();
  constructor(
    private readonly socket: Zmq.Writable,
    private readonly onError: (err: unknown) => void,
  ) {}
  send(frames: Buffer[]): Promise<void> {
    const next = this.tail.then(() => this.socket.send(frames)).catch(this.onError);
    this.tail = next;
    return next;
  }
  drained(): Promise<void> {
    return this.tail;
  }
}

export class KernelSockets {
  private readonly queues: Record<Channel, SendQueue>;
  private closed = false;
  /** One history for all three channels, as jupyter_client's Session keeps one: a replay on another channel is still a replay. */
  private readonly history = new DigestHistory();

  private constructor(
    private readonly routers: Record<RouterChannel, Zmq.Router>,
    private readonly iopub: Zmq.Publisher,
    private readonly heartbeat: Heartbeat,
    private readonly signer: Signer,
    private readonly log: Logger,
    private readonly maxBytes: number,
  ) {
    const onError = (channel: Channel) => (err: unknown) => {
      if (!this.closed) log.error(`sending on ${channel} failed: ${describeError(err)}`);
    };
    this.queues = {
      shell: new SendQueue(routers.shell, onError("shell")),
      control: new SendQueue(routers.control, onError("control")),
      stdin: new SendQueue(routers.stdin, onError("stdin")),
      iopub: new SendQueue(iopub, onError("iopub")),
    };
  }

  /**
   * Binds every socket named in the connection file (on its address only);
   * rejects naming the endpoint that failed. `maxBytes` caps incoming messages.
   */
  static async open(info: ConnectionInfo, log: Logger, maxBytes = maxMessageBytes()): Promise<KernelSockets> {
    const signer = createSigner(info.key, info.signature_scheme);
    // Loaded here, not at module top, so `probebook --help` and install stay fast.
    const zmq = await import("zeromq");
    // Linger lets a reply queued just before close (shutdown_reply) still leave.
    // maxMessageSize: ZeroMQ disconnects a peer whose frame is over the cap
    // instead of buffering it (decodeFrames checks whole messages).
    const routers: Record<RouterChannel, Zmq.Router> = {
      shell: new zmq.Router({ linger: 1000, maxMessageSize: maxBytes }),
      control: new zmq.Router({ linger: 1000, maxMessageSize: maxBytes }),
      stdin: new zmq.Router({ linger: 1000, maxMessageSize: maxBytes }),
    };
    const iopub = new zmq.Publisher({ linger: 1000, maxMessageSize: maxBytes });
    const all: Array<[string, Zmq.Socket & { bind(address: string): Promise<void> }]> = [
      ["shell", routers.shell],
      ["control", routers.control],
      ["stdin", routers.stdin],
      ["iopub", iopub],
    ];
    let heartbeat: Heartbeat;
    try {
      for (const [name, socket] of all) {
        const address = endpoint(info, name as "shell");
        try {
          await socket.bind(address);
        } catch (err) {
          throw new Error(`bind ${name} socket to ${address}: ${(err as Error).message} (is another kernel using this connection file?)`);
        }
      }
      const address = endpoint(info, "hb");
      heartbeat = await startHeartbeat(address, maxBytes, log).catch((err: Error) => {
        throw new Error(`bind hb socket to ${address}: ${err.message} (is another kernel using this connection file?)`);
      });
    } catch (err) {
      for (const [, socket] of all) socket.close();
      throw err;
    }
    return new KernelSockets(routers, iopub, heartbeat, signer, log, maxBytes);
  }

  /** Starts reading the three ROUTER sockets; each decoded message goes to `onMessage`. */
  listen(onMessage: (message: IncomingMessage) => void): void {
    for (const channel of ["shell", "control", "stdin"] as const) {
      void this.readLoop(channel, onMessage);
    }
  }

  private async readLoop(channel: RouterChannel, onMessage: (message: IncomingMessage) => void): Promise<void> {
    const socket = this.routers[channel];
    try {
      for await (const frames of socket) {
        const decoded = decodeFrames(frames, this.signer, { maxBytes: this.maxBytes, history: this.history });
        if (!decoded.ok) {
          // Never answered: without a valid signature we can't know who asks, and
          // a reply to garbage would only help someone probing the key.
          this.log.warn(`dropped a message on ${channel}: ${decoded.reason}`);
          continue;
        }
        try {
          onMessage({ ...decoded.message, channel, identities: decoded.identities });
        } catch (err) {
          this.log.error(`handling ${decoded.message.header.msg_type} on ${channel} failed: ${describeError(err)}`);
        }
      }
    } catch (err) {
      if (!this.closed) this.log.error(`reading the ${channel} socket stopped: ${describeError(err)}`);
    }
  }

  send(channel: RouterChannel, identities: readonly Buffer[], message: Message<string, unknown>): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.queues[channel].send(encodeMessage(message, this.signer, identities));
  }

  /** Broadcasts on iopub. The topic frame follows ipykernel ("kernel.<session>.<msg_type>"). */
  publish(message: Message<string, unknown>): Promise<void> {
    if (this.closed) return Promise.resolve();
    const topic = Buffer.from(`kernel.${message.header.session}.${message.header.msg_type}`);
    return this.queues.iopub.send(encodeMessage(message, this.signer, [topic]));
  }

  /** Waits for queued sends, then closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(Object.values(this.queues).map((q) => q.drained()));
    this.closed = true;
    for (const socket of [...Object.values(this.routers), this.iopub]) socket.close();
    await this.heartbeat.close();
  }
}
