// `probebook kernel -f <connection file>`: the process a Jupyter frontend
// launches from the kernelspec. The runtime (TypeScript compiler, isolated-vm)
// is imported only when first needed, so the kernel answers kernel_info fast.
import { connectionFileArg } from "./cli-args.js";
import type { Executor } from "./executor.js";
import { startKernel } from "./kernel.js";
import { describeError, stderrLogger } from "./log.js";
import { readConnectionFile } from "./protocol/connection.js";
import { installSignalHandlers } from "./signals.js";

async function loadRuntime(log: (message: string) => void): Promise<Executor> {
  const { createExecutor } = await import("../runtime/session.js");
  return createExecutor({ log });
}

/** Runs the kernel until it shuts down; resolves with the exit code. */
export async function runKernel(args: readonly string[]): Promise<number> {
  const logger = stderrLogger();
  // A promise some runtime code forgot to handle must not take the notebook's
  // state down with the process: log it where the operator looks, keep serving.
  process.on("unhandledRejection", (reason) => logger.error(`unhandled promise rejection (a bug; please report it): ${describeError(reason)}`));
  const info = await readConnectionFile(connectionFileArg(args));
  const kernel = await startKernel(info, () => loadRuntime((message) => logger.info(`runtime: ${message}`)), { log: logger });
  installSignalHandlers(kernel);
  await kernel.closed;
  return 0;
}
