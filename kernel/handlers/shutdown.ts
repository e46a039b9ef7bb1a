// shutdown_request: reply, broadcast the reply on iopub (ipykernel does, so
// every client learns of it), then exit cleanly. With restart=true the client's
// kernel manager starts a fresh process; this one just ends.
import type { Handler } from "./types.js";

export const handleShutdown: Handler<"shutdown_request"> = async ({ request, publish, reply, kernel }) => {
  const content = { status: "ok" as const, restart: request.content.restart };
  reply(content);
  publish("shutdown_reply", content);
  kernel.shutdown(request.content.restart);
};
