// `probebook kernel -f <connection file>`: the process a Jupyter frontend
// launches from the kernelspec. The runtime (TypeScript compiler, isolated-vm)
// is imported only when first needed, so the kernel answers kernel_info fast.
import { connectionFileArg } from "./cli-args.js";
import type { Executor } from "./executor.js";
import { startKernel } from "./kernel.js";
import { watchLauncher, type WatchExit } from "./launcher-watch.js";
import { describeError, stderrLogger } from "./log.js";
import { readConnectionFile } from "./protocol/connection.js";
import { installSignalHandlers } from "./signals.js";

async function loadRuntime(log: (message: string) => void): Promise<Executor> {
  const { createExecutor } = await import("../runtime/session.js");
  return createExecutor({ log });
}

/**
 * The pidfd watch of the native addon (a generic process primitive, no BPF),
 * or undefined when the addon can't be loaded (launcher-watch.ts then polls).
 */
async function loadWatchExit(log: (message: string) => void): Promise<WatchExit | undefined> {
  try {
    const { native } = await import("../native/load.js");
    const addon = native();
    return (pid, onExit) => addon.watchExit(pid, onExit);
  } catch (err) {
    log(`the native addon could not be loaded (${describeError(err)})`);
    return undefined;
  }
}

/** Runs the kernel until it shuts down; resolves with the exit code. */
export async function runKernel(args: readonly string[]): Promise<number> {
  const logger = stderrLogger();
  // When the front end goes, so may the terminal or pipe stderr leads to (a
  // closed tmux pane: EIO; a dead client's pipe: EPIPE). A failed log write must
  // not crash the kernel in the middle of detaching its probes: there is
  // nobody left to read it anyway.
  process.stderr.on("error", () => {});
  process.stdout.on("error", () => {});
  // A promise some runtime code forgot to handle must not take the notebook's
  // state down with the process: log it where the operator looks, keep serving.
  process.on("unhandledRejection", (reason) => logger.error(`unhandled promise rejection (a bug; please report it): ${describeError(reason)}`));
  const info = await readConnectionFile(connectionFileArg(args));
  const kernel = await startKernel(info, () => loadRuntime((message) => logger.info(`runtime: ${message}`)), { log: logger });
  installSignalHandlers(kernel);
  // A client that dies without shutdown_request (SIGKILL, a closed terminal)
  // takes the kernel with it, through the same shutdown as the request.
  const stopWatching = watchLauncher({
    log: logger,
    watchExit: await loadWatchExit((message) => logger.warn(message)),
    onGone: (why) => void kernel.shutdown(false, `${why}, so the kernel ends with it`),
  });
  await kernel.closed;
  stopWatching();
  return 0;
}
