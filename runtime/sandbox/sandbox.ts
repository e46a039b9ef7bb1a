// One isolated-vm isolate and its context: the only place user code runs.
// The context is bare V8 plus the prelude: no require, process, fs or
// network. The host is reachable only through the bridge references below.

import ivm from "isolated-vm";
import { BRIDGE, type CellReply, type InputReply, type LoadReply, type RenderReply, type SaveReply } from "./bridge-names.js";
import { packColumns } from "./column-transfer.js";
import { compilePrelude } from "./prelude-script.js";
import type { ProbeReply } from "../spec/protocol.js";
import type { WorkloadReply } from "../spec/workload-protocol.js";

/** What the sandbox may ask of the host (the session routes it to the running cell). */
export interface SandboxHost {
  stream(name: "stdout" | "stderr", text: string): void;
  display(bundleJson: string, displayId: string | undefined, update: boolean): void;
  clearOutput(wait: boolean): void;
  /** Probe requests of probes-lib (runtime/spec/protocol.ts), as JSON. */
  probe(requestJson: string): Promise<ProbeReply>;
  /** Workload requests of probes-lib (runtime/spec/workload-protocol.ts), as JSON. */
  workload(requestJson: string): Promise<WorkloadReply>;
  sleep(ms: number): Promise<boolean>;
  input(prompt: string, password: boolean): Promise<InputReply>;
  /** Renders a Vega-Lite spec to SVG (vega runs on the host, never in the sandbox). */
  renderPlot(specJson: string): Promise<RenderReply>;
  /** Writes a saved data file inside the notebook's directory. */
  saveData(name: string, bytes: Uint8Array, overwrite: boolean): Promise<SaveReply>;
  /** Reads a saved data file from the notebook's directory. */
  loadData(name: string): Promise<LoadReply>;
  /** Shows the documentation of `expression` (a global's name, e.g. "aq.table") in the pager; false when none is known. */
  help(expression: string): boolean;
  /** The columns a plot's text may use: the terminal width the kernel was started with. */
  textWidth(): number;
}

export interface SandboxOptions {
  memoryLimitMb: number;
  preludePath: string;
  host: SandboxHost;
  /**
   * Called if V8 reports a catastrophic error in the isolate. The run under
   * way (if any) also fails at once with SandboxDiedError("catastrophic").
   */
  onCatastrophicError?: (message: string) => void;
}

/**
 * Why a run ended without an answer from the cell. "catastrophic": V8 ran out
 * of heap inside an allocation before isolated-vm's memory check caught it;
 * isolated-vm then parks the isolate's thread for good (it never returns, and
 * the memory it holds is never freed), so the process is left in a state
 * isolated-vm calls undefined.
 */
export type SandboxDeath = "memory-limit" | "catastrophic" | "disposed" | "corrupted";

/** The sandbox's memory as isolated-vm counts it against the limit. */
export interface SandboxMemory {
  /** V8 heap in use plus ArrayBuffer memory, in bytes. */
  usedBytes: number;
  limitBytes: number;
}

/** Thrown by run() when the isolate died during the run. */
export class SandboxDiedError extends Error {
  override name = "SandboxDiedError";

  constructor(readonly reason: SandboxDeath, cause: unknown) {
    super(`the sandbox died during the run (${reason}): ${(cause as Error)?.message ?? String(cause)}`);
  }
}

/** The prelude's reply, if `json` is one (checked field by field: the sandbox may be broken). */
function cellReplyOf(json: unknown): CellReply | undefined {
  if (typeof json !== "string") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (r.status === "ok" && (r.bundle === null || (typeof r.bundle === "object" && !Array.isArray(r.bundle)))) return r as CellReply;
  if (r.status === "error" && typeof r.ename === "string" && typeof r.evalue === "string" && typeof r.stack === "string") return r as CellReply;
  return undefined;
}

export class Sandbox {
  readonly #isolate: ivm.Isolate;
  readonly #context: ivm.Context;
  readonly #catastrophe: Promise<string>;
  readonly #limitBytes: number;
  #catastrophic = false;

  private constructor(isolate: ivm.Isolate, context: ivm.Context, catastrophe: Promise<string>, limitBytes: number) {
    this.#isolate = isolate;
    this.#context = context;
    this.#catastrophe = catastrophe;
    this.#limitBytes = limitBytes;
    catastrophe.then(() => (this.#catastrophic = true), () => undefined);
  }

  /** Makes an isolate, installs the bridge and runs the prelude. */
  static async create(options: SandboxOptions): Promise<Sandbox> {
    let onCatastrophe!: (message: string) => void;
    const catastrophe = new Promise<string>((resolve) => (onCatastrophe = resolve));
    const isolate = new ivm.Isolate({
      memoryLimit: options.memoryLimitMb,
      onCatastrophicError: (message: string) => {
        onCatastrophe(message);
        options.onCatastrophicError?.(message);
      },
    });
    try {
      const context = await isolate.createContext();
      const global = context.global;
      const { host } = options;
      await global.set(BRIDGE.stream, new ivm.Reference((name: "stdout" | "stderr", text: string) => host.stream(name, String(text))));
      await global.set(BRIDGE.display, new ivm.Reference((json: string, id: string | undefined, update: boolean) => host.display(json, id, update)));
      await global.set(BRIDGE.clearOutput, new ivm.Reference((wait: boolean) => host.clearOutput(Boolean(wait))));
      // A finished run's columns are the cell's alone: they move into the sandbox (column-transfer.ts).
      await global.set(BRIDGE.probe, new ivm.Reference((json: string) => {
        const request = String(json);
        return host.probe(request).then((reply) => (isRunRequest(request) ? withColumnsPacked(reply) : reply));
      }));
      await global.set(BRIDGE.workload, new ivm.Reference((json: string) => host.workload(String(json))));
      await global.set(BRIDGE.sleep, new ivm.Reference((ms: number) => host.sleep(Number(ms))));
      await global.set(BRIDGE.input, new ivm.Reference((prompt: string, password: boolean) => host.input(String(prompt), Boolean(password))));
      // Called with applySyncPromise, which passes only primitives back: the reply travels as JSON.
      await global.set(BRIDGE.renderPlot, new ivm.Reference((json: string) => host.renderPlot(String(json)).then((reply) => JSON.stringify(reply))));
      await global.set(BRIDGE.saveData, new ivm.Reference((name: string, bytes: unknown, overwrite: boolean) => host.saveData(String(name), asBytes(bytes), overwrite === true)));
      await global.set(BRIDGE.loadData, new ivm.Reference((name: string) => host.loadData(String(name))));
      await global.set(BRIDGE.help, new ivm.Reference((expression: string) => host.help(String(expression))));
      await global.set(BRIDGE.textWidth, new ivm.Reference(() => host.textWidth()));
      const prelude = await compilePrelude(isolate, options.preludePath);
      await prelude.run(context);
      return new Sandbox(isolate, context, catastrophe, options.memoryLimitMb * 1024 * 1024);
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw new Error(`starting the sandbox failed: ${(error as Error).message}`, { cause: error });
    }
  }

  get disposed(): boolean {
    return this.#isolate.isDisposed;
  }

  /** True once V8 reported a catastrophic error in this isolate (see SandboxDeath). */
  get catastrophic(): boolean {
    return this.#catastrophic;
  }

  /**
   * Heap plus ArrayBuffer memory, as isolated-vm counts it against the limit.
   * Only answers while the isolate is idle (between cells).
   */
  async memory(): Promise<SandboxMemory> {
    const heap = await this.#isolate.getHeapStatistics();
    return { usedBytes: heap.used_heap_size + heap.externally_allocated_size, limitBytes: this.#limitBytes };
  }

  /** CPU time the isolate has used, in nanoseconds (to tell a busy loop from an idle await). */
  get cpuTimeNs(): bigint {
    return this.#isolate.cpuTime;
  }

  /** Runs a transpiled cell script; resolves with the prelude runner's reply. */
  async run(code: string, filename: string): Promise<CellReply> {
    let script: ivm.Script;
    try {
      script = await this.#isolate.compileScript(code, { filename });
    } catch (error) {
      throw this.#deathOr(error);
    }
    // After a catastrophic error the run never settles (its thread is
    // parked for good), so the catastrophe itself ends the run.
    const catastrophe = this.#catastrophe.then((message) => {
      throw new SandboxDiedError("catastrophic", new Error(message));
    });
    try {
      const json = (await Promise.race([script.run(this.#context, { promise: true, copy: true }), catastrophe])) as unknown;
      const reply = cellReplyOf(json);
      // The reply is made with the sandbox's own JSON and prototypes, which a cell
      // can replace: an unreadable one means the sandbox is no longer to be trusted.
      if (!reply) throw new SandboxDiedError("corrupted", new Error(`its reply to the cell was ${String(json).slice(0, 80)}`));
      return reply;
    } catch (error) {
      if (error instanceof SandboxDiedError) {
        this.dispose();
        throw error;
      }
      throw this.#deathOr(error);
    } finally {
      if (!this.#catastrophic) script.release();
    }
  }

  /** Kills the isolate, stopping whatever it runs. */
  dispose(): void {
    if (!this.#isolate.isDisposed) this.#isolate.dispose();
  }

  #deathOr(error: unknown): unknown {
    const message = (error as Error)?.message ?? "";
    if (/memory limit/i.test(message)) {
      this.dispose();
      return new SandboxDiedError("memory-limit", error);
    }
    if (this.#isolate.isDisposed || /disposed/i.test(message)) return new SandboxDiedError("disposed", error);
    return error;
  }
}

/**
 * True for a "run" request, whose result nobody else holds. Snapshots and
 * stopped background runs are not moved: a live run may still own their arrays.
 */
function isRunRequest(json: string): boolean {
  try {
    return (JSON.parse(json) as { op?: unknown } | null)?.op === "run";
  } catch {
    return false;
  }
}

function withColumnsPacked(reply: ProbeReply): ProbeReply {
  if (!reply.ok || !("result" in reply)) return reply;
  return { ...reply, result: { ...reply.result, columns: packColumns(reply.result.columns) as ResultColumns } };
}

/** Packed columns travel where plain ones are declared; the prelude unpacks them before anything reads them. */
type ResultColumns = Record<string, ArrayLike<unknown>>;

/** The bytes a cell sent, checked: whatever crosses the bridge came from untrusted code. */
function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(0);
}
