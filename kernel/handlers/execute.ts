// execute_request: run one cell through the executor and turn its outcome into
// execute_input / outputs / execute_result or error / execute_reply.
//
// user_expressions are evaluated after the cell with Executor.evaluate when the
// runtime provides it (no outputs, no history, as the protocol asks); without
// it, each expression gets an error entry naming the missing capability.
import type { ExecuteError, ExecuteOutcome, Executor } from "../executor.js";
import type { PagePayload, UserExpressionResult } from "../protocol/messages.js";
import { createCellContext } from "./cell-context.js";
import type { Handler, KernelServices } from "./types.js";

/** Turns anything a runtime throws into the error shape cells report. */
export function errorFromException(err: unknown, doing: string): ExecuteError {
  if (err instanceof Error) {
    return {
      ename: err.name || "Error",
      evalue: `${doing}: ${err.message}`,
      traceback: (err.stack ?? `${err.name}: ${err.message}`).split("\n"),
    };
  }
  return { ename: "Error", evalue: `${doing}: ${String(err)}`, traceback: [`${doing}: ${String(err)}`] };
}

async function evaluateExpressions(
  executor: Executor,
  expressions: Record<string, string>,
  kernel: KernelServices,
): Promise<Record<string, UserExpressionResult>> {
  const results: Record<string, UserExpressionResult> = {};
  for (const [name, expression] of Object.entries(expressions)) {
    if (!executor.evaluate) {
      results[name] = {
        status: "error",
        ename: "NotImplementedError",
        evalue: "this runtime does not evaluate user_expressions",
        traceback: [],
      };
      continue;
    }
    let outcome: ExecuteOutcome;
    try {
      outcome = await kernel.runCell((signal) => executor.evaluate!(expression, signal));
    } catch (err) {
      outcome = { status: "error", ...errorFromException(err, `evaluating user expression ${JSON.stringify(name)}`) };
    }
    results[name] =
      outcome.status === "ok"
        ? { status: "ok", data: outcome.result?.data ?? {}, metadata: outcome.result?.metadata ?? {} }
        : { status: "error", ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback };
  }
  return results;
}

export const handleExecute: Handler<"execute_request"> = async ({ request, publish, reply, kernel }) => {
  const { code, silent, store_history: storeHistory, allow_stdin: allowStdin, stop_on_error: stopOnError } = request.content;

  if (storeHistory) kernel.executionCount += 1;
  const executionCount = kernel.executionCount;
  if (!silent) publish("execute_input", { code, execution_count: executionCount });
  const historyEntry = storeHistory ? kernel.history.add(executionCount, code) : undefined;

  const executor = await kernel.executor().catch((err: unknown) => errorFromException(err, "the TypeScript runtime could not start"));
  let payload: PagePayload[] = [];
  const result: ExecuteOutcome =
    "ename" in executor
      ? { status: "error", ...executor }
      : await kernel.runCell(async (signal) => {
          const ctx = createCellContext({ request, publish, kernel, executionCount, silent, storeHistory, allowStdin, signal });
          payload = ctx.payload;
          try {
            return await executor.execute(code, ctx);
          } catch (err) {
            return { status: "error" as const, ...errorFromException(err, "the runtime failed while running the cell") };
          } finally {
            ctx.flush();
          }
        });

  if (result.status === "ok") {
    if (result.result && !silent) {
      publish("execute_result", { execution_count: executionCount, data: result.result.data, metadata: result.result.metadata ?? {} });
    }
    if (historyEntry && result.result) {
      const plain = result.result.data["text/plain"];
      historyEntry.output = typeof plain === "string" ? plain : null;
    }
    const userExpressions = !("ename" in executor) ? await evaluateExpressions(executor, request.content.user_expressions, kernel) : {};
    reply({ status: "ok", execution_count: executionCount, payload, user_expressions: userExpressions });
    return;
  }

  // Mark what is queued for abort before replying: a request the client sends
  // after it has seen this reply is not "queued behind the error" and must run.
  if (stopOnError) await kernel.abortQueuedExecutes();
  const error = { ename: result.ename, evalue: result.evalue, traceback: result.traceback };
  publish("error", error);
  reply({ status: "error", execution_count: executionCount, payload: [], user_expressions: {}, ...error });
};
