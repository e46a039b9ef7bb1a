// The host's end of the bridge: what the sandbox's calls do, for whichever
// cell is running. Nothing here may throw or reject across the bridge, so
// failures travel as { ok: false, error } and become errors in the cell.

import type { ExecuteContext } from "../../kernel/executor.js";
import type { EventsDeclaration } from "../declaration.js";
import { renderVegaLiteSvg } from "../plot/render-svg.js";
import { readSavedData, writeSavedData } from "../saved-data.js";
import type { BridgeError, EventsReply, InputReply, LoadReply, RenderReply, SaveReply } from "./bridge-names.js";
import type { BackgroundRuns } from "../background-runs.js";
import { handleProbeRequest } from "../probe-requests.js";
import type { ProbeRunner } from "./probe-runner.js";
import { ProgressDisplay } from "./progress-display.js";
import type { SandboxHost } from "./sandbox.js";

export interface BridgeState {
  /** The running cell's context; output after a cell finished goes to the last one. */
  context(): ExecuteContext | undefined;
  /** Aborted when the user interrupts. */
  signal(): AbortSignal;
  runner: ProbeRunner;
  /** The session's background runs (see runtime/background-runs.ts). */
  backgroundRuns?: BackgroundRuns;
  log(message: string): void;
  /** The notebook's directory: the only place save() writes and load() reads. */
  dataDir(): string;
  /** The documentation of a global's name (e.g. "aq.table") as a MIME bundle, if known (the language service's inspect). */
  documentation?(expression: string): Record<string, unknown> | undefined;
}

export function createSandboxHost(state: BridgeState): SandboxHost {
  return {
    stream(name, text) {
      const ctx = state.context();
      if (ctx) ctx.stream(name === "stderr" ? "stderr" : "stdout", text);
    },
    display(bundleJson, displayId, update) {
      const ctx = state.context();
      if (!ctx) return;
      try {
        ctx.display(JSON.parse(bundleJson) as Record<string, unknown>, { displayId, update });
      } catch (error) {
        state.log(`sandbox display failed: ${(error as Error).message}`);
      }
    },
    clearOutput(wait) {
      state.context()?.clearOutput(wait);
    },
    async runEvents(declarationJson): Promise<EventsReply> {
      const signal = state.signal();
      let progress: ProgressDisplay | undefined;
      try {
        const declaration = parseDeclaration(declarationJson);
        progress = new ProgressDisplay(declaration, state.context());
        const result = await state.runner.runEvents(declaration, { signal, onProgress: (p) => progress?.update(p) });
        // An aborted run returns what it collected; the cell, though, was
        // interrupted and must not carry on as if the run had finished.
        if (signal.aborted) return { ok: false, error: { name: "KeyboardInterrupt", message: "the probe run was interrupted" } };
        progress.finish(result.stats);
        return { ok: true, columns: result.columns, columnTypes: result.columnTypes, rowCount: result.rowCount, stats: { ...result.stats } };
      } catch (error) {
        progress?.fail();
        return { ok: false, error: asBridgeError(error) };
      }
    },
    probe(requestJson) {
      return handleProbeRequest(requestJson, state);
    },
    sleep(ms) {
      const signal = state.signal();
      if (signal.aborted) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          signal.removeEventListener("abort", onAbort);
          resolve(true);
        }, ms);
        const onAbort = () => {
          clearTimeout(timer);
          resolve(false);
        };
        signal.addEventListener("abort", onAbort, { once: true });
      });
    },
    async input(prompt, password): Promise<InputReply> {
      const ctx = state.context();
      if (!ctx) return { ok: false, error: { name: "StdinNotImplementedError", message: "input() can only be used while a cell runs" } };
      try {
        return { ok: true, value: await ctx.input(prompt, password) };
      } catch (error) {
        return { ok: false, error: asBridgeError(error) };
      }
    },
    async renderPlot(specJson): Promise<RenderReply> {
      try {
        return { ok: true, svg: await renderVegaLiteSvg(specJson) };
      } catch (error) {
        return { ok: false, error: asBridgeError(error) };
      }
    },
    async saveData(name, bytes, overwrite): Promise<SaveReply> {
      try {
        if (bytes.length === 0) throw new TypeError(`save(table, ${JSON.stringify(name)}): the sandbox sent no data to write`);
        const written = await writeSavedData(state.dataDir(), name, bytes, { overwrite });
        return { ok: true, path: written.path, bytes: written.bytes };
      } catch (error) {
        return { ok: false, error: asBridgeError(error) };
      }
    },
    help(expression) {
      const ctx = state.context();
      if (!ctx || !state.documentation) return false;
      try {
        const bundle = state.documentation(expression);
        if (!bundle) return false;
        ctx.page(bundle);
        return true;
      } catch (error) {
        state.log(`help(${expression}) failed: ${(error as Error).message}`);
        return false;
      }
    },
    async loadData(name): Promise<LoadReply> {
      try {
        return { ok: true, bytes: await readSavedData(state.dataDir(), name) };
      } catch (error) {
        return { ok: false, error: asBridgeError(error) };
      }
    },
  };
}

/** Checks the declaration's outer shape; the planner checks the rest. */
function parseDeclaration(json: string): EventsDeclaration {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new TypeError("the probe declaration sent by the cell is not JSON");
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind !== "events") {
    throw new TypeError(`the probe declaration has kind ${JSON.stringify(kind)}; this kernel runs "events" declarations (build them with tracepoint(...).events(...))`);
  }
  return value as EventsDeclaration;
}

function asBridgeError(error: unknown): BridgeError {
  if (error instanceof Error) return { name: error.name || "Error", message: error.message };
  return { name: "Error", message: String(error) };
}
