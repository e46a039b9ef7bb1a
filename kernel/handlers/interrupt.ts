// interrupt_request (kernelspec interrupt_mode "message"): abort the running
// cell's signal and tell the runtime; SIGINT takes the same path (signals.ts).
import type { Handler } from "./types.js";

export const handleInterrupt: Handler<"interrupt_request"> = async ({ reply, kernel }) => {
  kernel.interrupt();
  reply({ status: "ok" });
};
