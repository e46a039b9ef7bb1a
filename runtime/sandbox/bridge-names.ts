// Names of the host functions the session puts on the sandbox's global object
// before the prelude runs. The prelude takes them and deletes the globals, so
// cells reach the host only through the prelude's helpers.

import type { ErrorData } from "../spec/errors.js";

export const BRIDGE = {
  /** (stream: "stdout" | "stderr", text: string) => void */
  stream: "__probebook_stream",
  /** (bundleJson: string, displayId: string | undefined, update: boolean) => void */
  display: "__probebook_display",
  /** (wait: boolean) => void */
  clearOutput: "__probebook_clear_output",
  /** (requestJson: string) => Promise<ProbeReply>: run, start/snapshot/stop/list background runs, explain (runtime/spec/protocol.ts) */
  probe: "__probebook_probe",
  /** (requestJson: string) => Promise<WorkloadReply>: start/go/wait/stop a catalog workload (runtime/spec/workload-protocol.ts) */
  workload: "__probebook_workload",
  /** (ms: number) => Promise<boolean>: true when the time passed, false when interrupted */
  sleep: "__probebook_sleep",
  /** (prompt: string, password: boolean) => Promise<InputReply> */
  input: "__probebook_input",
  /** (specJson: string) => Promise<string (RenderReply JSON)>; called with applySyncPromise (a plot's bundle is made synchronously) */
  renderPlot: "__probebook_render_plot",
  /** (name: string, bytes: Uint8Array, overwrite: boolean) => Promise<SaveReply> */
  saveData: "__probebook_save_data",
  /** (name: string) => Promise<LoadReply> */
  loadData: "__probebook_load_data",
  /** () => number: the columns a plot's text may use (the kernel's COLUMNS, else 80) */
  textWidth: "__probebook_text_width",
  /** (expression: string) => boolean: pages the documentation of a global (e.g. "aq.table"); false when none is known */
  help: "__probebook_help",
} as const;

/** The global the prelude defines to run one cell: (body) => Promise<string (CellReply JSON)>. */
export const RUN_CELL = "__probebook_run_cell";

/** An error crossing the bridge as data (host promises must not reject across it): name,
 *  message, and a ProbebookError's code, details and verifier log (runtime/spec/errors.ts). */
export type BridgeError = ErrorData;

/** A plot's SVG, rendered on the host with vega, and its PNG (base64) when rsvg-convert could draw it. */
export type RenderReply = { ok: true; svg: string; png?: string } | { ok: false; error: BridgeError };

/** Where save() wrote, in the notebook's directory. */
export type SaveReply = { ok: true; path: string; bytes: number } | { ok: false; error: BridgeError };

/** The bytes of a saved data file. */
export type LoadReply = { ok: true; bytes: Uint8Array } | { ok: false; error: BridgeError };

export type InputReply = { ok: true; value: string } | { ok: false; error: BridgeError };

/** What a cell's run resolves to, as JSON. */
export type CellReply =
  | { status: "ok"; bundle: Record<string, unknown> | null }
  | { status: "error"; ename: string; evalue: string; stack: string; code?: string; details?: Record<string, unknown>; verifierLog?: string };

/** Marks a column packed for the move into the sandbox (runtime/sandbox/column-transfer.ts). */
export const PACKED_COLUMN = "__probebook_packed";

/** isolated-vm's ExternalCopy as both ends use it: the sandbox takes the memory with copy({ transferIn: true }). */
export interface MovedMemory {
  copy(options: { transferIn: true }): unknown;
}

/**
 * A result column on its way into the sandbox: a typed array's memory, moved;
 * or a text column as one code per row (moved, or a small copied array) and
 * its distinct strings.
 */
export type PackedColumn =
  | { [PACKED_COLUMN]: "moved"; data: MovedMemory }
  | { [PACKED_COLUMN]: "dictionary"; codes: MovedMemory | Uint16Array | Uint32Array; dictionary: string[] };
