// The error reply every request type shares ({status: "error", ename, evalue, traceback}).
import type { ErrorContent } from "../protocol/messages.js";

export function errorReply(err: unknown, doing: string): { status: "error" } & ErrorContent {
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : "Error";
  return { status: "error", ename: name, evalue: `${doing}: ${message}`, traceback: [] };
}
