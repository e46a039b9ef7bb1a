// A running kernel: sockets from server.ts, requests routed through
// dispatch.ts, and the state handlers share (execution count, history, the
// running cell, stdin). Shell requests run one at a time in arrival order;
// control requests have their own queue so interrupt and shutdown are served
// while a cell runs.
import { randomUUID } from "node:crypto";
import { dispatch, type Transport } from "./dispatch.js";
import type { Executor } from "./executor.js";
import type { KernelServices } from "./handlers/types.js";
import { HistoryStore } from "./history.js";
import { describeError, stderrLogger, type Logger } from "./log.js";
import type { ConnectionInfo } from "./protocol/connection.js";
import type { IncomingMessage } from "./protocol/messages.js";
import { ContentError, readContent } from "./protocol/validate.js";
import { newMessage } from "./protocol/wire.js";
import { KernelSockets } from "./server.js";
import { StdinBroker } from "./stdin.js";

/** The executor itself, or a factory called when the runtime is first needed. */
export type ExecutorSource = Executor | Promise<Executor> | (() => Executor | Promise<Executor>);

export interface StartOptions {
  log?: Logger;
  /** How long shutdown waits for Executor.shutdown() before closing anyway. */
  shutdownTimeoutMs?: number;
}

export interface RunningKernel {
  /** header.session of every message this kernel sends. */
  readonly session: string;
  /** Settles once the kernel has shut down and closed its sockets. */
  readonly closed: Promise<{ restart: boolean }>;
  interrupt(): void;
  /** `reason` goes into the one log line ("shutting down: <reason>"); a shutdown_request has none. */
  shutdown(restart?: boolean, reason?: string): Promise<void>;
}

/** Requests handled one after another; remembers positions so stop_on_error can abort what is queued. */
class RequestQueue {
  private readonly items: Array<{ message: IncomingMessage; seq: number }> = [];
  private lastSeq = 0;
  private abortThrough = 0;
  private running = false;

  constructor(private readonly handle: (message: IncomingMessage, abort: boolean) => Promise<void>) {}

  push(message: IncomingMessage): void {
    this.items.push({ message, seq: ++this.lastSeq });
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (let item = this.items.shift(); item; item = this.items.shift()) {
        await this.handle(item.message, item.seq <= this.abortThrough);
      }
    } finally {
      this.running = false;
    }
  }

  /** Marks everything received so far for abort; first lets the socket reader catch up with frames already delivered. */
  async abortQueued(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    this.abortThrough = this.lastSeq;
  }
}

/** Quiet time after the handshake before the runtime is loaded in advance. */
const WARM_UP_QUIET_MS = 1000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function startKernel(info: ConnectionInfo, source: ExecutorSource, options: StartOptions = {}): Promise<RunningKernel> {
  const log = options.log ?? stderrLogger();
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5000;
  const session = randomUUID();
  const sockets = await KernelSockets.open(info, log);

  const transport: Transport = {
    reply: (request, msgType, content) => void sockets.send(request.channel, request.identities, newMessage(msgType, content, session, request.header)),
    publish: (parent, msgType, content) => void sockets.publish(newMessage(msgType, content, session, parent)),
  };

  // The runtime is loaded on first use, or once the frontend has gone quiet
  // after its first kernel_info_request. Loading it (the TypeScript compiler)
  // holds the event loop for about a second, so it must not happen while the
  // frontend is still handshaking: it would delay kernel_info and control.
  let executorPromise: Promise<Executor> | undefined;
  let loadedExecutor: Executor | undefined;
  const executor = (): Promise<Executor> => {
    executorPromise ??= Promise.resolve()
      .then(() => (typeof source === "function" ? source() : source))
      .then(
        (loaded) => (loadedExecutor = loaded),
        (err: unknown) => {
          // Forget the failure so the next cell tries again (after the user fixed the cause).
          executorPromise = undefined;
          throw err;
        },
      );
    return executorPromise;
  };
  let warmUpTimer: NodeJS.Timeout | undefined;
  let handshakeSeen = false;
  const postponeWarmUp = () => {
    if (!handshakeSeen || executorPromise) return;
    clearTimeout(warmUpTimer);
    warmUpTimer = setTimeout(() => {
      if (stopping) return;
      executor().catch((err) => log.error(`the TypeScript runtime could not start: ${describeError(err)}`));
    }, WARM_UP_QUIET_MS);
  };

  let currentRun: AbortController | undefined;
  let stopping: Promise<void> | undefined;
  let resolveClosed!: (value: { restart: boolean }) => void;
  const closed = new Promise<{ restart: boolean }>((resolve) => (resolveClosed = resolve));

  const stdin = new StdinBroker((parent, prompt, password) => {
    const message = newMessage("input_request", { prompt, password }, session, parent.header);
    void sockets.send("stdin", parent.identities, message);
    return message.header.msg_id;
  }, log);

  const interrupt = () => {
    log.info(currentRun ? "interrupting the running cell" : "interrupt requested while no cell runs");
    currentRun?.abort(new Error("interrupted"));
    try {
      loadedExecutor?.interrupt();
    } catch (err) {
      log.error(`the runtime failed to handle an interrupt: ${describeError(err)}`);
    }
  };

  const shutdown = (restart: boolean, reason?: string): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      log.info(`shutting down${reason ? `: ${reason}` : ""}${restart ? " (the client will restart the kernel)" : ""}`);
      clearTimeout(warmUpTimer);
      currentRun?.abort(new Error("the kernel is shutting down"));
      if (executorPromise) {
        try {
          const running = await withTimeout(executorPromise, shutdownTimeoutMs, "loading the runtime");
          await withTimeout(running.shutdown(), shutdownTimeoutMs, "the runtime's shutdown");
        } catch (err) {
          log.error(`runtime shutdown: ${describeError(err)}`);
        }
      }
      await sockets.close();
      resolveClosed({ restart });
    });
    return stopping;
  };

  const services: KernelServices = {
    session,
    log,
    history: new HistoryStore(),
    executionCount: 0,
    executor,
    async runCell(work) {
      const controller = new AbortController();
      currentRun = controller;
      try {
        return await work(controller.signal);
      } finally {
        if (currentRun === controller) currentRun = undefined;
      }
    },
    requestInput: (parent, prompt, password, signal) => stdin.request(parent, prompt, password, signal),
    abortQueuedExecutes: () => shellQueue.abortQueued(),
    interrupt,
    shutdown: (restart) => void shutdown(restart),
  };

  const handle = async (message: IncomingMessage, abort: boolean) => {
    await dispatch(message, transport, services, { abort });
    if (message.header.msg_type === "kernel_info_request") handshakeSeen = true;
    postponeWarmUp();
  };
  const shellQueue = new RequestQueue(handle);
  const controlQueue = new RequestQueue(handle);

  sockets.listen((message) => {
    clearTimeout(warmUpTimer);
    if (stopping) {
      log.info(`${message.header.msg_type} ignored: the kernel is shutting down`);
      return;
    }
    switch (message.channel) {
      case "shell":
        shellQueue.push(message);
        return;
      case "control":
        controlQueue.push(message);
        return;
      case "stdin":
        if (message.header.msg_type !== "input_reply") {
          log.warn(`unexpected ${message.header.msg_type} on stdin ignored (only input_reply belongs there)`);
          return;
        }
        try {
          const content = readContent("input_reply", message.content);
          stdin.receive({ ...message, content } as IncomingMessage<"input_reply", { value: string }>);
        } catch (err) {
          if (!(err instanceof ContentError)) throw err;
          log.warn(`malformed input_reply ignored: ${err.message}`);
        }
        return;
    }
  });

  transport.publish(undefined, "status", { execution_state: "starting" });
  log.info(`kernel ${session} listening on ${info.transport}://${info.ip} (shell ${info.shell_port}, control ${info.control_port})`);

  return {
    session,
    closed,
    interrupt,
    shutdown: (restart = false, reason?: string) => shutdown(restart, reason),
  };
}
