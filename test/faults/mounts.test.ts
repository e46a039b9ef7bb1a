// tracefs and bpffs missing: the real kernel runs in a private mount namespace
// of its own (unshare -m) where both are unmounted, so the host's mounts are
// never touched. probebook mounts tracefs itself and the probe runs (bpffs is
// not needed: nothing is pinned); where it can't mount (no CAP_SYS_ADMIN), the
// cell's error says exactly what to run.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { probebookBin } from "../kernel/support/built-dist.js";
import { fileKernel } from "../kernel/support/file-kernel.js";

// Unmounts both in the new namespace, checks they are gone, then runs the kernel ("$@").
const UNMOUNTED = [
  "umount /sys/kernel/tracing 2>/dev/null; umount /sys/fs/bpf 2>/dev/null;",
  "if mountpoint -q /sys/kernel/tracing || mountpoint -q /sys/fs/bpf; then echo 'still mounted' >&2; exit 99; fi;",
  'exec "$@"',
].join(" ");
const inNamespace = (...prefix: string[]) => ["unshare", "-m", "--propagation", "private", "sh", "-c", UNMOUNTED, "sh", ...prefix, process.execPath, probebookBin, "kernel"];
const hostTracefsMounts = () => readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => / - tracefs /.test(l)).length;

describe("tracefs and bpffs not mounted, as root", () => {
  const before = hostTracefsMounts();
  const k = fileKernel({ command: inNamespace() });

  it("mounts tracefs itself (said in the kernel's log) and the probe runs; the host's mounts are unchanged", async () => {
    const r = await k.execute('(await tracepoint("sched:sched_switch").limit(5).events({ for: "5s" })).numRows()', { timeoutMs: 60_000 });
    expect(r.content.status, JSON.stringify(r.content)).toBe("ok");
    expect(r.text).toBe("5");
    await k.waitForLog(/tracefs was not mounted; mounted it at \/sys\/kernel\/tracing/);
    expect(hostTracefsMounts()).toBe(before);
  }, 60_000);
});

describe("tracefs not mounted and no CAP_SYS_ADMIN to mount it", () => {
  const k = fileKernel({ command: inNamespace("setpriv", "--bounding-set=-sys_admin", "--") });

  it("fails the probe cell with the exact command to run, and ordinary cells still work", async () => {
    const r = await k.execute('await tracepoint("sched:sched_switch").limit(5).events({ for: "5s" })', { timeoutMs: 60_000 });
    expect(r.content.status).toBe("error");
    expect(r.content.evalue).toMatch(/^tracefs is not mounted at \/sys\/kernel\/tracing \(mounting it failed: .+\): run, as root, `mount -t tracefs tracefs \/sys\/kernel\/tracing` \(scripts\/setup\.sh does it\), then run the cell again$/);
    expect((await k.execute("2 ** 10")).text).toBe("1024");
  }, 60_000);
});
