// The kernel without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (dropped from the
// bounding set with setpriv, so the process really lacks them: checked in
// /proc/<pid>/status): ordinary cells run, data saved earlier loads, and a
// probe cell fails with an error naming the missing capability and what to do.
// Then each dropped on its own, and in the pairs that matter: the kernel lets
// CAP_SYS_ADMIN stand in for CAP_BPF (bpf_capable()) and for CAP_PERFMON
// (perfmon_capable()), so one missing alone costs nothing and probes run;
// CAP_BPF or CAP_PERFMON missing together with CAP_SYS_ADMIN fails the probe
// cell with exactly those named.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { probebookBin } from "../kernel/support/built-dist.js";
import { fileKernel } from "../kernel/support/file-kernel.js";
import { tableToArrowBytes } from "../../probes-lib/save-arrow.js";
import * as aq from "arquero";
import { missingCapabilities } from "../../runtime/host/capabilities.js";

const dir = mkdtempSync(join(tmpdir(), "probebook-nocaps-"));
writeFileSync(join(dir, "earlier.arrow"), tableToArrowBytes(aq.table({ pid: [1, 2, 3] })));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const k = fileKernel({
  command: ["setpriv", "--inh-caps=-all", "--bounding-set=-bpf,-perfmon,-sys_admin", "--", process.execPath, probebookBin, "kernel"],
  cwd: dir,
});

const CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

describe("missingCapabilities", () => {
  it("reads CapEff: all of them present, none, or only CAP_SYS_ADMIN", () => {
    expect(missingCapabilities("CapEff:\t000001ffffffffff\n")).toEqual([]);
    expect(missingCapabilities("CapEff:\t0000000000000000\n")).toEqual(["CAP_BPF", "CAP_PERFMON", "CAP_SYS_ADMIN"]);
    expect(missingCapabilities("CapEff:\t0000000000200000\n")).toEqual(["CAP_BPF", "CAP_PERFMON"]);
    expect(missingCapabilities()).toEqual([]); // the test runs as root with all three
  });
});

describe("a kernel without CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN", () => {
  it("really runs without them", () => {
    const status = readFileSync(`/proc/${k.kernel.child.pid}/status`, "utf8");
    const eff = BigInt("0x" + /CapEff:\s*([0-9a-f]+)/.exec(status)![1]);
    for (const cap of [CAP_SYS_ADMIN, CAP_PERFMON, CAP_BPF]) expect((eff >> BigInt(cap)) & 1n).toBe(0n);
    expect(eff).not.toBe(0n); // still root with its other capabilities
  });

  it("runs ordinary cells and loads data saved earlier", async () => {
    expect((await k.execute("[1, 2, 3].map((x) => x * 2)")).text).toBe("[ 2, 4, 6 ]");
    const r = await k.execute('(await load("earlier.arrow")).array("pid")');
    expect(r.content.status).toBe("ok");
    expect(r.text).toContain("1, 2, 3");
  }, 60_000);

  it("fails a probe cell with an error naming the missing capability", async () => {
    const r = await k.execute('await tracepoint("sched:sched_switch").limit(5).events({ for: "2s" })', { timeoutMs: 60_000 });
    expect(r.content).toMatchObject({ status: "error", ename: "TemplateLoadError" });
    expect(r.content.evalue).toMatch(/^template tp_events for sched:sched_switch did not load: .*EPERM .*\(this kernel process lacks CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN: probes need CAP_BPF and CAP_PERFMON, and CAP_SYS_ADMIN for some hooks; start the kernel as root, or with those capabilities; cells without probes and load\(\) work without them\)/);
    // And the kernel carries on.
    expect((await k.execute("6 * 7")).text).toBe("42");
  }, 60_000);
});

describe.each([
  { drop: "bpf", missing: [], why: "CAP_SYS_ADMIN stands in for it" },
  { drop: "perfmon", missing: [], why: "CAP_SYS_ADMIN stands in for it" },
  { drop: "sys_admin", missing: [], why: "CAP_BPF and CAP_PERFMON are enough where tracefs is mounted" },
  { drop: "bpf,sys_admin", missing: ["CAP_BPF", "CAP_SYS_ADMIN"], why: "" },
  { drop: "perfmon,sys_admin", missing: ["CAP_PERFMON", "CAP_SYS_ADMIN"], why: "" },
])("a kernel without $drop", ({ drop, missing, why }) => {
  const own = fileKernel({
    command: ["setpriv", "--inh-caps=-all", `--bounding-set=${drop.split(",").map((c) => `-${c}`).join(",")}`, "--", process.execPath, probebookBin, "kernel"],
    cwd: dir,
  });

  it(missing.length ? `fails a probe cell naming ${missing.join(" and ")}; ordinary cells and load() work` : `runs probes (${why}), ordinary cells and load()`, async () => {
    expect(missingCapabilities(readFileSync(`/proc/${own.kernel.child.pid}/status`, "utf8"))).toEqual(missing.length ? missing : drop === "sys_admin" ? ["CAP_SYS_ADMIN"] : [`CAP_${drop.toUpperCase()}`]);
    const r = await own.execute('(await tracepoint("sched:sched_switch").limit(5).events({ for: "5s" })).numRows()', { timeoutMs: 60_000 });
    if (missing.length) {
      expect(r.content).toMatchObject({ status: "error", ename: "TemplateLoadError" });
      expect(r.content.evalue).toContain(`EPERM`);
      expect(r.content.evalue).toContain(`(this kernel process lacks ${missing.join(", ")}: probes need CAP_BPF and CAP_PERFMON`);
    } else {
      expect(r.content.status, JSON.stringify(r.content)).toBe("ok");
      expect(r.text).toBe("5");
    }
    expect((await own.execute('(await load("earlier.arrow")).array("pid").join()')).text).toBe("'1,2,3'");
  }, 60_000);
});
