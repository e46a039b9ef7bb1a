// The soak: the real kernel (bin/probebook.js kernel) over ZeroMQ under a
// sustained stream, then many re-runs of a notebook of probe cells.
//   short form (the test command):  npx vitest run test/soak/soak.test.ts
//   long form:                      npm run soak   (PROBEBOOK_SOAK=long)
// 1. A workload calls getppid() as fast as it can (the long form: 30 s) while a
//    cell streams syscalls:sys_enter_getppid filtered to it. Every 100 ms the
//    test pings the heartbeat and sends kernel_info_request on control; the
//    kernel's RSS is sampled. Afterwards rows + drops must equal the calls the
//    workload counted itself, exactly.
// 2. A cell streaming for a minute is interrupted on control: the reply comes
//    within a second (the long form; the short form allows for a loaded machine).
// 3. A notebook of 20 probe cells re-run 50 times (short form: 4): after each
//    round the kernel holds no BPF program, map or link, and its RSS after the
//    last round is within a margin of the RSS after round 5 (short form: 2).
// The figures are printed as one JSON line ("soak figures").
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildC, type BuiltC } from "../bpf/support/build-c.js";
import { startHeld } from "../bpf/support/workload.js";
import { probebookBin, requireBuiltDist } from "../kernel/support/built-dist.js";
import { TestClient } from "../kernel/support/client.js";
import { executeRequest } from "../kernel/support/file-kernel.js";
import { spawnKernel, type KernelProcess } from "../kernel/support/kernel-process.js";
import { killSpawned } from "../support/children.js";
import { describeHeld, heldBpf } from "../support/held-bpf.js";

const LONG = process.env.PROBEBOOK_SOAK === "long";
const P = LONG
  ? { streamS: 30, rounds: 50, baselineRound: 5, controlMs: 100, interruptMs: 1000, rssBoundMb: 2048, driftMb: 64 }
  : { streamS: 4, rounds: 4, baselineRound: 2, controlMs: 3000, interruptMs: 3000, rssBoundMb: 2048, driftMb: 128 };
const MB = 1024 * 1024;

let build: BuiltC;
let kernel: KernelProcess;
let client: TestClient;
const figures: Record<string, unknown> = { form: LONG ? "long" : "short" };

beforeAll(async () => {
  requireBuiltDist();
  build = buildC("getppid-loop");
  kernel = await spawnKernel({
    command: [process.execPath, probebookBin, "kernel"],
    // Rows are kept for the accounting: the row cap, the sandbox and the memory budget (which
    // counts the sandbox) are raised for the stream.
    env: { ...process.env, PROBEBOOK_MAX_ROWS: "400000000", PROBEBOOK_SANDBOX_MEMORY_MB: "3072", PROBEBOOK_MAX_MEMORY_MB: "8192" },
  });
  client = new TestClient(kernel.info);
  await client.waitForReady(30_000);
  // A first cell loads the runtime (the TypeScript compiler), which holds the main thread
  // for about a second: as in a notebook, that happens before the stream, not during it.
  await execute("1 + 1");
}, 60_000);
afterAll(async () => {
  await killSpawned();
  client?.close();
  await kernel?.dispose();
  build?.cleanup();
  console.log(`soak figures ${JSON.stringify(figures)}`);
});

const rssBytes = (pid: number) => Number(/VmRSS:\s*(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

async function execute(code: string, timeoutMs = 120_000) {
  const id = await client.send("shell", "execute_request", executeRequest(code));
  const reply = await client.reply("shell", id, timeoutMs);
  const iopub = await client.iopubUntilIdle(id, timeoutMs);
  return { id, reply, iopub, text: iopub.find((m) => m.header.msg_type === "execute_result")?.content.data["text/plain"] as string | undefined };
}

/** Every 100 ms until stopped: a heartbeat round trip, a kernel_info on control, the kernel's RSS. */
function sampler(pid: number) {
  const hb: number[] = [], control: number[] = [], rss: number[] = [];
  const start = performance.now();
  let worstControlAt = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await client.ping(5000);
      hb.push(performance.now() - t0);
      const t1 = performance.now();
      const id = await client.send("control", "kernel_info_request");
      await client.reply("control", id, 5000);
      const took = performance.now() - t1;
      if (took > max(control)) worstControlAt = t1 - start;
      control.push(took);
      rss.push(rssBytes(pid));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return { hb, control, rss, worstControlAt: () => worstControlAt, stop: async () => ((running = false), await loop) };
}

const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? 0;

describe(`soak (${LONG ? "long" : "short"} form)`, () => {
  it(`streams a getppid() workload for ${P.streamS} s: rows + drops == the workload's own count, control and heartbeat answered throughout, progress shown, RSS under ${P.rssBoundMb} MB`, async () => {
    const wl = await startHeld(build.bin, [String(P.streamS)]);
    let out = "";
    wl.child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    const s = sampler(kernel.child.pid!);
    const cell = client.send("shell", "execute_request", executeRequest(
      `const r = await (async () => { const t = await tracepoint("syscalls:sys_enter_getppid").where({ pid: ${wl.pid} }).columns("cpu").events({ for: "${P.streamS + 6}s" });` +
      ` return [t.numRows(), t.meta.dropped, t.meta.stoppedBy]; })(); JSON.stringify(r)`));
    const id = await cell;
    // Start the workload once the probe is attached (the kernel holds a link).
    const deadline = Date.now() + 30_000;
    while (heldBpf(kernel.child.pid!).links.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(heldBpf(kernel.child.pid!).links.length).toBeGreaterThan(0);
    expect(await wl.go()).toBe(0);
    const calls = Number(/calls (\d+)/.exec(out)![1]);
    const reply = await client.reply("shell", id, 120_000);
    const iopub = await client.iopubUntilIdle(id, 120_000);
    await s.stop();
    expect(reply.content.status, JSON.stringify(reply.content)).toBe("ok");
    const text = iopub.find((m) => m.header.msg_type === "execute_result")!.content.data["text/plain"] as string;
    const [rows, dropped, stoppedBy] = JSON.parse(text.replace(/^'|'$/g, ""));
    const progress = iopub.filter((m) => m.header.msg_type === "update_display_data" || m.header.msg_type === "display_data").length;
    Object.assign(figures, {
      stream: { seconds: P.streamS, calls, rows, dropped, stoppedBy, eventsPerSecond: Math.round(calls / P.streamS), progressMessages: progress },
      heartbeatMs: { max: +max(s.hb).toFixed(1), p99: +p99(s.hb).toFixed(1), samples: s.hb.length },
      controlKernelInfoMs: { max: +max(s.control).toFixed(1), p99: +p99(s.control).toFixed(1), samples: s.control.length, worstAtMs: Math.round(s.worstControlAt()) },
      streamRssMb: { max: Math.round(max(s.rss) / MB), bound: P.rssBoundMb },
    });
    // The workload exits after its loop: the run ends then (or at its duration).
    expect(["target-exited", "duration"]).toContain(stoppedBy);
    expect(rows + dropped).toBe(calls);
    expect(progress).toBeGreaterThanOrEqual(2);
    if (LONG) expect(calls / P.streamS).toBeGreaterThan(1_000_000);
    // The heartbeat is echoed on its own thread; control shares the main thread with the hand-over of the result.
    expect(max(s.hb)).toBeLessThan(P.controlMs);
    expect(max(s.control)).toBeLessThan(P.controlMs);
    expect(max(s.rss)).toBeLessThan(P.rssBoundMb * MB);
    expect(s.control.length).toBeGreaterThanOrEqual(P.streamS * 2);
  }, 300_000);

  it(`interrupts a streaming cell within ${P.interruptMs} ms`, async () => {
    const id = await client.send("shell", "execute_request", executeRequest('await tracepoint("sched:sched_switch").events({ for: "60s" })'));
    await client.iopubMsg(id, "display_data", 30_000); // the progress line: collecting
    const t0 = performance.now();
    const interrupt = await client.send("control", "interrupt_request");
    await client.reply("control", interrupt);
    const reply = await client.reply("shell", id, 30_000);
    const ms = performance.now() - t0;
    await client.iopubUntilIdle(id);
    figures.interruptMs = Math.round(ms);
    expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(ms).toBeLessThan(P.interruptMs);
  }, 60_000);

  it(`re-runs a notebook of 20 probe cells ${P.rounds} times: nothing left attached after each round, RSS flat`, async () => {
    const cells = Array.from({ length: 20 }, (_, i) => [
      `(await tracepoint("sched:sched_switch").count().by("cpu").run({ for: "20ms" })).numRows() > 0`,
      `(await tracepoint("sched:sched_switch").limit(20).events({ for: "2s" })).numRows() === 20`,
      `(await syscall("read").latency().histogram({ for: "20ms" })).numRows() >= 0`,
      `(await tracepoint("syscalls:sys_enter_openat").count().by("comm").run({ for: "20ms" })).numRows() >= 0`,
    ][i % 4]);
    const rss: number[] = [];
    for (let round = 1; round <= P.rounds; round++) {
      for (const code of cells) {
        const r = await execute(code);
        expect(r.reply.content.status, `round ${round}: ${code}: ${JSON.stringify(r.reply.content)}`).toBe("ok");
        expect(r.text).toBe("true");
      }
      // Closing is asynchronous (detach off the JS thread): allow it a moment.
      let left = describeHeld(kernel.child.pid!);
      for (let i = 0; i < 100 && left.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        left = describeHeld(kernel.child.pid!);
      }
      expect(left, `round ${round}`).toEqual([]);
      rss.push(rssBytes(kernel.child.pid!));
    }
    const baseline = rss[P.baselineRound - 1]!, last = rss[rss.length - 1]!;
    figures.reruns = { cells: 20, rounds: P.rounds, rssMbAfterBaselineRound: Math.round(baseline / MB), baselineRound: P.baselineRound,
      rssMbAfterLast: Math.round(last / MB), driftMb: +((last - baseline) / MB).toFixed(1), marginMb: P.driftMb, leftAttached: 0 };
    expect(last - baseline).toBeLessThan(P.driftMb * MB);
  }, 1_800_000);
});
