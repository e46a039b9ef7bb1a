// Which process a kernel ends with (kernel/launcher.ts): ipykernel's
// JPY_PARENT_PID convention, decided from the environment and the process
// tree; and the tree itself, read from /proc for real processes.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ancestorPids, launcherToWatch, parentPid } from "../../kernel/launcher.js";
import { killSpawned, spawnTracked } from "../support/children.js";

describe("launcherToWatch", () => {
  it("watches nothing without JPY_PARENT_PID (a kernel started by hand), or with 0, 1 or garbage", () => {
    expect(launcherToWatch({}, [300, 200])).toMatchObject({ kind: "none", reason: expect.stringMatching(/^no JPY_PARENT_PID \(started by hand/) });
    expect(launcherToWatch({ JPY_PARENT_PID: "" }, [300])).toMatchObject({ kind: "none" });
    expect(launcherToWatch({ JPY_PARENT_PID: "0" }, [300])).toMatchObject({ kind: "none" });
    expect(launcherToWatch({ JPY_PARENT_PID: "1" }, [300])).toEqual({ kind: "none", reason: "JPY_PARENT_PID=1 (init): not watching a launcher" });
    expect(launcherToWatch({ JPY_PARENT_PID: "12ab" }, [300])).toEqual({ kind: "none", reason: 'JPY_PARENT_PID="12ab" is not a process id: not watching a launcher' });
  });

  it("watches JPY_PARENT_PID when it is the parent, as jupyter_client launches kernels", () => {
    expect(launcherToWatch({ JPY_PARENT_PID: "300" }, [300, 200])).toEqual({ kind: "watch", pid: 300, reason: "the launcher is JPY_PARENT_PID 300, its parent" });
  });

  it("watches JPY_PARENT_PID further up when a wrapper runs between (sudo -E keeps sudo as the parent)", () => {
    expect(launcherToWatch({ JPY_PARENT_PID: "200" }, [300, 200, 100])).toEqual({
      kind: "watch", pid: 200, reason: "the launcher is JPY_PARENT_PID 200, an ancestor (a wrapper runs between them)",
    });
  });

  it("watches the parent when JPY_PARENT_PID names no ancestor (inherited from elsewhere), as ipykernel ends an orphaned kernel", () => {
    expect(launcherToWatch({ JPY_PARENT_PID: "999" }, [300, 200])).toEqual({
      kind: "watch", pid: 300, reason: "JPY_PARENT_PID 999 is not an ancestor of this kernel; the launcher watched is its parent, pid 300",
    });
  });

  it("says the launcher is gone when JPY_PARENT_PID names no ancestor and the kernel is already init's", () => {
    expect(launcherToWatch({ JPY_PARENT_PID: "999" }, [])).toMatchObject({ kind: "gone", reason: expect.stringMatching(/the launcher has exited$/) });
  });
});

describe("the process tree from /proc", () => {
  it("reads this process's ancestors, nearest first, without init", () => {
    const mine = ancestorPids();
    expect(mine[0]).toBe(process.ppid);
    expect(mine).not.toContain(1);
    expect(parentPid(process.pid)).toBe(process.ppid);
    expect(ancestorPids(process.pid)).toEqual(mine);
  });

  it("sees through a shell to a grandchild, and reads a comm with spaces and parentheses", async () => {
    // bash runs a `sleep` named "a) b (c" in the background and prints its pid: a grandchild of this process.
    const dir = mkdtempSync(join(tmpdir(), "probebook-launcher-"));
    const odd = join(dir, "a) b (c");
    symlinkSync(execFileSync("sh", ["-c", "command -v sleep"], { encoding: "utf8" }).trim(), odd);
    const bash = spawnTracked("bash", ["-c", '"$0" 30 >/dev/null & echo $!; wait', odd], { stdio: ["ignore", "pipe", "inherit"] });
    let sleep = 0;
    try {
      const line = await new Promise<string>((resolve) => bash.stdout!.once("data", (chunk) => resolve(String(chunk))));
      sleep = Number(line.trim());
      // $! is known before the forked shell has exec'd the sleep: wait for its new name.
      const comm = () => readFileSync(`/proc/${sleep}/comm`, "utf8");
      for (const end = Date.now() + 5000; comm() !== "a) b (c\n" && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
      expect(comm()).toBe("a) b (c\n");
      expect(parentPid(sleep)).toBe(bash.pid);
      expect(ancestorPids(sleep)).toEqual([bash.pid, process.pid, ...ancestorPids()]);
    } finally {
      if (sleep > 1) process.kill(sleep, "SIGKILL");
      await killSpawned();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives undefined for a process that is gone", () => {
    expect(parentPid(spawnSync("true").pid!)).toBeUndefined();
  });
});
