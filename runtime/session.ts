// The runtime's side of kernel/executor.ts: one sandbox (isolated-vm isolate)
// per kernel, in which every cell runs. The session transpiles cells, routes
// what the sandbox says (output, displays, probe runs) to the running cell,
// and keeps the kernel alive whatever a cell does: an interrupted busy loop or
// a cell over the memory limit costs the sandbox, which is rebuilt, never the
// kernel.

import type {
  Completions,
  CompletenessStatus,
  CreateExecutor,
  ExecuteContext,
  ExecuteError,
  ExecuteOutcome,
  Executor,
  ExecutorOptions,
  Inspection,
} from "../kernel/executor.js";
import { resolve } from "node:path";
import { BackgroundRuns } from "./runs/background.js";
import { memoryBudget, type Hold } from "./host/memory-budget.js";
import { Workloads } from "./workloads/registry.js";
import { createSandboxHost } from "./sandbox/host-bridge.js";
import { checkComplete } from "./sandbox/is-complete.js";
import { CellLanguageService } from "./sandbox/language-service.js";
import { defaultPreludePath } from "./sandbox/paths.js";
import { defaultProbeRunner, type ProbeRunner } from "./sandbox/probe-runner.js";
import { Sandbox, SandboxDiedError } from "./sandbox/sandbox.js";
import type { CellReply } from "./sandbox/bridge-names.js";
import { plainError, sandboxError, syntaxError, type CellRecord } from "./sandbox/traceback.js";
import { transpileCellCached, warmTranspiler } from "./sandbox/transpile-cache.js";
import { CellSyntaxError } from "./sandbox/transpile-cell.js";
import { warmTypeScript } from "./sandbox/typescript.js";

export interface SessionOptions extends Partial<ExecutorOptions> {
  /**
   * Heap limit of the sandbox in MB (default: $PROBEBOOK_SANDBOX_MEMORY_MB, else
   * 512). Cells over it get an error and a fresh sandbox.
   */
  memoryLimitMb?: number;
  /**
   * The notebook's directory: where save() writes and load() reads, and
   * nowhere else (default: the kernel's working directory, which Jupyter sets
   * to the notebook's directory).
   */
  dataDir?: string;
  /** Runs probe declarations (default: runtime/runs/ring.ts, loaded on first use). */
  probeRunner?: ProbeRunner;
  /** The bundled prelude (default dist/sandbox/prelude.js, built on demand when missing). */
  preludePath?: string;
  /**
   * After an interrupt, how long a cell may take to stop by itself (an
   * aborted probe run or sleep ends it) before the sandbox is checked for a
   * busy loop and rebuilt. Default 250 ms.
   */
  interruptGraceMs?: number;
  /**
   * Load typescript and start the sandbox in the background this many ms
   * after start-up, so the first cell is quick (default 300; false: never).
   */
  warmUpAfterMs?: number | false;
}

/** Interrupted cells end with this ename, as in other kernels. */
export const INTERRUPT_ENAME = "KeyboardInterrupt";
/** Cells that exceed the sandbox memory limit end with this ename. */
export const MEMORY_ENAME = "MemoryError";

/** Default sandbox heap limit; PROBEBOOK_SANDBOX_MEMORY_MB overrides it. */
const DEFAULT_MEMORY_LIMIT_MB = 512;

/** Makes the executor the kernel calls (see kernel/executor.ts). */
export const createExecutor = ((options: SessionOptions = {}): Session => new Session(options)) satisfies CreateExecutor;

/** After a failed cell, a sandbox this full (of its limit) counts as over it: the failure was most likely the allocation. */
const FULL_AFTER_ERROR = 0.9;

/** Sandbox CPU time below which an interrupted cell counts as waiting, not looping. */
const IDLE_CPU_NS = 10_000_000n;
const IDLE_SAMPLE_MS = 60;
/** Cells kept for mapping stack frames (functions from old cells may still throw). */
const MAX_CELL_RECORDS = 1000;

export class Session implements Executor {
  readonly #log: (message: string) => void;
  readonly #memoryLimitMb: number;
  readonly #runner: ProbeRunner;
  /** Background runs belong to the session: they outlive cells and interrupts, not the kernel. */
  readonly #backgroundRuns: BackgroundRuns;
  /** Workloads cells started (runtime/workloads/): killed on interrupt, re-run of their cell, shutdown. */
  readonly #workloads = new Workloads();
  /** The running cell's code: the key under which its workloads are kept. */
  #cellKey: string | undefined;
  readonly #preludePath: string;
  readonly #graceMs: number;
  readonly #dataDir: () => string;

  #sandbox: Sandbox | undefined;
  #starting: Promise<Sandbox> | undefined;
  /** Aborted (and replaced) by every interrupt; probe runs, sleeps and input listen to it. */
  #epoch = new AbortController();
  /** Where sandbox output goes: the running cell, or the last one. */
  #output: ExecuteContext | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #cellSeq = 0;
  /** Set by the first cell: background warm-up work stops then. */
  #cellAsked = false;
  readonly #cells = new Map<string, CellRecord>();
  #language: CellLanguageService | undefined;
  /** Sources of cells that ran in the current sandbox, for completion. */
  #history: string[] = [];
  #shutDown = false;
  /** Isolates V8 gave up on (see SandboxDeath "catastrophic"): their threads and memory stay with the process. */
  #lostSandboxes = 0;
  /** The sandbox's heap limit, held in the kernel's memory budget while the session lives (a cell may grow to it any time). */
  readonly #sandboxMemory: Hold;

  constructor(options: SessionOptions = {}) {
    this.#log = options.log ?? ((message) => process.stderr.write(`probebook runtime: ${message}\n`));
    this.#memoryLimitMb = options.memoryLimitMb ?? memoryLimitFromEnv() ?? DEFAULT_MEMORY_LIMIT_MB;
    this.#sandboxMemory = memoryBudget.hold("sandbox", this.#memoryLimitMb * 1024 * 1024);
    this.#runner = options.probeRunner ?? defaultProbeRunner;
    this.#backgroundRuns = new BackgroundRuns(() => this.#runner, this.#log);
    this.#preludePath = options.preludePath ?? defaultPreludePath();
    this.#graceMs = options.interruptGraceMs ?? 250;
    const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
    // Read when used, not at start: the working directory is the notebook's when the kernel serves it.
    this.#dataDir = () => dataDir ?? process.cwd();
    const warmUp = options.warmUpAfterMs ?? 300;
    if (warmUp !== false) {
      warmTypeScript(warmUp);
      const timer = setTimeout(() => {
        if (this.#shutDown) return;
        this.#ensureSandbox().then(
          // Then the transpiler, so that a first probe cell runs optimised TypeScript code;
          // only until the first cell comes: a warm-up step must never delay a cell.
          () => warmTranspiler(20, () => this.#shutDown || this.#cellAsked),
          (error: Error) => this.#log(`warming up the sandbox failed: ${error.message}`),
        );
      }, warmUp);
      timer.unref();
    }
  }

  execute(code: string, ctx: ExecuteContext): Promise<ExecuteOutcome> {
    // The kernel sends one cell at a time; the queue keeps that true regardless.
    const run = this.#queue.then(() => this.#execute(code, ctx));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  interrupt(): void {
    this.#workloads.killAll();
    const epoch = this.#epoch;
    this.#epoch = new AbortController();
    epoch.abort(new Error("interrupted by the user"));
  }

  isComplete(code: string): { status: CompletenessStatus; indent?: string } {
    return checkComplete(code);
  }

  complete(code: string, cursorPos: number): Promise<Completions> {
    return Promise.resolve(this.#languageService().complete(code, cursorPos));
  }

  inspect(code: string, cursorPos: number, detailLevel: number): Promise<Inspection> {
    return Promise.resolve(this.#languageService().inspect(code, cursorPos, detailLevel));
  }

  async evaluate(expression: string, signal: AbortSignal): Promise<ExecuteOutcome> {
    const muted: ExecuteContext = {
      stream() {},
      display() {},
      clearOutput() {},
      page() {},
      input: () => Promise.reject(Object.assign(new Error("user_expressions can't ask for input"), { name: "StdinNotImplementedError" })),
      executionCount: 0,
      silent: true,
      storeHistory: false,
      signal,
    };
    const run = this.#queue.then(() => this.#execute(expression, muted, { record: false }));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async shutdown(): Promise<void> {
    this.#shutDown = true;
    await this.#backgroundRuns.stopAll();
    await this.#workloads.stopAll();
    this.interrupt();
    const starting = this.#starting;
    this.#starting = undefined;
    if (starting) await starting.then((s) => s.dispose(), () => undefined);
    this.#sandbox?.dispose();
    this.#sandbox = undefined;
    this.#sandboxMemory.release();
    // This process will end by SIGKILL (see #onCatastrophe), which skips what a normal exit
    // waits for: output still buffered, such as the shutdown reply the kernel has just queued
    // on its sockets. A moment lets it leave first.
    if (this.#lostSandboxes > 0) await delay(FLUSH_BEFORE_KILL_MS);
  }

  async #execute(code: string, ctx: ExecuteContext, { record = true } = {}): Promise<ExecuteOutcome> {
    this.#cellAsked = true;
    if (this.#shutDown) return { status: "error", ...plainError("RuntimeError", "the kernel is shutting down") };
    // Captured first: an interrupt while the sandbox starts still counts for this cell.
    const epoch = this.#epoch;
    const label = `In[${ctx.executionCount}]`;
    let cell;
    try {
      cell = transpileCellCached(code);
    } catch (error) {
      if (error instanceof CellSyntaxError) return { status: "error", ...syntaxError(error.message, label, code, error.line, error.column) };
      throw error;
    }
    let sandbox: Sandbox;
    try {
      if (this.#sandbox?.catastrophic) {
        // V8 gave up on the sandbox between cells (code a cell left running,
        // e.g. a timer, ran it out of memory): start afresh, and say why.
        await this.#rebuild();
        ctx.stream(
          "stderr",
          `note: since the previous cell, code left running in the sandbox (a timer or a pending promise) exceeded its memory limit of ${this.#memoryLimitMb} MB; ` +
            "the sandbox was rebuilt, so earlier variables are gone. This kernel process keeps that memory: restart the kernel when you can.\n",
        );
      }
      sandbox = await this.#ensureSandbox();
    } catch (error) {
      return { status: "error", ...plainError("SandboxError", (error as Error).message) };
    }
    if (ctx.signal.aborted || epoch.signal.aborted) return this.#interrupted("the cell was interrupted before it started");

    const filename = `cell-${++this.#cellSeq}.js`;
    this.#remember(filename, { label, source: code, originalPosition: cell.originalPosition });
    if (record) this.#history.push(code);

    const onAbort = () => {
      if (this.#epoch === epoch) this.interrupt();
    };
    if (record) {
      // Running a cell again replaces what its previous run started.
      this.#workloads.cellStarting(code);
      this.#cellKey = code;
    }
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const previousOutput = this.#output;
    this.#output = ctx;
    try {
      const outcome = await this.#awaitRun(sandbox, sandbox.run(cell.code, filename), epoch.signal);
      return await this.#checkMemory(sandbox, outcome);
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
      // user_expressions print nowhere; later stray output goes to the last real cell.
      if (!record) this.#output = previousOutput;
    }
  }

  /** Waits for the cell, handling interrupts and a sandbox that dies under it. */
  async #awaitRun(sandbox: Sandbox, run: Promise<CellReply>, interrupted: AbortSignal): Promise<ExecuteOutcome> {
    type Settled = { reply: CellReply } | { error: unknown };
    const settled: Promise<Settled> = run.then((reply) => ({ reply }), (error: unknown) => ({ error }));
    const abort = whenAborted(interrupted);
    const first = await Promise.race([settled, abort.promise]);
    abort.dispose();
    if (first !== "aborted") return this.#outcome(first);

    // Interrupted. Probe runs, sleeps and input were aborted with the epoch,
    // which ends most cells at once.
    const afterGrace = await Promise.race([settled, delay(this.#graceMs)]);
    if (afterGrace !== "timeout") {
      if ("error" in afterGrace && afterGrace.error instanceof SandboxDiedError) return this.#outcome(afterGrace);
      return this.#interrupted("the cell was interrupted");
    }
    if (!(await isBusy(sandbox))) {
      // Awaiting something that will never finish (e.g. a promise nobody
      // resolves): leave it behind, the sandbox and its variables are fine.
      return this.#interrupted("the cell was interrupted while waiting; what it was waiting for was abandoned (variables are kept)");
    }
    // Busy in JavaScript that doesn't stop (a loop): only killing the isolate ends it.
    sandbox.dispose();
    await Promise.race([settled, delay(1000)]);
    const rebuilt = await this.#rebuild();
    return this.#interrupted(`the cell was interrupted while running JavaScript that would not stop (a loop?), so the sandbox was ${rebuilt}: earlier variables are gone, re-run the cells you need`);
  }

  async #outcome(settled: { reply: CellReply } | { error: unknown }): Promise<ExecuteOutcome> {
    if ("reply" in settled) {
      const reply = settled.reply;
      if (reply.status === "ok") return reply.bundle ? { status: "ok", result: { data: reply.bundle } } : { status: "ok" };
      return { status: "error", ...sandboxError(reply.ename, reply.evalue, reply.stack, this.#cells, reply) };
    }
    const error = settled.error;
    if (error instanceof SandboxDiedError) {
      const rebuilt = await this.#rebuild();
      if (error.reason === "memory-limit") return this.#memoryError(rebuilt);
      if (error.reason === "catastrophic") {
        return this.#memoryError(
          rebuilt,
          `V8 ran out of memory inside the old sandbox before the limit could stop it, so that sandbox's ${this.#memoryLimitMb} MB can't be given back: this kernel process keeps it and is less reliable from now on. ` +
            "Restart the kernel (Kernel > Restart Kernel) when you can; until then the kernel carries on.",
        );
      }
      if (error.reason === "corrupted") {
        return { status: "error", ...plainError("SandboxError",
          `the cell replaced built-ins the sandbox itself relies on (JSON, Object.prototype.toJSON, Promise.prototype.then, ...), so its reply could not be read; ` +
          `the sandbox was ${rebuilt}: earlier variables are gone, re-run the cells you need`) };
      }
      return { status: "error", ...plainError("SandboxError", `the sandbox stopped during the cell and was ${rebuilt}; earlier variables are gone: re-run the cells you need`) };
    }
    const err = error as Error;
    return { status: "error", ...plainError(err?.name ?? "Error", `running the cell failed: ${err?.message ?? String(error)}`) };
  }

  #memoryError(rebuilt: string, more = ""): ExecuteOutcome {
    return {
      status: "error",
      ...plainError(
        MEMORY_ENAME,
        `the cell exceeded the sandbox memory limit of ${this.#memoryLimitMb} MB; the sandbox was ${rebuilt}, so earlier variables are gone: re-run the cells you need, keeping less data (filter or aggregate in the kernel, or use .limit())${more ? `. ${more}` : ""}`,
      ),
    };
  }

  /**
   * A cell can end with the sandbox (nearly) full without isolated-vm killing
   * it: ArrayBuffer memory is refused with a RangeError while the buffers the
   * cell kept stay alive. The next cell would then die of it, so this cell
   * takes the blame: the sandbox is rebuilt now and this cell says so.
   */
  async #checkMemory(sandbox: Sandbox, outcome: ExecuteOutcome): Promise<ExecuteOutcome> {
    if (sandbox.disposed || sandbox !== this.#sandbox) return outcome;
    let memory;
    try {
      memory = await sandbox.memory();
    } catch {
      return outcome;
    }
    const full = memory.usedBytes > memory.limitBytes * (outcome.status === "error" ? FULL_AFTER_ERROR : 1);
    if (!full) return outcome;
    this.#log(`a cell left the sandbox with ${mb(memory.usedBytes)} MB of its ${mb(memory.limitBytes)} MB; rebuilding it`);
    const rebuilt = await this.#rebuild();
    const cause = outcome.status === "error" ? `It failed with ${outcome.ename}: ${outcome.evalue}` : "";
    return this.#memoryError(rebuilt, cause);
  }

  #interrupted(message: string): ExecuteOutcome {
    return { status: "error", ...(plainError(INTERRUPT_ENAME, message) satisfies ExecuteError) };
  }

  /** Drops the dead sandbox and starts a new one; says "rebuilt" or why not. */
  async #rebuild(): Promise<string> {
    // The handles of running workloads die with the old sandbox: so do the workloads.
    this.#workloads.killAll();
    this.#sandbox?.dispose();
    this.#sandbox = undefined;
    this.#sandboxMemory.release();
    this.#history = [];
    this.#language?.reset();
    try {
      await this.#ensureSandbox();
      return "rebuilt";
    } catch (error) {
      this.#log(`rebuilding the sandbox failed: ${(error as Error).message}`);
      return `discarded (a new one will be started with the next cell; starting one just now failed: ${(error as Error).message})`;
    }
  }

  #ensureSandbox(): Promise<Sandbox> {
    if (this.#sandbox && !this.#sandbox.disposed && !this.#sandbox.catastrophic) return Promise.resolve(this.#sandbox);
    this.#starting ??= Sandbox.create({
      memoryLimitMb: this.#memoryLimitMb,
      preludePath: this.#preludePath,
      host: createSandboxHost({
        context: () => this.#output,
        signal: () => this.#epoch.signal,
        runner: this.#runner,
        backgroundRuns: this.#backgroundRuns,
        workloads: this.#workloads,
        cellKey: () => this.#cellKey,
        log: this.#log,
        dataDir: this.#dataDir,
        documentation: (expression) => {
          const found = this.#languageService().inspect(expression, expression.length, 0);
          return found.found ? found.data : undefined;
        },
      }),
      onCatastrophicError: (message) => this.#onCatastrophe(message),
    }).then(
      (sandbox) => {
        this.#starting = undefined;
        if (this.#shutDown) {
          sandbox.dispose();
          throw new Error("the kernel is shutting down");
        }
        this.#sandbox = sandbox;
        return sandbox;
      },
      (error: unknown) => {
        this.#starting = undefined;
        throw error;
      },
    );
    return this.#starting;
  }

  /**
   * isolated-vm parks the thread of an isolate V8 gave up on, forever, and
   * Node's exit joins that thread: a normal exit would hang. Once this
   * happened the process ends itself with SIGKILL when it exits, after the
   * kernel has replied and closed its sockets (exit handlers run last).
   */
  #onCatastrophe(message: string): void {
    this.#lostSandboxes++;
    // That memory is the process's for good: it stays in the memory budget (never released).
    memoryBudget.hold("sandbox", this.#memoryLimitMb * 1024 * 1024);
    this.#log(
      `the sandbox's V8 reported a catastrophic error (${message}); its thread and about ${this.#memoryLimitMb} MB stay with this process ` +
        `(${this.#lostSandboxes} sandbox${this.#lostSandboxes === 1 ? "" : "es"} lost so far), which will end with SIGKILL when it exits, as a normal exit would hang; restarting the kernel is advised`,
    );
    if (this.#lostSandboxes === 1) process.once("exit", killOnExit);
  }

  #remember(filename: string, record: CellRecord): void {
    this.#cells.set(filename, record);
    if (this.#cells.size > MAX_CELL_RECORDS) this.#cells.delete(this.#cells.keys().next().value!);
  }

  #languageService(): CellLanguageService {
    this.#language ??= new CellLanguageService(() => this.#history);
    return this.#language;
  }
}

function memoryLimitFromEnv(): number | undefined {
  const text = process.env.PROBEBOOK_SANDBOX_MEMORY_MB;
  if (!text) return undefined;
  const mb = Number(text);
  if (!Number.isInteger(mb) || mb < 32) {
    throw new Error(`PROBEBOOK_SANDBOX_MEMORY_MB=${text} is not a usable memory limit: give a whole number of megabytes, at least 32`);
  }
  return mb;
}

/** A promise of the signal's abort, and a way to stop listening (signals outlive many cells). */
function whenAborted(signal: AbortSignal): { promise: Promise<"aborted">; dispose(): void } {
  let onAbort = () => {};
  const promise = new Promise<"aborted">((resolve) => {
    onAbort = () => resolve("aborted");
    if (signal.aborted) resolve("aborted");
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

/** How long a shutdown that will end by SIGKILL waits for buffered output to leave. */
const FLUSH_BEFORE_KILL_MS = 500;

/** See Session#onCatastrophe: exit() would wait forever for isolated-vm's parked thread. */
function killOnExit(): void {
  process.kill(process.pid, "SIGKILL");
}

function delay(ms: number): Promise<"timeout"> {
  return new Promise((resolve) => setTimeout(() => resolve("timeout"), ms));
}

/** True when the isolate is burning CPU (running JavaScript) rather than waiting. */
async function isBusy(sandbox: Sandbox): Promise<boolean> {
  if (sandbox.disposed) return false;
  const before = sandbox.cpuTimeNs;
  await delay(IDLE_SAMPLE_MS);
  if (sandbox.disposed) return false;
  return sandbox.cpuTimeNs - before > IDLE_CPU_NS;
}
