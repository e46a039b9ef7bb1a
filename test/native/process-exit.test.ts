// watchExit(pid, onExit): the pidfd primitive the kernel uses to end with its
// launcher. Real processes: children that exit when told, a grandchild that
// is not ours, a process that does not exist. Exit behaviour (an uncaught
// throw from onExit, a watch that must not keep its process alive) is tested
// in child processes.
import { spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { native, packageRoot } from "../../native/load.js";
import { killSpawned, spawnTracked } from "../support/children.js";

afterEach(killSpawned);
const addon = native();
const addonPath = join(packageRoot(), "native", "build", "Release", "probebook_bpf.node");

/** A child that exits with `code` once a line arrives on its stdin. */
function exitOnCommand(code = 0): ChildProcess {
  return spawnTracked(process.execPath, ["-e", `process.stdin.once("data", () => process.exit(${code}))`], { stdio: ["pipe", "ignore", "inherit"] });
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("watchExit", () => {
  it("calls onExit once, with no error, soon after the process exits", async () => {
    const child = exitOnCommand();
    const calls: unknown[][] = [];
    const fired = new Promise<number>((resolve) => addon.watchExit(child.pid!, (...args) => {
      calls.push(args);
      resolve(Date.now());
    }));
    await tick(200);
    expect(calls).toEqual([]); // alive: nothing yet
    const exited = Date.now();
    child.stdin!.write("go\n");
    const at = await fired;
    await tick(100);
    expect(calls).toEqual([[]]);
    expect(at - exited).toBeLessThan(1000);
  });

  it("watches a process that is not its child (a grandchild, as a launcher is an ancestor)", async () => {
    // sh starts a sleep in the background and prints its pid: the sleep is not ours.
    const sh = spawnSync("sh", ["-c", "sleep 0.4 >/dev/null 2>&1 & echo $!"], { encoding: "utf8" });
    const pid = Number(sh.stdout.trim());
    expect(pid).toBeGreaterThan(1);
    const started = Date.now();
    const elapsed = await new Promise<number>((resolve) => addon.watchExit(pid, () => resolve(Date.now() - started)));
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5000);
  });

  it("never calls onExit after close()", async () => {
    const child = exitOnCommand();
    let called = 0;
    const watch = addon.watchExit(child.pid!, () => called++);
    expect(watch.pid).toBe(child.pid);
    watch.close();
    watch.close(); // twice is harmless
    child.stdin!.write("go\n");
    await new Promise((resolve) => child.once("exit", resolve));
    await tick(200);
    expect(called).toBe(0);
  });

  it("throws ESRCH for a process that does not exist, and a TypeError for a bad pid or callback", () => {
    const gone = spawnSync("true").pid!; // exited and reaped
    expect(() => addon.watchExit(gone, () => {})).toThrow(expect.objectContaining({
      code: "ESRCH", errno: -3, message: `watch process ${gone} for exit (pidfd_open): ESRCH (No such process)`,
    }));
    expect(() => addon.watchExit(0, () => {})).toThrow(TypeError);
    expect(() => addon.watchExit(-5, () => {})).toThrow(TypeError);
    expect(() => (addon.watchExit as (pid: number, cb?: unknown) => unknown)(process.ppid, "nope")).toThrow(/onExit must be a function/);
  });

  it("does not keep its process alive, and an exception thrown by onExit reaches uncaughtException", () => {
    const script = `
      const addon = require(${JSON.stringify(addonPath)});
      const { spawn } = require("node:child_process");
      // Watching our parent (alive throughout) must not hold the loop open.
      addon.watchExit(process.ppid, () => console.log("parent exited?"));
      process.on("uncaughtException", (e) => console.log("uncaught: " + e.message));
      const child = spawn("sleep", ["0.1"]);
      addon.watchExit(child.pid, () => { throw new Error("from onExit"); });
      child.on("exit", () => setTimeout(() => console.log("done"), 200));
    `;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n").sort()).toEqual(["done", "uncaught: from onExit"]);
  });
});
