// Kernel function latency (entry to return, per thread) on a kernel that has
// both pairs: fentry/fexit where the kernel has BPF trampolines, and again
// with fentry turned off, so that the kprobe/kretprobe pair is used. Then the
// article's connect latency: tcp_v4_connect's entry to its return, against a
// loopback server this test runs.
import { createServer, type AddressInfo, type Server } from "node:net";
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workloadFile } from "../support/workload-file.js";
import { cellOnWorkload, withDenied } from "./support/on-workload.js";

const N = 150;
const openLoop = workloadFile("open-loop", { sandbox: true });
const connectLoop = workloadFile("connect-loop");
const path = `/tmp/probebook-guest-latency-${process.pid}`;
writeFileSync(path, "");
afterAll(() => rmSync(path, { force: true }));

/** Counts the pairs of `probe` by comm, and says which programs measured them. */
const pairs = (probe: string) => (pid: number) => [
  `const t = await ${probe}.latency().where({ pid: ${pid} }).by("comm").count({ for: "500ms" });`,
  `console.log(JSON.stringify({ rows: t.objects(), programs: t.meta.explain.programs }))`,
].join("\n");

describe("latency of do_sys_openat2 (N opens: N pairs)", () => {
  it("kprobe(fn).latency() runs on the fentry/fexit pair where the kernel has trampolines", async () => {
    expect(await cellOnWorkload(openLoop.bin, [path, String(N)], pairs(`kprobe("do_sys_openat2")`))).toEqual({
      rows: [{ comm: "open-loop", count: N }], programs: ["pb_lat_fentry", "pb_lat_fexit"],
    });
  });

  it("fentry(fn).latency() on the kprobe/kretprobe pair when fentry is turned off", async () => {
    const printed = await withDenied("fentry", () => cellOnWorkload(openLoop.bin, [path, String(N)], pairs(`fentry("do_sys_openat2")`)));
    expect(printed).toEqual({ rows: [{ comm: "open-loop", count: N }], programs: ["pb_lat_kprobe", "pb_lat_kretprobe"] });
  });

  it("a log2 histogram holds every pair", async () => {
    const printed = await cellOnWorkload(openLoop.bin, [path, String(N)], (pid) => [
      `const t = await fentry("do_sys_openat2").latency().where({ pid: ${pid} }).histogram({ for: "500ms" });`,
      `console.log(JSON.stringify({ total: t.array("count").reduce((a, b) => a + b, 0), programs: t.meta.explain.programs }))`,
    ].join("\n"));
    expect(printed).toEqual({ total: N, programs: ["pb_lat_fentry", "pb_lat_fexit"] });
  });
});

describe("connect latency (the article's kprobe/kretprobe pair on tcp_v4_connect)", () => {
  let server: Server;
  let port: number;
  let accepted = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it.each([["kprobe", ""], ["kprobe", "fentry"]])("N connections give N rows with latency > 0 (%s, turned off: %s)", async (hook, denied) => {
    const cell = (pid: number) => [
      `const t = await ${hook}("tcp_v4_connect").latency().where({ pid: ${pid} }).by("comm").events({ over: "1ns", for: "500ms" });`,
      `console.log(JSON.stringify({ rows: t.numRows(), comms: [...new Set(t.array("comm"))], positive: t.array("latency_ns").every((ns) => ns > 0), programs: t.meta.explain.programs }))`,
    ].join("\n");
    const run = () => cellOnWorkload(connectLoop.bin, [String(port), String(N)], cell);
    const printed = denied ? await withDenied(denied, run) : await run();
    expect(printed).toEqual({
      rows: N, comms: ["connect-loop"], positive: true,
      programs: denied ? ["pb_lat_kprobe", "pb_lat_kretprobe"] : ["pb_lat_fentry", "pb_lat_fexit"],
    });
  });
});
