// A cell runs a real probe: the session's bridge, the real runner
// (runtime/runs/ring.ts: planner, template, native addon) and a workload the
// test starts, which opens one path exactly 200 times while the probe is attached.

import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { expect, test } from "vitest";
import { runDeclaration } from "../../runtime/runs/run.js";
import { createExecutor } from "../../runtime/session.js";
import type { HeldWorkload } from "../bpf/support/workload.js";
import { startHeld } from "../bpf/support/workload.js";
import { describeHeld, waitUntilHoldsNothing } from "../support/held-bpf.js";
import { workloadFile } from "../support/workload-file.js";
import { recordingContext } from "./fixtures/recording-context.js";

const OPENS = 200;

const build = workloadFile("open-loop", { sandbox: true });

test("a cell collects a real tracepoint's events filtered to the workload's pid", async () => {
  const path = `/tmp/probebook-${randomBytes(8).toString("hex")}`;
  writeFileSync(path, "x");
  const workload: HeldWorkload = await startHeld(build.bin, [path, String(OPENS)]);
  let exitCode: number | null | undefined;
  let descriptorsWhileAttached = 0;
  // The real runner; the only addition is starting the workload once the probe is attached.
  expect(describeHeld()).toEqual([]);
  const session = createExecutor({
    warmUpAfterMs: false,
    probeRunner: {
      run: (declaration, options) =>
        runDeclaration(declaration, {
          ...options,
          onAttached: async () => {
            descriptorsWhileAttached = describeHeld().length;
            exitCode = await workload.go();
          },
        }),
    },
  });
  try {
    const cell = [
      `const opens = await tracepoint("syscalls:sys_enter_openat")`,
      `  .where({ pid: ${workload.pid} })`,
      `  .fields("filename")`,
      `  .events({ for: "1s" })`,
      `opens.groupby("comm", "filename").count()`,
    ].join("\n");
    const outcome = await session.execute(cell, recordingContext(1));
    expect(exitCode).toBe(0);
    // The leak check below can see this process's BPF objects while they exist.
    expect(descriptorsWhileAttached).toBeGreaterThan(0);
    expect(outcome).toEqual({
      status: "ok",
      result: {
        data: {
          "text/html": expect.stringContaining(`<td style="text-align: left;">${path}</td><td style="text-align: right;">${OPENS}</td>`),
          "text/plain": [`comm       filename${" ".repeat(path.length - 8)}  count`, `---------  ${"-".repeat(path.length)}  -----`, `open-loop  ${path}    ${OPENS}`, "1 row × 3 columns"].join("\n"),
        },
      },
    });
    const stats = await session.execute("[opens.numRows(), opens.meta.events, opens.meta.dropped, opens.meta.missed, opens.meta.stoppedBy]", recordingContext(2));
    // The workload exited once attached and done: the run filtered to it ends then (test/faults/target-exit.test.ts).
    expect(stats).toEqual({ status: "ok", result: { data: { "text/plain": `[ ${OPENS}, ${OPENS}, 0, 0, 'target-exited' ]` } } });
  } finally {
    workload.dispose();
    rmSync(path, { force: true });
    await session.shutdown();
  }
  // Other test files may load programs at the same time, so look at this
  // process's own descriptors: no BPF program, link or map may be left open.
  // a run detaches and closes on a worker after it returns (closeAsync: the
  // detach waits on RCU grace periods), so give the release a moment.
  expect(await waitUntilHoldsNothing()).toEqual([]);
}, 60_000);

test("an unknown tracepoint is an error in the cell that names the closest ones", async () => {
  const session = createExecutor({ warmUpAfterMs: false });
  try {
    const outcome = await session.execute('await tracepoint("sched:sched_swtch").events({ for: "1s" })', recordingContext(1));
    expect(outcome).toEqual({ status: "error", ename: "PlanError", evalue: expect.stringMatching(/^Unknown tracepoint "sched:sched_swtch"\. Closest: sched:sched_switch[,.]/), traceback: expect.any(Array) });
  } finally {
    await session.shutdown();
  }
}, 60_000);
