// watchLauncher (kernel/launcher-watch.ts) with a stand-in for the pidfd and
// a process tree the test controls: what it watches, when it reports the
// launcher gone, and the poll it falls back to where pidfds are unavailable.
// The real thing, with real processes and the real pidfd, is in
// launcher-exit.test.ts.
import { describe, expect, it } from "vitest";
import { watchLauncher, type WatchExit } from "../../kernel/launcher-watch.js";
import type { Logger } from "../../kernel/log.js";

function collectingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

/** A fake pidfd: records what is watched; `exit(pid, error?)` fires it. */
function fakeWatch(fail?: NodeJS.ErrnoException) {
  const watches: Array<{ pid: number; onExit: (e?: Error) => void; closed: boolean }> = [];
  const watchExit: WatchExit = (pid, onExit) => {
    if (fail) throw fail;
    const w = { pid, onExit, closed: false };
    watches.push(w);
    return { close: () => (w.closed = true) };
  };
  return { watches, watchExit };
}

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`watch process 300 for exit (pidfd_open): ${code}`), { code });
const soon = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("watchLauncher", () => {
  it("opens a pidfd on JPY_PARENT_PID and reports it gone once, when it exits", async () => {
    const log = collectingLog();
    const gone: string[] = [];
    const fake = fakeWatch();
    const stop = watchLauncher({ log, watchExit: fake.watchExit, env: { JPY_PARENT_PID: "300" }, ancestors: () => [300, 200], onGone: (w) => gone.push(w) });
    expect(fake.watches.map((w) => w.pid)).toEqual([300]);
    expect(log.lines).toEqual(["info the launcher is JPY_PARENT_PID 300, its parent; the kernel shuts down when it exits"]);
    fake.watches[0].onExit();
    fake.watches[0].onExit();
    expect(gone).toEqual(["the launcher (pid 300) has exited"]);
    stop();
  });

  it("stop() closes the pidfd, and nothing is reported after it", () => {
    const gone: string[] = [];
    const fake = fakeWatch();
    const stop = watchLauncher({ log: collectingLog(), watchExit: fake.watchExit, env: { JPY_PARENT_PID: "300" }, ancestors: () => [300], onGone: (w) => gone.push(w) });
    stop();
    expect(fake.watches[0].closed).toBe(true);
    fake.watches[0].onExit();
    expect(gone).toEqual([]);
  });

  it("watches nothing for a kernel started by hand (no JPY_PARENT_PID) and says so", async () => {
    const log = collectingLog();
    const gone: string[] = [];
    const fake = fakeWatch();
    watchLauncher({ log, watchExit: fake.watchExit, env: {}, ancestors: () => [300], onGone: (w) => gone.push(w) });
    await soon();
    expect(fake.watches).toEqual([]);
    expect(gone).toEqual([]);
    expect(log.lines).toEqual(["info no JPY_PARENT_PID (started by hand, not by a Jupyter client): the kernel runs until shutdown_request or SIGTERM"]);
  });

  it("reports the launcher gone when it exited before the pidfd was opened (ESRCH)", async () => {
    const gone: string[] = [];
    watchLauncher({ log: collectingLog(), watchExit: fakeWatch(errno("ESRCH")).watchExit, env: { JPY_PARENT_PID: "300" }, ancestors: () => [300], onGone: (w) => gone.push(w) });
    await soon();
    expect(gone).toEqual(["the launcher (pid 300) exited before the kernel could watch it"]);
  });

  it("reports the launcher gone when it left the process tree while the pidfd was opened (its pid may be another's now)", async () => {
    const gone: string[] = [];
    const trees = [[300, 200], [200]];
    const fake = fakeWatch();
    watchLauncher({ log: collectingLog(), watchExit: fake.watchExit, env: { JPY_PARENT_PID: "300" }, ancestors: () => trees.shift() ?? [200], onGone: (w) => gone.push(w) });
    await soon();
    expect(gone).toEqual(["the launcher (pid 300) has exited"]);
    expect(fake.watches[0].closed).toBe(true);
  });

  it("falls back to polling the process tree where pidfds are unavailable (ENOSYS), and says so", async () => {
    const log = collectingLog();
    const gone: string[] = [];
    let tree = [300, 200];
    watchLauncher({ log, watchExit: fakeWatch(errno("ENOSYS")).watchExit, env: { JPY_PARENT_PID: "300" }, ancestors: () => tree, onGone: (w) => gone.push(w), pollMs: 10 });
    expect(log.lines[0]).toBe("warn a pidfd on the launcher could not be opened (watch process 300 for exit (pidfd_open): ENOSYS); checking every 10 ms whether the launcher (pid 300) is still there instead");
    await soon();
    expect(gone).toEqual([]);
    tree = [1];
    await soon();
    expect(gone).toEqual(["the launcher (pid 300) has exited"]);
  });

  it("polls when the pidfd reports an error instead of an exit", async () => {
    const log = collectingLog();
    const gone: string[] = [];
    let tree = [300];
    const fake = fakeWatch();
    watchLauncher({ log, watchExit: fake.watchExit, env: { JPY_PARENT_PID: "300" }, ancestors: () => tree, onGone: (w) => gone.push(w), pollMs: 10 });
    fake.watches[0].onExit(new Error("EBADF"));
    expect(log.lines.at(-1)).toMatch(/^warn watching the launcher \(pid 300\) failed: Error: EBADF/);
    tree = [];
    await soon();
    expect(gone).toEqual(["the launcher (pid 300) has exited"]);
  });

  it("reports an orphan with a stale JPY_PARENT_PID gone at once, as ipykernel does", async () => {
    const gone: string[] = [];
    watchLauncher({ log: collectingLog(), watchExit: fakeWatch().watchExit, env: { JPY_PARENT_PID: "999" }, ancestors: () => [], onGone: (w) => gone.push(w) });
    await soon();
    expect(gone).toEqual(["JPY_PARENT_PID 999 is not running and this kernel's parent is init: the launcher has exited"]);
  });
});
