// (1) Time to attached from the front end, and (6) detach on a cell re-run.
// "Attached" is the kernel's view (attachwatch: a perf event fd of the process
// with a BPF program on sys_enter_getppid), never anything a tool prints.
import { join } from "node:path";
import { launchProbebook, probeCell } from "../lib/kernel-launchers.mjs";
import { attachedOrFailed, FLOOR_BIN, forkToAttach, median, watchAttach, sleep } from "../lib/procs.mjs";
import { num } from "../lib/results.mjs";
import { planStream } from "../lib/probebook-runs.mjs";

const ms = (a, b) => Number(a - b) / 1e6;
// The same job as the probe cell: stream getppid events to user space.
const BPFTRACE_STREAM = ["bpftrace", "-e", 'tracepoint:syscalls:sys_enter_getppid { printf("%llu %d %d\\n", nsecs, pid, cpu); }'];

/** One probe cell on a warm kernel: execute_request -> attached, and the end of collection -> execute_reply. */
async function warmAttach(kernel, durationMs) {
  // A finished cell's probe, switched off, detaches once the next run attached or after
  // runtime/runs/idle-close.ts's IDLE_CLOSE_MS: wait until the kernel shows it gone, or the
  // watcher below would see it, not this cell's.
  // The kernel shows it gone when its program leaves the perf event; the perf event's own
  // teardown (perf_trace_destroy, the tracepoint's RCU grace periods under event_mutex) goes on
  // for tens of ms, and an attach meanwhile waits for it. A warm kernel has none pending.
  await watchAttach(kernel.child.pid, { gone: true }).done;
  await sleep(150);
  const watch = watchAttach(kernel.child.pid);
  await watch.started;
  const run = kernel.client.execute(probeCell(`${durationMs}ms`));
  run.catch(() => undefined);
  const attachedAt = await attachedOrFailed(watch, run);
  const { reply, sentAt } = await run;
  return { attachMs: ms(attachedAt, sentAt), tailMs: ms(reply.at, attachedAt) - durationMs };
}

/** A long probe cell, interrupted once attached: interrupt -> execute_reply, -> detached, -> the re-run attached. */
async function rerunAfterInterrupt(kernel) {
  const { client } = kernel;
  const attach = watchAttach(kernel.child.pid);
  await attach.started;
  const { msgId } = await client.send("shell", "execute_request", { code: probeCell("60s"), silent: false, store_history: true, user_expressions: {}, allow_stdin: false });
  const reply0 = client.reply("shell", msgId, 120000);
  reply0.catch(() => undefined);
  await attachedOrFailed(attach, reply0.then((r) => {
    if (r.content.status !== "ok") throw new Error(`bench: the probe cell failed (${r.content.ename}: ${r.content.evalue})`);
  }));
  await sleep(50);
  const gone = watchAttach(kernel.child.pid, { gone: true });
  await gone.started;
  const { sentAt: interruptAt } = await client.send("control", "interrupt_request");
  const reply = await reply0;
  await client.iopubUntilIdle(msgId);
  const goneAt = await gone.done;
  if (reply.content.status !== "error") throw new Error(`bench: the interrupted cell ended with ${reply.content.status}, expected an error`);
  // The re-run: the same cell again, right away.
  const again = await warmAttach(kernel, 100);
  return { replyMs: ms(reply.at, interruptAt), goneMs: ms(goneAt, interruptAt), rerunAttachMs: ms(reply.at, interruptAt) + again.attachMs };
}

export async function attachAndDetach({ reps, log }) {
  const floor = [], bpftrace = [], floorDetach = [], warm = [], tails = [], reruns = [];
  // The floor streams into a ring of the size probebook's planner picks for the cell.
  const ring = await planStream();
  const floorCmd = [join(FLOOR_BIN, "floor"), "stream", "-r", String(ring.maps[ring.ring.map].maxEntries)];
  for (let rep = 0; rep < reps; rep++) {
    const f = await forkToAttach(floorCmd);
    floor.push(f);
    const fl = /"detach_us":([\d.]+)/.exec(f.out ?? "");
    if (fl) floorDetach.push(Number(fl[1]) / 1000);
    bpftrace.push(await forkToAttach(BPFTRACE_STREAM));
  }
  const kernel = await launchProbebook();
  try {
    await kernel.ready(30000);
    await warmAttach(kernel, 100); // loads the addon and the runner: later cells are warm
    for (let rep = 0; rep < reps; rep++) {
      const w = await warmAttach(kernel, 200);
      warm.push(w.attachMs);
      tails.push(w.tailMs);
      reruns.push(await rerunAfterInterrupt(kernel));
      log(`attach rep ${rep + 1}/${reps}: probebook warm ${w.attachMs.toFixed(1)} ms, floor ${floor[rep].attachMs.toFixed(1)} ms, ` +
        `bpftrace ${bpftrace[rep].attachMs.toFixed(1)} ms; interrupt->reply ${reruns[rep].replyMs.toFixed(1)} ms, ->detached ${reruns[rep].goneMs.toFixed(1)} ms`);
    }
  } finally {
    await kernel.dispose();
  }
  const floorMs = median(floor.map((x) => x.attachMs));
  const peerMs = median(bpftrace.map((x) => x.attachMs));
  const warmMs = median(warm);
  const floorExit = median(floor.map((x) => x.exitMs));
  const peerExit = median(bpftrace.map((x) => x.exitMs));
  const replyMs = median(reruns.map((r) => r.replyMs));
  const goneMs = median(reruns.map((r) => r.goneMs));
  const rerunMs = median(reruns.map((r) => r.rerunAttachMs));
  const tailMs = median(tails);
  return {
    rows: [
      {
        name: "time to attached, warm kernel (execute_request -> attached)", value: num(warmMs, 2), unit: "ms",
        floor: num(floorMs, 2), peer: num(peerMs, 2),
        target: "<= 1.5x the libbpf floor (fork -> attached) and <= 0.2x bpftrace",
        meetsTarget: warmMs <= 1.5 * floorMs && warmMs <= 0.2 * peerMs,
        note: `${(warmMs / peerMs).toFixed(2)}x bpftrace, ${(warmMs - floorMs).toFixed(1)} ms over the floor`,
      },
      {
        name: "detach on re-run: interrupt -> execute_reply", value: num(replyMs, 2), unit: "ms",
        floor: num(median(floorDetach), 2), peer: num(peerExit, 2),
        target: "< 10 ms: a re-run does not wait on the detach (floor: bpf_link__destroy in-process; bpftrace: SIGINT -> exit)",
        meetsTarget: replyMs < 10,
        note: `the kernel showed the probe gone ${goneMs.toFixed(1)} ms after the interrupt; floor SIGINT -> exit ${floorExit.toFixed(1)} ms`,
      },
      {
        name: "cell re-run: interrupt -> re-run attached", value: num(rerunMs, 2), unit: "ms",
        floor: num(floorExit + floorMs, 2), peer: num(peerExit + peerMs, 2),
        target: "below bpftrace restarted (SIGINT -> exit + fork -> attached)",
        meetsTarget: rerunMs < peerExit + peerMs,
      },
      {
        name: "probe cell: end of collection -> execute_reply", value: num(tailMs, 2), unit: "ms",
        floor: num(median(floorDetach), 2), peer: num(peerExit, 2),
        target: "< 10 ms: a finished cell does not wait on the detach",
        meetsTarget: tailMs < 10,
      },
    ],
    raw: { floor, bpftrace, floorDetach, warm, tails, reruns },
  };
}
