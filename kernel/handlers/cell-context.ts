// The ExecuteContext a cell's runtime writes its outputs through. Stream text
// is coalesced (a loop of console.log calls becomes a few stream messages, as
// in ipykernel), and any other output first flushes pending text so the
// notebook shows everything in the order the cell produced it.
import type { DisplayOptions, ExecuteContext, MimeBundle } from "../executor.js";
import type { IncomingMessage, JsonObject, PagePayload } from "../protocol/messages.js";
import type { KernelServices, Publish } from "./types.js";
import { maxOutputBytes, OutputBudget, outputCapMessage } from "./output-budget.js";

/** How long stream text may wait for more before it is sent. */
export const STREAM_FLUSH_MS = 20;

export class StreamBuffer {
  private name: "stdout" | "stderr" | undefined;
  private text = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly publish: Publish) {}

  write(name: "stdout" | "stderr", text: string): void {
    if (text === "") return;
    if (this.name !== undefined && this.name !== name) this.flush();
    this.name = name;
    this.text += text;
    this.timer ??= setTimeout(() => this.flush(), STREAM_FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.name !== undefined && this.text !== "") this.publish("stream", { name: this.name, text: this.text });
    this.name = undefined;
    this.text = "";
  }
}

function errorNamed(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

function checkBundle(bundle: unknown, what: string): asserts bundle is MimeBundle {
  if (typeof bundle !== "object" || bundle === null || Array.isArray(bundle)) {
    throw new TypeError(`${what} needs a MIME bundle object like { "text/plain": "..." }, got ${typeof bundle}`);
  }
}

export interface CellContextOptions {
  request: IncomingMessage<string, unknown>;
  publish: Publish;
  kernel: KernelServices;
  executionCount: number;
  silent: boolean;
  storeHistory: boolean;
  allowStdin: boolean;
  signal: AbortSignal;
  /** Cap on the cell's stream and display output in bytes (default: output-budget.ts, $PROBEBOOK_MAX_OUTPUT_MB). */
  maxOutputBytes?: number;
}

export interface CellContext extends ExecuteContext {
  /** Sends any text still buffered; called when the cell ends and before its result. */
  flush(): void;
  /** Pager payloads collected for the execute_reply. */
  readonly payload: PagePayload[];
}

export function createCellContext(options: CellContextOptions): CellContext {
  const { request, publish: rawPublish, kernel, signal } = options;
  const streams = new StreamBuffer(rawPublish);
  // Every non-stream output flushes text first, so order is preserved.
  const publish: Publish = (type, content) => {
    streams.flush();
    rawPublish(type, content);
  };
  const payload: PagePayload[] = [];
  const budget = new OutputBudget(options.maxOutputBytes ?? maxOutputBytes());
  // Past the cap: said once on stderr (outside the budget), then nothing more.
  const overCap = () => {
    if (budget.shouldTell()) streams.write("stderr", outputCapMessage(budget.capBytes));
  };
  const fits = (content: unknown) => {
    const ok = budget.takeAll(Buffer.byteLength(JSON.stringify(content)));
    if (!ok) overCap();
    return ok;
  };
  return {
    executionCount: options.executionCount,
    silent: options.silent,
    storeHistory: options.storeHistory,
    signal,
    payload,
    flush: () => streams.flush(),
    stream(name, text) {
      if (name !== "stdout" && name !== "stderr") throw new TypeError(`stream name must be "stdout" or "stderr", got ${String(name)}`);
      const all = String(text);
      const bytes = Buffer.byteLength(all);
      const granted = budget.take(bytes);
      // Cut on a byte count; a character split at the end is dropped, not mangled.
      if (granted > 0) streams.write(name, granted === bytes ? all : Buffer.from(all).subarray(0, granted).toString().replace(/\uFFFD$/, ""));
      if (granted < bytes) overCap();
    },
    display(bundle: MimeBundle, opts: DisplayOptions = {}) {
      checkBundle(bundle, "display()");
      const transient: JsonObject = { ...(opts.transient ?? {}) };
      if (opts.displayId !== undefined) transient.display_id = opts.displayId;
      const metadata = opts.metadata ?? {};
      if (opts.update) {
        if (opts.displayId === undefined) {
          throw new TypeError("display({ update: true }) needs the displayId of the output to replace");
        }
        const content = { data: bundle, metadata, transient: { ...transient, display_id: opts.displayId } };
        if (fits(content)) publish("update_display_data", content);
      } else {
        const content = { data: bundle, metadata, transient };
        if (fits(content)) publish("display_data", content);
      }
    },
    clearOutput(wait: boolean) {
      publish("clear_output", { wait: Boolean(wait) });
    },
    page(bundle: MimeBundle, start = 0) {
      checkBundle(bundle, "page()");
      payload.push({ source: "page", data: bundle, start });
    },
    async input(prompt: string, password: boolean) {
      if (!options.allowStdin) {
        throw errorNamed(
          "StdinNotImplementedError",
          "this frontend does not accept input requests (allow_stdin is false); pass the value in the cell instead",
        );
      }
      if (signal.aborted) throw errorNamed("InterruptedError", "the cell was interrupted before input was requested");
      streams.flush(); // the prompt must come after what the cell printed so far
      return kernel.requestInput(request, String(prompt), Boolean(password), signal);
    },
  };
}
