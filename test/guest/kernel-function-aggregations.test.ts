// Kernel functions aggregated and filtered in the kernel (agg_fn), on a kernel
// that has kprobes and trampolines: the host's kernel can only refuse these.
// The workload opens a file unique to this test file N times.
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { workloadFile } from "../support/workload-file.js";
import { cellOnWorkload, withDenied } from "./support/on-workload.js";

const N = 120;
const openLoop = workloadFile("open-loop", { sandbox: true });
const vfsReads = workloadFile("vfs-reads", { flags: ["-O0"] });
const path = `/tmp/probebook-guest-agg-${process.pid}`;
writeFileSync(path, "");
afterAll(() => rmSync(path, { force: true }));

const run = (cell: (pid: number) => string) => cellOnWorkload(openLoop.bin, [path, String(N)], cell);

describe("kprobe(fn) aggregations", () => {
  it.each(["", "fentry"])("count by comm, filtered on comm in the kernel (turned off: %s)", async (denied) => {
    const cell = () => [
      `const t = await kprobe("do_sys_openat2").where({ comm: "open-loop" }).count().by("comm").run({ for: "500ms" });`,
      `console.log(JSON.stringify({ rows: t.objects(), programs: t.meta.explain.programs }))`,
    ].join("\n");
    const printed = denied ? await withDenied(denied, () => run(cell)) : await run(cell);
    expect(printed).toEqual({ rows: [{ comm: "open-loop", count: N }], programs: [expect.stringMatching(denied ? /kprobe/ : /fentry/)] });
  });

  it("count by kstack: every call counted, under the openat syscall", async () => {
    const printed = await run((pid) => [
      `const t = await kprobe("do_sys_openat2").where({ pid: ${pid} }).count().by("kstack").run({ for: "500ms" });`,
      `console.log(JSON.stringify({ total: t.array("count").reduce((a, b) => a + b, 0),`,
      `  syscall: t.array("kstack").every((s) => /__x64_sys_openat|do_syscall_64/.test(s)) }))`,
    ].join("\n"));
    expect(printed).toEqual({ total: N, syscall: true });
  });

  it("kretprobe: count by the return value, with a predicate on it in the kernel", async () => {
    const printed = await run((pid) => [
      `const t = await kretprobe("do_sys_openat2").returns("fd", "int").where({ pid: ${pid}, fd: { ge: 0 } }).count().by("fd").run({ for: "500ms" });`,
      `console.log(JSON.stringify(t.objects()))`,
    ].join("\n"));
    expect(printed).toEqual([{ fd: 3, count: N }]);
  });

  it("kretprobe: a predicate that no call meets counts nothing", async () => {
    const printed = await run((pid) => [
      `const t = await kretprobe("do_sys_openat2").returns("fd", "int").where({ pid: ${pid}, fd: { lt: 0 } }).count().run({ for: "500ms" });`,
      `console.log(JSON.stringify(t.objects()))`,
    ].join("\n"));
    expect(printed).toEqual([]);
  });

  it("fentry: a histogram of an argument (dfd is AT_FDCWD, -100, for every call)", async () => {
    const printed = await run((pid) => [
      `const t = await fentry("do_sys_openat2").arg("dfd", 0, "int").where({ pid: ${pid} }).histogram("dfd", { linear: { min: -200, max: 0, step: 50 } }).run({ for: "500ms" });`,
      `console.log(JSON.stringify(t.objects().filter((r) => r.count > 0).map(({ lower, upper, count }) => ({ lower, upper, count }))))`,
    ].join("\n"));
    expect(printed).toEqual([{ lower: -100, upper: -50, count: N }]);
  });

  it("fentry: the sum of an argument, filtered on comm (vfs-reads reads 37 bytes, one at a time)", async () => {
    const printed = await cellOnWorkload(vfsReads.bin, ["37"], () => [
      `const t = await fentry("vfs_read").arg("count", 2, "ulong").where({ comm: "vfs-reads" }).sum("count").run({ for: "500ms" });`,
      `console.log(JSON.stringify({ rows: t.objects(), programs: t.meta.explain.programs }))`,
    ].join("\n"));
    expect(printed).toEqual({ rows: [{ sum: 37 }], programs: ["pb_agg_fentry"] });
  });

  it("kretprobe: the sum of the return values that are bytes read, by comm", async () => {
    const printed = await cellOnWorkload(vfsReads.bin, ["37"], () => [
      `const t = await kretprobe("vfs_read").returns("n").where({ comm: "vfs-reads", n: { gt: 0 } }).sum("n").by("comm").run({ for: "500ms" });`,
      `console.log(JSON.stringify(t.objects()))`,
    ].join("\n"));
    expect(printed).toEqual([{ comm: "vfs-reads", sum: 37 }]);
  });
});
