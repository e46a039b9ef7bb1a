// A real session for the workload tests: cells run in the sandbox with the
// real runner; cellJson() runs a cell whose last line logs JSON and returns it.
import { createExecutor, type Session } from "../../../runtime/session.js";
import { recordingContext, streamText } from "../fixtures/recording-context.js";

let count = 0;

export function workloadSession(): Session {
  return createExecutor({ warmUpAfterMs: false }) as Session;
}

/** Runs `lines` as one cell; the cell must console.log one JSON value, which is returned. */
export async function cellJson(session: Session, lines: string[]): Promise<unknown> {
  const ctx = recordingContext(++count);
  const outcome = await session.execute(lines.join("\n"), ctx);
  if (outcome.status !== "ok") throw new Error(`the cell failed: ${outcome.ename}: ${outcome.evalue}\n${streamText(ctx, "stderr")}`);
  const out = streamText(ctx, "stdout").trim().split("\n").pop() ?? "";
  return JSON.parse(out) as unknown;
}
