// The host's end of the bridge: what the sandbox's calls do, for whichever
// cell is running. Nothing here may throw or reject across the bridge, so
// failures travel as { ok: false, error } and become errors in the cell.

import { errorData } from "../spec/errors.js";
import type { ExecuteContext } from "../../kernel/executor.js";
import { renderPlotImages } from "../plot/render-plot.js";
import { textWidthOf } from "../plot/text/text-width.js";
import { readSavedData, writeSavedData } from "../host/saved-data.js";
import type { BridgeError, InputReply, LoadReply, RenderReply, SaveReply } from "./bridge-names.js";
import type { BackgroundRuns } from "../runs/background.js";
import { handleProbeRequest } from "../runs/requests.js";
import type { ProbeRunner } from "./probe-runner.js";
import type { SandboxHost } from "./sandbox.js";
import { handleWorkloadRequest } from "../workloads/requests.js";
import type { Workloads } from "../workloads/registry.js";

export interface BridgeState {
  /** The running cell's context; output after a cell finished goes to the last one. */
  context(): ExecuteContext | undefined;
  /** Aborted when the user interrupts. */
  signal(): AbortSignal;
  runner: ProbeRunner;
  /** The session's background runs (see runtime/runs/background.ts). */
  backgroundRuns?: BackgroundRuns;
  log(message: string): void;
  /** The notebook's directory: the only place save() writes and load() reads. */
  dataDir(): string;
  /** The kernel's workloads (runtime/workloads/registry.ts); without them workload() says so. */
  workloads?: Workloads;
  /** The running cell's key (its code): a re-run of the cell kills the workloads it started. */
  cellKey?(): string | undefined;
  /** The documentation of a global's name (e.g. "aq.table") as a MIME bundle, if known (the language service's inspect). */
  documentation?(expression: string): Record<string, unknown> | undefined;
}

/**
 * The sleeps (and so the timers) pending on one abort signal, woken by one
 * listener: an EventTarget's listener list is scanned on every add and
 * remove, so a cell that sets 100 000 timers would hold the host's event loop
 * (heartbeats included) for minutes with a listener each.
 */
const sleepers = new WeakMap<AbortSignal, Set<() => void>>();

function sleepersOf(signal: AbortSignal): Set<() => void> {
  let waiters = sleepers.get(signal);
  if (!waiters) {
    const set = new Set<() => void>();
    waiters = set;
    sleepers.set(signal, set);
    signal.addEventListener("abort", () => {
      for (const wake of set) wake();
      set.clear();
    }, { once: true });
  }
  return waiters;
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
    probe(requestJson) {
      return handleProbeRequest(requestJson, state);
    },
    async workload(requestJson) {
      if (!state.workloads) return { ok: false, error: { name: "Error", message: "this kernel runs no workloads (the session was made without a registry)" } };
      return handleWorkloadRequest(requestJson, state.workloads, state.cellKey?.());
    },
    sleep(ms) {
      const signal = state.signal();
      if (signal.aborted) return Promise.resolve(false);
      const waiters = sleepersOf(signal);
      return new Promise<boolean>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve(true);
        }, ms);
        waiters.add(wake);
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
        const { svg, png, pngError } = await renderPlotImages(specJson);
        // Without a PNG the plot still shows (the SVG stands in), but not in nbconvert's HTML: say why in the kernel's log.
        if (pngError !== undefined) state.log(`plot shown without a PNG: ${pngError}`);
        return png === undefined ? { ok: true, svg } : { ok: true, svg, png };
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
    textWidth() {
      // Read each time: the console sets COLUMNS for the kernel it starts.
      return textWidthOf(process.env);
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

function asBridgeError(error: unknown): BridgeError {
  return errorData(error);
}
