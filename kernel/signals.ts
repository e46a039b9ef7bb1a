// Process signals for a kernel process: SIGINT is an interrupt (frontends with
// interrupt_mode "signal", or a user's Ctrl-C), SIGTERM an orderly shutdown so
// the runtime detaches its probes before the process goes.
import type { RunningKernel } from "./kernel.js";

export function installSignalHandlers(kernel: RunningKernel): () => void {
  const onInterrupt = () => kernel.interrupt();
  const onTerminate = () => void kernel.shutdown(false, "SIGTERM");
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  return () => {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
  };
}
