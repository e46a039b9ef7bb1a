// Runs one transpiled cell (an async function) and answers with JSON the host
// can read: the value's MIME bundle, or the error's name, message and stack
// (the host maps the stack back to the cell's TypeScript lines).

import type { CellReply } from "../bridge-names.js";
import { inspect } from "./inspect.js";
import { flushStreams } from "./output-buffer.js";
import { mimeBundle } from "./render.js";

export async function runCell(body: () => Promise<unknown>): Promise<string> {
  let reply: CellReply;
  try {
    const value = await body();
    reply = { status: "ok", bundle: value === undefined ? null : mimeBundle(value) };
  } catch (error) {
    reply = describeError(error);
  }
  // The cell's output must reach the kernel before its result.
  flushStreams();
  return JSON.stringify(reply);
}

function describeError(error: unknown): CellReply {
  if (error instanceof Error) {
    const e = error as Error & { code?: unknown; details?: unknown; verifierLog?: unknown };
    return {
      status: "error", ename: error.name || "Error", evalue: error.message, stack: String(error.stack ?? ""),
      // a probe error's facts, for the traceback (what the host sent: plain data)
      ...(typeof e.code === "string" ? { code: e.code } : {}),
      ...(e.details && typeof e.details === "object" ? { details: e.details as Record<string, unknown> } : {}),
      ...(typeof e.verifierLog === "string" ? { verifierLog: e.verifierLog } : {}),
    };
  }
  // `throw "text"` or `throw { ... }`: there is no stack to show.
  return { status: "error", ename: "Uncaught", evalue: inspect(error), stack: "" };
}
