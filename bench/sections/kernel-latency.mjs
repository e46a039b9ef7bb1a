// (4) Kernel launch -> kernel_info_reply, complete_request latency, and
// (1, cold) launch -> first probe attached; (5) memory: RSS idle and holding
// a 1M-row result. tslab, when installed, is the peer for launch, completion
// and idle memory.
import { launchProbebook, launchTslab, probeCell, tslabInstalled } from "../lib/kernel-launchers.mjs";
import { attachedOrFailed, loop, median, percentile, sleep, watchAttach } from "../lib/procs.mjs";
import { planStream } from "../lib/probebook-runs.mjs";
import { num } from "../lib/results.mjs";

const ms = (a, b) => Number(a - b) / 1e6;
const COMPLETE_CODE = "const answer = Math.ma";

async function completeLatencies(client, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const { msgId, sentAt } = await client.send("shell", "complete_request", { code: COMPLETE_CODE, cursor_pos: COMPLETE_CODE.length });
    const reply = await client.reply("shell", msgId, 30000);
    if (!reply.content.matches?.includes("max")) throw new Error(`bench: complete_request for "Math.ma" did not offer "max": ${JSON.stringify(reply.content.matches?.slice(0, 10))}`);
    out.push(ms(reply.at, sentAt));
  }
  return out;
}

/** Launch -> kernel_info_reply; then idle RSS after settling; then completion latencies (first one apart). */
async function kernelFigures(launch, { completes, settleMs }) {
  const kernel = await launch();
  try {
    const ready = await kernel.ready(30000);
    const infoMs = ms(ready.reply.at, kernel.launchedAt);
    await sleep(settleMs);
    const idle = kernel.rssKb();
    const lat = await completeLatencies(kernel.client, completes + 1);
    return { infoMs, idleRssKb: idle.rss, firstCompleteMs: lat[0], completeMs: lat.slice(1) };
  } finally {
    await kernel.dispose();
  }
}

/** Cold: kernel launch -> the first probe cell attached (kernel_info first, as a frontend does). */
async function coldAttach() {
  const kernel = await launchProbebook();
  try {
    const watch = watchAttach(kernel.child.pid, { timeoutMs: 60000 });
    await kernel.ready(30000);
    const run = kernel.client.execute(probeCell("100ms"));
    run.catch(() => undefined); // awaited below; a failure surfaces through attachedOrFailed first
    const attachedAt = await attachedOrFailed(watch, run);
    await run;
    return ms(attachedAt, kernel.launchedAt);
  } finally {
    await kernel.dispose();
  }
}

/** RSS with a 1M-row events table alive in the sandbox. */
async function bigResult(rows) {
  const kernel = await launchProbebook();
  try {
    await kernel.ready(30000);
    await sleep(1500);
    const idle = kernel.rssKb();
    const watch = watchAttach(kernel.child.pid, { timeoutMs: 60000 });
    await watch.started;
    // The record the floor counts (planStream(): time_ns, pid, cpu, 16 bytes); the cell also gets `time`.
    const code = `const big = await tracepoint("syscalls:sys_enter_getppid").columns("time_ns", "pid", "cpu").limit(${rows}).events({ for: "120s" });\nbig.numRows()`;
    const run = kernel.client.execute(code, 300000);
    run.catch(() => undefined);
    await attachedOrFailed(watch, run, "the 1M-row cell");
    await loop(Math.ceil(rows * 1.02)); // a little over: the limit cuts at exactly `rows`
    const { iopub } = await run;
    const result = iopub.find((m) => m.header.msg_type === "execute_result");
    const got = Number(result?.content.data["text/plain"]);
    if (got !== rows) throw new Error(`bench: the 1M-row cell returned ${result?.content.data["text/plain"]} rows, expected ${rows}`);
    await sleep(500);
    return { idleKb: idle.rss, ...kernel.rssKb() };
  } finally {
    await kernel.dispose();
  }
}

export async function kernelLatencyAndMemory({ reps, completes, bigRows, log }) {
  const pb = [], ts = [], cold = [];
  let probeError;
  const withTslab = tslabInstalled();
  for (let rep = 0; rep < reps; rep++) {
    pb.push(await kernelFigures(launchProbebook, { completes, settleMs: 1500 }));
    if (withTslab) ts.push(await kernelFigures(launchTslab, { completes, settleMs: 1500 }));
    // A probe cell that fails costs its own rows, not the kernel's launch/completion/memory rows.
    if (!probeError) cold.push(await coldAttach().catch((e) => { probeError = e.message.split("\n")[0]; return NaN; }));
    log(`kernel rep ${rep + 1}/${reps}: probebook kernel_info ${pb[rep].infoMs.toFixed(0)} ms, complete p50 ${median(pb[rep].completeMs).toFixed(1)} ms, ` +
      `idle ${(pb[rep].idleRssKb / 1024).toFixed(0)} MiB, cold attach ${cold[rep]?.toFixed(0)} ms` +
      (withTslab ? `; tslab kernel_info ${ts[rep].infoMs.toFixed(0)} ms, complete p50 ${median(ts[rep].completeMs).toFixed(1)} ms, idle ${(ts[rep].idleRssKb / 1024).toFixed(0)} MiB` : ""));
  }
  const big = probeError ? undefined : await bigResult(bigRows).catch((e) => { probeError = e.message.split("\n")[0]; return undefined; });
  const recordSize = (await planStream()).ring.recordSize;
  if (big) log(`1M rows: RSS ${(big.rss / 1024).toFixed(0)} MiB (peak ${(big.hwm / 1024).toFixed(0)} MiB), idle ${(big.idleKb / 1024).toFixed(0)} MiB`);

  const tsMed = (f) => (withTslab ? median(ts.map(f)) : null);
  const infoMs = median(pb.map((x) => x.infoMs));
  const completeP50 = median(pb.flatMap((x) => x.completeMs));
  const completeP99 = percentile(pb.flatMap((x) => x.completeMs), 99);
  const idleMiB = median(pb.map((x) => x.idleRssKb)) / 1024;
  const tsIdle = withTslab ? tsMed((x) => x.idleRssKb) / 1024 : null;
  const rawMiB = (bigRows * recordSize) / 2 ** 20;
  const growthMiB = big ? (big.rss - big.idleKb) / 1024 : NaN;
  const notMeasured = `not measured: the probe cell failed: ${probeError}`;
  const noTslab = withTslab ? undefined : "tslab is not installed (bench/run.sh installs it into a temp dir when npm can)";
  return {
    rows: [
      {
        name: "time to attached, cold (kernel launch -> first probe attached)", value: num(median(cold), 1), unit: "ms",
        floor: null, peer: null, target: "reported: the warm row carries the attach target; here kernel launch < 0.5 s dominates",
        meetsTarget: Number.isFinite(median(cold)),
        ...(Number.isFinite(median(cold)) ? {} : { note: notMeasured }),
      },
      {
        name: "kernel launch -> kernel_info_reply", value: num(infoMs, 1), unit: "ms", floor: null,
        peer: num(tsMed((x) => x.infoMs), 1), target: "< 500 ms", meetsTarget: infoMs < 500,
        ...(noTslab ? { note: noTslab } : { note: "peer: tslab" }),
      },
      {
        name: "complete_request latency p50 (warm)", value: num(completeP50, 2), unit: "ms", floor: null,
        peer: num(withTslab ? median(ts.flatMap((x) => x.completeMs)) : null, 2), target: "< 50 ms", meetsTarget: completeP50 < 50,
        note: `p99 ${completeP99.toFixed(1)} ms; the first request after launch ${median(pb.map((x) => x.firstCompleteMs)).toFixed(0)} ms` +
          (withTslab ? ` (tslab ${tsMed((x) => x.firstCompleteMs).toFixed(0)} ms); peer: tslab` : `; ${noTslab}`),
      },
      {
        name: "kernel RSS idle", value: num(idleMiB, 1), unit: "MiB", floor: null, peer: num(tsIdle, 1),
        target: withTslab ? "<= 1.5x tslab's idle RSS" : "<= 200 MiB (no tslab to compare)",
        meetsTarget: withTslab ? idleMiB <= 1.5 * tsIdle : idleMiB <= 200,
        ...(withTslab ? { note: "peer: tslab" } : { note: noTslab }),
      },
      {
        name: `kernel RSS holding a ${bigRows / 1e6}M-row events table`, value: big ? num(big.rss / 1024, 1) : null, unit: "MiB",
        floor: num(rawMiB, 1), peer: null,
        target: "growth over idle <= 3x the raw records (floor = rows x record bytes)",
        meetsTarget: growthMiB <= 3 * rawMiB,
        note: !big ? notMeasured : `growth ${growthMiB.toFixed(0)} MiB over idle ${(big.idleKb / 1024).toFixed(0)} MiB (${(growthMiB / rawMiB).toFixed(2)}x the ${recordSize}-byte records); peak RSS ${(big?.hwm / 1024).toFixed(0)} MiB`,
      },
    ],
    raw: { probebook: pb, tslab: ts, cold, big },
  };
}
