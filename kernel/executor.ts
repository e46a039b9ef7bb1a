// The one seam between the Jupyter kernel and whatever runs cells. kernel/
// speaks the protocol and calls these methods; the runtime (runtime/session.ts)
// implements them and knows nothing of messages, sockets or parents.
//
// Positions here are UTF-16 indices into `code` (plain JavaScript string
// indices); the kernel converts from and to the protocol's code points.

/** MIME type -> representation, e.g. { "text/plain": "42", "text/html": "<b>42</b>" }. */
export type MimeBundle = Record<string, unknown>;

export interface DisplayOptions {
  /** Per-MIME metadata, e.g. { "image/png": { width: 64 } }. */
  metadata?: Record<string, unknown>;
  /** Name this output so later displays can replace it (transient.display_id). */
  displayId?: string;
  /** Replace the output previously shown with `displayId` instead of adding one. */
  update?: boolean;
  /** Extra transient fields; display_id is filled from `displayId`. */
  transient?: Record<string, unknown>;
}

/** What the runtime may do while a cell runs. Every call is published with the cell as parent. */
export interface ExecuteContext {
  stream(name: "stdout" | "stderr", text: string): void;
  display(bundle: MimeBundle, opts?: DisplayOptions): void;
  clearOutput(wait: boolean): void;
  /**
   * Asks the user for a line of text over the stdin channel. Rejects with an
   * Error named "StdinNotImplementedError" when the frontend did not allow stdin,
   * and with "InterruptedError" when the cell is interrupted while waiting.
   */
  input(prompt: string, password: boolean): Promise<string>;
  /** Shows a bundle in the frontend's pager (the execute_reply "page" payload). */
  page(bundle: MimeBundle, start?: number): void;
  /** The count this cell shows as In[n]; unchanged from the previous cell when not stored. */
  executionCount: number;
  /** True when the frontend asked for no broadcast of the code or its result. */
  silent: boolean;
  /** False for cells that must not enter history or bump the execution count. */
  storeHistory: boolean;
  /** Aborted when the user interrupts (interrupt_request or SIGINT) or the kernel shuts down. */
  signal: AbortSignal;
}

export interface ExecuteResult {
  data: MimeBundle;
  metadata?: Record<string, unknown>;
}

export interface ExecuteError {
  ename: string;
  evalue: string;
  /** Lines shown to the user, may contain ANSI colour codes. */
  traceback: string[];
}

export type ExecuteOutcome =
  | { status: "ok"; result?: ExecuteResult }
  | ({ status: "error" } & ExecuteError);

export type CompletenessStatus = "complete" | "incomplete" | "invalid" | "unknown";

export interface Completions {
  matches: string[];
  /** UTF-16 range of `code` the chosen match replaces. */
  cursorStart: number;
  cursorEnd: number;
  metadata?: Record<string, unknown>;
}

export interface Inspection {
  found: boolean;
  data: MimeBundle;
  metadata?: Record<string, unknown>;
}

export interface Executor {
  /**
   * Runs one cell. Resolves with the outcome; a rejection is reported to the
   * user as an error of the runtime itself. Must settle soon after
   * `ctx.signal` aborts (an interrupted cell is an error outcome, conventionally
   * ename "KeyboardInterrupt" as other kernels name it).
   */
  execute(code: string, ctx: ExecuteContext): Promise<ExecuteOutcome>;
  /**
   * Called on every interrupt_request / SIGINT, also when no cell runs, so the
   * runtime can stop work that outlives a cell. The running cell's signal is
   * aborted separately by the kernel.
   */
  interrupt(): void;
  isComplete(code: string): { status: CompletenessStatus; indent?: string };
  complete(code: string, cursorPos: number): Promise<Completions>;
  inspect(code: string, cursorPos: number, detailLevel: number): Promise<Inspection>;
  /**
   * Evaluates one user_expression of an execute_request after the cell ran
   * (no outputs, no history). Optional: without it every expression is answered
   * with an error saying the runtime does not evaluate user_expressions.
   */
  evaluate?(expression: string, signal: AbortSignal): Promise<ExecuteOutcome>;
  /** Releases everything the runtime holds (probes, isolates). Called once, before exit. */
  shutdown(): Promise<void>;
}

/**
 * What kernel/main.ts expects from the runtime module (runtime/session.ts):
 * `export function createExecutor(options: ExecutorOptions): Executor | Promise<Executor>`.
 */
export interface ExecutorOptions {
  /** Where the runtime should report its own diagnostics (stderr of the kernel process). */
  log: (message: string) => void;
}

export type CreateExecutor = (options: ExecutorOptions) => Executor | Promise<Executor>;
