// is_complete_request: console frontends ask whether Enter should run the code
// or start a new line. This reply has no error form, so failures say "unknown".
import type { Handler } from "./types.js";

export const handleIsComplete: Handler<"is_complete_request"> = async ({ request, reply, kernel }) => {
  try {
    const executor = await kernel.executor();
    const verdict = executor.isComplete(request.content.code);
    if (verdict.status === "incomplete") reply({ status: "incomplete", indent: verdict.indent ?? "" });
    else reply({ status: verdict.status });
  } catch (err) {
    kernel.log.warn(`is_complete failed, answering "unknown": ${(err as Error)?.message ?? String(err)}`);
    reply({ status: "unknown" });
  }
};
