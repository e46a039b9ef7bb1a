// The sandbox's end of the bridge: takes the host references the session put on
// the global object (and removes them), and wraps them in plain functions.

import { BRIDGE, type InputReply, type BridgeError, type LoadReply, type RenderReply, type SaveReply } from "../bridge-names.js";
import type { ProbeReply, ProbeRequest } from "../../spec/protocol.js";
import type { WorkloadReply, WorkloadRequest } from "../../spec/workload-protocol.js";
import { unpackColumns } from "./column-unpack.js";
import { flushStreams } from "./output-buffer.js";

/** The part of an isolated-vm Reference the sandbox uses. */
interface HostReference {
  applySync(receiver: undefined, args: unknown[]): unknown;
  applySyncPromise(receiver: undefined, args: unknown[]): unknown;
  apply(receiver: undefined, args: unknown[], options: { arguments?: { copy: true }; result: { promise: true; copy: true } }): Promise<unknown>;
}

const g = globalThis as Record<string, unknown>;

function take(name: string): HostReference {
  const ref = g[name] as HostReference | undefined;
  delete g[name];
  if (!ref) throw new Error(`probebook prelude: the host did not provide ${name}; the sandbox can't talk to the kernel`);
  return ref;
}

const refs = {
  stream: take(BRIDGE.stream),
  display: take(BRIDGE.display),
  clearOutput: take(BRIDGE.clearOutput),
  probe: take(BRIDGE.probe),
  workload: take(BRIDGE.workload),
  sleep: take(BRIDGE.sleep),
  input: take(BRIDGE.input),
  renderPlot: take(BRIDGE.renderPlot),
  saveData: take(BRIDGE.saveData),
  loadData: take(BRIDGE.loadData),
  help: take(BRIDGE.help),
  textWidth: take(BRIDGE.textWidth),
};

const COPY_PROMISE = { result: { promise: true, copy: true } } as const;

export function hostStream(stream: "stdout" | "stderr", text: string): void {
  refs.stream.applySync(undefined, [stream, text]);
}

export function hostDisplay(bundle: Record<string, unknown>, displayId: string | undefined, update: boolean): void {
  flushStreams();
  refs.display.applySync(undefined, [JSON.stringify(bundle), displayId, update]);
}

export function hostClearOutput(wait: boolean): void {
  flushStreams();
  refs.clearOutput.applySync(undefined, [wait]);
}

/** Sends a probe request (runtime/spec/protocol.ts) to the host; throws the host's error in the cell. */
export async function hostProbe(request: ProbeRequest): Promise<ProbeReply & { ok: true }> {
  flushStreams();
  const reply = (await refs.probe.apply(undefined, [JSON.stringify(request)], COPY_PROMISE)) as ProbeReply;
  if (!reply.ok) throw bridgeError(reply.error);
  // Columns may arrive packed (runtime/sandbox/column-transfer.ts).
  if ("result" in reply) reply.result.columns = unpackColumns(reply.result.columns);
  return reply;
}

/** Sends a workload request (runtime/spec/workload-protocol.ts) to the host; throws the host's error in the cell. */
export async function hostWorkload(request: WorkloadRequest): Promise<WorkloadReply & { ok: true }> {
  flushStreams();
  const reply = (await refs.workload.apply(undefined, [JSON.stringify(request)], COPY_PROMISE)) as WorkloadReply;
  if (!reply.ok) throw bridgeError(reply.error);
  return reply;
}

/** Resolves true after `ms`, or false when the kernel was interrupted first. */
export async function hostSleep(ms: number): Promise<boolean> {
  flushStreams();
  return (await refs.sleep.apply(undefined, [ms], COPY_PROMISE)) as boolean;
}

export async function hostInput(prompt: string, password: boolean): Promise<string> {
  flushStreams();
  const reply = (await refs.input.apply(undefined, [prompt, password], COPY_PROMISE)) as InputReply;
  if (!reply.ok) throw bridgeError(reply.error);
  return reply.value;
}

/**
 * The SVG of a Vega-Lite spec and its PNG, rendered by the host. Synchronous
 * for the cell (a value's MIME bundle is made synchronously): the isolate
 * waits while the host renders, without blocking the kernel.
 */
export function hostRenderPlot(specJson: string): { svg: string; png?: string } {
  // applySyncPromise copies no objects back: the host answers with JSON.
  const reply = JSON.parse(refs.renderPlot.applySyncPromise(undefined, [specJson]) as string) as RenderReply;
  if (!reply.ok) throw bridgeError(reply.error);
  return reply.png === undefined ? { svg: reply.svg } : { svg: reply.svg, png: reply.png };
}

/** Writes a saved data file next to the notebook (the host checks the name). */
export async function hostSaveData(name: string, bytes: Uint8Array, overwrite: boolean): Promise<{ path: string; bytes: number }> {
  flushStreams();
  const reply = (await refs.saveData.apply(undefined, [name, bytes, overwrite], { arguments: { copy: true }, result: { promise: true, copy: true } })) as SaveReply;
  if (!reply.ok) throw bridgeError(reply.error);
  return { path: reply.path, bytes: reply.bytes };
}

/** Reads a saved data file from the notebook's directory. */
export async function hostLoadData(name: string): Promise<Uint8Array> {
  flushStreams();
  const reply = (await refs.loadData.apply(undefined, [name], COPY_PROMISE)) as LoadReply;
  if (!reply.ok) throw bridgeError(reply.error);
  return reply.bytes;
}

/** Asks the host to page the documentation of a global's name; false when it has none. */
export function hostHelp(name: string): boolean {
  flushStreams();
  return refs.help.applySync(undefined, [name]) === true;
}

/** The columns a plot's text may use (the kernel's COLUMNS, else 80). */
export function hostTextWidth(): number {
  return Number(refs.textWidth.applySync(undefined, []));
}

/** The host's error rebuilt in the cell, whole: name, message, and (a ProbebookError's) code,
 *  details and verifier log, so that `catch (e) { if (e.code === "NOT_SUPPORTED") ... }` works. */
function bridgeError(error: BridgeError): Error {
  const result = new Error(error.message) as Error & Omit<BridgeError, "name" | "message">;
  result.name = error.name;
  if (error.code !== undefined) result.code = error.code;
  if (error.details !== undefined) result.details = error.details;
  if (error.verifierLog !== undefined) result.verifierLog = error.verifierLog;
  return result;
}
