// Ends the kernel with the process that launched it (kernel/launcher.ts says
// which one). A client killed with SIGKILL, or a `jupyter console` whose
// terminal closed, never sends shutdown_request: without this the kernel is
// re-parented to init and keeps whatever it had running, unreachable.
//
// The kernel of the OS says when the launcher exits: `watchExit` is a pidfd
// (the native addon's primitive, passed in by main.ts), so the shutdown starts
// at once. Only where pidfds are unavailable (a kernel before 5.3, a seccomp
// filter) does a one-second poll of the process tree stand in, as ipykernel's
// parent poller does.
import { describeError, type Logger } from "./log.js";
import { ancestorPids, launcherToWatch } from "./launcher.js";

/** Calls onExit once when `pid` exits; throws when it can't watch (no such process, no pidfd support). */
export type WatchExit = (pid: number, onExit: (error?: Error) => void) => { close(): void };

export interface LauncherWatchOptions {
  log: Logger;
  /** Called once, with why, when the launcher is gone. */
  onGone: (why: string) => void;
  /** The event-driven watch; without it (or when it throws) the poll is used. */
  watchExit?: WatchExit;
  env?: NodeJS.ProcessEnv;
  /** Parent, grandparent, ... nearest first (tests pass their own). */
  ancestors?: () => number[];
  pollMs?: number;
}

/** Starts watching; returns a function that stops it. */
export function watchLauncher(options: LauncherWatchOptions): () => void {
  const { log, watchExit } = options;
  const ancestors = options.ancestors ?? (() => ancestorPids());
  const choice = launcherToWatch(options.env ?? process.env, ancestors());
  let stopped = false;
  let stopWatch = () => {};
  const stop = () => {
    stopped = true;
    stopWatch();
  };
  const gone = (why: string) => {
    if (stopped) return;
    stop();
    options.onGone(why);
  };

  if (choice.kind === "none") {
    log.info(choice.reason);
    return stop;
  }
  if (choice.kind === "gone") {
    // Deferred like every later report, so the caller has its stop function first.
    setImmediate(() => gone(choice.reason));
    return stop;
  }
  const { pid } = choice;
  const stillThere = () => ancestors().includes(pid);

  const poll = (why: string) => {
    log.warn(`${why}; checking every ${options.pollMs ?? 1000} ms whether the launcher (pid ${pid}) is still there instead`);
    const timer = setInterval(() => {
      if (!stillThere()) gone(`the launcher (pid ${pid}) has exited`);
    }, options.pollMs ?? 1000);
    timer.unref();
    stopWatch = () => clearInterval(timer);
  };

  if (!watchExit) {
    poll("no pidfd watch available");
  } else {
    try {
      const watch = watchExit(pid, (error) => {
        if (error) poll(`watching the launcher (pid ${pid}) failed: ${describeError(error)}`);
        else gone(`the launcher (pid ${pid}) has exited`);
      });
      stopWatch = () => watch.close();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") {
        setImmediate(() => gone(`the launcher (pid ${pid}) exited before the kernel could watch it`));
        return stop;
      }
      poll(`a pidfd on the launcher could not be opened (${(err as Error).message})`);
    }
  }
  // The launcher may have exited, and its pid been reused, between reading the
  // process tree and opening the pidfd: only a launcher still among our
  // ancestors is the one we opened.
  if (!stillThere()) {
    setImmediate(() => gone(`the launcher (pid ${pid}) has exited`));
    return stop;
  }
  log.info(`${choice.reason}; the kernel shuts down when it exits`);
  return stop;
}
