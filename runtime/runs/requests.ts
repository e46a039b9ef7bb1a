// The host's answer to probe requests from the sandbox (runtime/spec/protocol.ts):
// run a declaration with progress, start/snapshot/stop/list background runs,
// explain, the kernel's features. Nothing here throws across the bridge: failures travel as
// { ok: false, error } and are thrown in the cell.

import { errorData } from "../spec/errors.js";
import type { ExecuteContext } from "../../kernel/executor.js";
import type { BackgroundRunner, BackgroundRuns } from "./background.js";
import type { EventsDeclaration } from "../spec/declaration.js";
import type { AnyDeclaration, ProbeReply, ProbeRequest, ProgramRunStats, ResultPayload } from "../spec/protocol.js";
import type { ProbeRunResult } from "./run.js";
import type { ProbeRunner, RunOptions } from "../sandbox/probe-runner.js";
import { rowCapMessage } from "./row-cap.js";
import { memoryStopMessage } from "../host/memory-budget.js";
import { targetGoneMessage, type TargetGone } from "./target-watch.js";
import { ProgressDisplay } from "../sandbox/progress-display.js";

/** What handling a request needs of the session (a subset of the bridge's state). */
export interface ProbeRequestState {
  context(): ExecuteContext | undefined;
  signal(): AbortSignal;
  runner: ProbeRunner;
  backgroundRuns?: BackgroundRuns;
  log(message: string): void;
}

const KINDS = ["events", "aggregate", "latency", "profile", "tcp"];

/**
 * Answers one request from the sandbox.
 *
 * @example
 * ```ts
 * await handleProbeRequest(JSON.stringify({ op: "runs" }), state) // { ok: true, runs: [] }
 * ```
 */
export async function handleProbeRequest(json: string, state: ProbeRequestState): Promise<ProbeReply> {
  let request: ProbeRequest;
  try {
    request = parseRequest(json);
  } catch (error) {
    return failure(error);
  }
  let progress: ProgressDisplay | undefined;
  try {
    switch (request.op) {
      case "run": {
        const signal = state.signal();
        const { declaration } = request;
        progress = new ProgressDisplay(declaration as EventsDeclaration, state.context(), describeDeclaration(declaration));
        const result = await state.runner.run(declaration, { signal, onProgress: (p) => progress?.update(p), ...(request.bpfStats ? { bpfStats: true } : {}) });
        // An aborted run returns what it collected; the cell, though, was
        // interrupted and must not carry on as if the run had finished.
        if (signal.aborted) {
          progress.fail(); // the progress line says the run stopped, rather than keep its last count
          return { ok: false, error: { name: "KeyboardInterrupt", message: "the probe run was interrupted" } };
        }
        progress.finish(result.stats);
        if (result.stats.rowCap) state.context()?.stream("stderr", `${rowCapMessage(describeDeclaration(declaration), result.stats.rowCap)}\n`);
        if (result.stats.memory) state.context()?.stream("stderr", `${memoryStopMessage(describeDeclaration(declaration), result.rowCount, result.stats.memory)}\n`);
        const gone = result.stats.stoppedBy?.startsWith("target-") &&
          targetGoneMessage(describeDeclaration(declaration), result.stats.stoppedBy as TargetGone, result.stats.targetFile, result.rowCount);
        if (gone) state.context()?.stream("stderr", `${gone}\n`);
        return { ok: true, result: await payloadOf(result, declaration) };
      }
      case "start": {
        try {
          return { ok: true, run: await runsOf(state).start(request.name, request.code, request.declaration) };
        } catch (error) {
          // The cell may not await the start: say it where the user looks.
          state.context()?.stream("stderr", `background run ${JSON.stringify(request.name)} did not start: ${(error as Error).message}\n`);
          throw error;
        }
      }
      case "snapshot": {
        const entry = runsOf(state).list().find((r) => r.name === request.name);
        const result = await runsOf(state).snapshot(request.name);
        return { ok: true, result: await payloadOf(result, entry?.declaration) };
      }
      case "stop": {
        const entry = runsOf(state).list().find((r) => r.name === request.name);
        const result = await runsOf(state).stop(request.name);
        return { ok: true, result: await payloadOf(result, entry?.declaration) };
      }
      case "runs":
        return { ok: true, runs: runsOf(state).list() };
      case "explain": {
        const { explainDeclaration } = await import("./explain.js");
        return { ok: true, explain: await explainDeclaration(request.declaration, { load: request.load, misconfigure: request.misconfigure }) };
      }
      case "features": {
        const { featureReport } = await import("../host/features.js");
        return { ok: true, features: featureReport() };
      }
    }
  } catch (error) {
    progress?.fail();
    return failure(error);
  }
}

function runsOf(state: ProbeRequestState): BackgroundRuns {
  if (!state.backgroundRuns) throw new Error("this kernel keeps no background runs (the session was made without a registry)");
  return state.backgroundRuns;
}

/** The result as sent to the sandbox, with its plan explained (when there is one). */
async function payloadOf(result: ProbeRunResult, declaration: AnyDeclaration | undefined): Promise<ResultPayload> {
  const payload: ResultPayload = { columns: result.columns, columnTypes: result.columnTypes, rowCount: result.rowCount, stats: statsOf(result) };
  if (result.plan && declaration) {
    try {
      const { explainPlan } = await import("./explain.js");
      payload.explain = explainPlan(declaration.kind, result.plan);
    } catch {
      // A plan explain() doesn't know: the result stands without it.
    }
  }
  return payload;
}

function statsOf(result: ProbeRunResult): ResultPayload["stats"] {
  const s = result.stats as ProbeRunResult["stats"] & Record<string, unknown>;
  return {
    events: s.events,
    dropped: s.dropped,
    durationMs: s.durationMs,
    ...(s.stoppedBy ? { stoppedBy: s.stoppedBy } : {}),
    ...(typeof s.rowCap === "number" ? { rowCap: s.rowCap } : {}),
    ...(typeof s.targetFile === "string" ? { targetFile: s.targetFile } : {}),
    ...(typeof s.lost === "number" ? { lost: s.lost } : {}),
    ...(typeof s.missed === "number" ? { missed: s.missed } : {}),
    ...(Array.isArray(s.eventsPerCpu) ? { eventsPerCpu: s.eventsPerCpu as number[] } : {}),
    ...(Array.isArray(s.programs) ? { programs: s.programs as ProgramRunStats[] } : {}),
  };
}

/** A short name of what a declaration probes, for progress lines and messages. */
export function describeDeclaration(d: AnyDeclaration): string {
  switch (d.kind) {
    case "events":
      return describeSource(d.source);
    case "aggregate":
      return `${d.value.op} of ${describeSource(d.source)}`;
    case "latency":
      return `${d.pair.type}${d.pair.type === "syscall" && d.pair.name ? ` ${d.pair.name}` : ""} latency`;
    case "profile":
      return "CPU profile";
    case "tcp":
      return "TCP events";
  }
}

function describeSource(s: Extract<AnyDeclaration, { kind: "events" | "aggregate" }>["source"]): string {
  switch (s.type) {
    case "tracepoint": return s.name;
    case "uprobe": return `${s.retprobe ? "uretprobe" : "uprobe"} ${s.symbol}`;
    case "usdt": return `usdt ${s.provider}:${s.name}`;
    case "tcp": return "TCP state changes";
    case "tls": return `TLS${s.binary ? ` in ${s.binary}` : ""}`;
    default: return `${s.type} ${s.function}`;
  }
}

function parseRequest(json: string): ProbeRequest {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new TypeError("the probe request sent by the cell is not JSON");
  }
  const r = value as Partial<ProbeRequest> & Record<string, unknown>;
  if (!r || typeof r !== "object") throw new TypeError("the probe request must be an object");
  const needsDeclaration = r.op === "run" || r.op === "start" || r.op === "explain";
  if (needsDeclaration) {
    const kind = (r.declaration as { kind?: unknown } | undefined)?.kind;
    if (typeof kind !== "string" || !KINDS.includes(kind)) {
      throw new TypeError(`the probe declaration has kind ${JSON.stringify(kind)}; known kinds: ${KINDS.join(", ")} (build declarations with tracepoint(), syscall(), uprobe()…)`);
    }
  }
  if ((r.op === "start" || r.op === "snapshot" || r.op === "stop") && typeof r.name !== "string") throw new TypeError(`a ${r.op} request needs the run's name`);
  if (r.op === "start" && typeof r.code !== "string") throw new TypeError("a start request needs the probe's code");
  if (!["run", "start", "snapshot", "stop", "runs", "explain", "features"].includes(r.op as string)) throw new TypeError(`unknown probe request ${JSON.stringify(r.op)}`);
  return r as ProbeRequest;
}

/** The error as data: its code, details and verifier log arrive in the cell (runtime/spec/errors.ts). */
function failure(error: unknown): ProbeReply {
  return { ok: false, error: errorData(error) };
}
