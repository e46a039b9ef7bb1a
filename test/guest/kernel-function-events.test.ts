// Kernel functions as event sources, on a kernel that has kprobes and BPF
// trampolines (the qemu guest of scripts/guest/). Every count is exact: the
// workload opens a file unique to this test file N times, and the probes
// filter on its pid in the kernel.
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { workloadFile } from "../support/workload-file.js";
import { cellOnWorkload, withDenied } from "./support/on-workload.js";

const N = 200;
const openLoop = workloadFile("open-loop", { sandbox: true });
const path = `/tmp/probebook-guest-opens-${process.pid}`;
writeFileSync(path, "");
afterAll(() => rmSync(path, { force: true }));

/** A cell that collects `probe` on the workload's pid and prints its rows' distinct values and what ran. */
const collect = (probe: string, columns: string[]) => (pid: number) => [
  `const t = await ${probe}.where({ pid: ${pid} }).events({ for: "500ms" });`,
  `const x = t.meta.explain;`,
  `console.log(JSON.stringify({ rows: t.numRows(), dropped: t.meta.dropped,`,
  `  values: Object.fromEntries(${JSON.stringify(columns)}.map((c) => [c, [...new Set(t.array(c))]])),`,
  `  attach: x.attach }))`,
].join("\n");

const opens = (probe: string, columns: string[]) => cellOnWorkload(openLoop.bin, [path, String(N)], collect(probe, columns));

describe("kprobe(fn) entry events", () => {
  it("carry a string argument: N opens through do_sys_openat2 give N rows with the path (on fentry, where the kernel has trampolines)", async () => {
    expect(await opens(`kprobe("do_sys_openat2").arg("filename", 1, "string")`, ["filename", "comm"])).toEqual({
      rows: N, dropped: 0, values: { filename: [path], comm: ["open-loop"] },
      attach: ["fentry/fexit do_sys_openat2 (pb_fentry)"],
    });
  });

  it("the same on the kprobe itself when fentry is turned off", async () => {
    const printed = await withDenied("fentry", () => opens(`kprobe("do_sys_openat2").arg("filename", 1, "string")`, ["filename"]));
    expect(printed).toEqual({ rows: N, dropped: 0, values: { filename: [path] }, attach: ["kprobe do_sys_openat2"] });
  });
});

describe("kretprobe(fn) return events", () => {
  it("carry the return value: each open's fd (3: the workload closes every one)", async () => {
    expect(await opens(`kretprobe("do_sys_openat2").returns("fd", "int")`, ["fd", "comm"])).toEqual({
      rows: N, dropped: 0, values: { fd: [3], comm: ["open-loop"] }, attach: ["kretprobe do_sys_openat2"],
    });
  });
});

describe("the article's kprobe/kretprobe pair on openat", () => {
  it("comm, filename and fd in one row: the argument saved at the entry, shown with the return value", async () => {
    const printed = await cellOnWorkload(openLoop.bin, [path, String(N)], (pid) => [
      `const t = await kretprobe("do_sys_openat2").arg("filename", 1, "string").returns("fd", "int").where({ pid: ${pid} }).events({ for: "500ms" });`,
      `console.log(JSON.stringify({ rows: t.numRows(), distinct: t.select("comm", "filename", "fd").dedupe().objects(), programs: t.meta.explain.programs }))`,
    ].join("\n"));
    expect(printed).toEqual({
      rows: N, distinct: [{ comm: "open-loop", filename: path, fd: 3 }], programs: ["pb_kprobe_entry", "pb_kretprobe"],
    });
  });
});

describe("fentry(fn) events", () => {
  it("see every call with its arguments", async () => {
    expect(await opens(`fentry("do_sys_openat2").arg("dfd", 0, "int").arg("filename", 1, "string")`, ["dfd", "filename"])).toEqual({
      rows: N, dropped: 0, values: { dfd: [-100], filename: [path] }, // AT_FDCWD
      attach: ["fentry/fexit do_sys_openat2 (pb_fentry)"],
    });
  });

  it("fall back to the kprobe when fentry is turned off, and say why", async () => {
    const printed = await withDenied("fentry", () => cellOnWorkload(openLoop.bin, [path, String(N)], (pid) => [
      `const t = await fentry("do_sys_openat2").arg("filename", 1, "string").where({ pid: ${pid} }).events({ for: "500ms" });`,
      `console.log(JSON.stringify({ rows: t.numRows(), files: [...new Set(t.array("filename"))], attach: t.meta.explain.attach, why: t.meta.explain.why }))`,
    ].join("\n")));
    expect(printed).toEqual({ rows: N, files: [path], attach: ["kprobe do_sys_openat2"], why: expect.stringMatching(/fentry/) });
  });

  it("with neither, a clear error that names what is missing", async () => {
    const printed = await withDenied("fentry,kprobe", () => opens(`fentry("do_sys_openat2")`, []));
    expect(printed).toEqual({ error: expect.stringMatching(/are turned off \(PROBEBOOK_DENY_FEATURES=fentry,kprobe\)/) });
  });
});
