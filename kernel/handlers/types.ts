// What a request handler is given: the request, a way to publish on iopub with
// the request as parent, a way to reply, and the kernel's services. Handlers
// never see a socket, so each can be tested with plain functions.
import type { Executor } from "../executor.js";
import type { HistoryStore } from "../history.js";
import type { Logger } from "../log.js";
import type {
  IncomingMessage,
  IopubContents,
  IopubType,
  ReplyContents,
  ReplyType,
  ReplyTypeOf,
  Request,
  RequestType,
} from "../protocol/messages.js";

export type Publish = <K extends IopubType>(msgType: K, content: IopubContents[K]) => void;

export type ReplyFor<T extends RequestType> = ReplyTypeOf<T> extends ReplyType ? ReplyContents[ReplyTypeOf<T>] : never;

export interface HandlerContext<T extends RequestType> {
  request: Request<T>;
  publish: Publish;
  /** Sends the `<name>_reply` paired with the request, on the channel it came in on. */
  reply: (content: ReplyFor<T>) => void;
  kernel: KernelServices;
}

export type Handler<T extends RequestType> = (ctx: HandlerContext<T>) => Promise<void>;

/** Kernel-wide state and actions that handlers share. */
export interface KernelServices {
  /** This kernel process's session id (header.session of everything it sends). */
  readonly session: string;
  readonly log: Logger;
  readonly history: HistoryStore;
  /** The count of the last stored cell; 0 before the first. */
  executionCount: number;
  /** The runtime, once loaded; rejects with the reason when it could not start. */
  executor(): Promise<Executor>;
  /** Runs `work` as the current cell: interrupt() aborts its signal. */
  runCell<R>(work: (signal: AbortSignal) => Promise<R>): Promise<R>;
  /** Sends input_request on stdin to the client that sent `parent`, resolves with its input_reply. */
  requestInput(parent: IncomingMessage<string, unknown>, prompt: string, password: boolean, signal: AbortSignal): Promise<string>;
  /** stop_on_error: every execute_request already queued on shell is answered "aborted". */
  abortQueuedExecutes(): Promise<void>;
  interrupt(): void;
  /** Begins an orderly exit once the current reply is out. */
  shutdown(restart: boolean): void;
}
