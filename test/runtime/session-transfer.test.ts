// A finished run's columns move into the sandbox instead of being copied
// (runtime/sandbox/column-transfer.ts): typed arrays arrive with their type
// and values and are left empty on the host; text columns arrive as arrays of
// their strings whatever the number of distinct values; arrays that can't
// move (sharing a buffer) are copied and stay intact on the host.

import { beforeAll, expect, test } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import type { ProbeRunResult } from "../../runtime/runs/run.js";
import { createExecutor } from "../../runtime/session.js";
import { recordingContext, streamText, type RecordingContext } from "./fixtures/recording-context.js";

beforeAll(async () => {
  await buildSandbox();
}, 60_000);

const printed = (ctx: RecordingContext): unknown => JSON.parse(streamText(ctx, "stdout"));

const ROWS = 70_000; // more distinct strings than 16-bit codes can number

function result(): ProbeRunResult {
  const shared = new Uint32Array(ROWS * 2);
  for (let i = 0; i < shared.length; i++) shared[i] = i;
  return {
    columns: {
      time_ns: Float64Array.from({ length: ROWS }, (_, i) => i * 1.5),
      big: BigUint64Array.from({ length: ROWS }, (_, i) => BigInt(i) << 40n),
      cpu: Uint8Array.from({ length: ROWS }, (_, i) => i % 2),
      // Two columns over one buffer: moving one would empty the other.
      low: shared.subarray(0, ROWS),
      high: shared.subarray(ROWS),
      comm: Array.from({ length: ROWS }, (_, i) => ["bash", "node", "sshd"][i % 3]!),
      unique: Array.from({ length: ROWS }, (_, i) => `k${i}`),
    },
    columnTypes: { time_ns: "float64", big: "biguint64", cpu: "uint8", low: "uint32", high: "uint32", comm: "string", unique: "string" },
    rowCount: ROWS,
    stats: { events: ROWS, dropped: 0, durationMs: 10 },
    plan: undefined,
  };
}

test("a run's columns arrive whole in the cell; moved arrays are emptied on the host, shared ones kept", async () => {
  let sent: ProbeRunResult | undefined;
  const session = createExecutor({
    warmUpAfterMs: false,
    probeRunner: {
      run: async () => (sent = result()),
    },
  });
  try {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const t = await tracepoint("syscalls:sys_enter_getppid").events({ for: "10ms" });`,
      `const last = t.numRows() - 1;`,
      `const col = (n: string) => t.column(n) as any;`,
      `console.log(JSON.stringify({`,
      `  rows: t.numRows(),`,
      `  types: t.columnNames().map((n) => [n, col(n).constructor.name]),`,
      `  time: [col("time_ns").at(1), col("time_ns").at(last)],`,
      `  big: String(col("big").at(last)),`,
      `  cpu: [col("cpu").at(0), col("cpu").at(1)],`,
      `  low: col("low").at(last), high: [col("high").at(0), col("high").at(last)],`,
      `  comm: [col("comm").at(0), col("comm").at(4), col("comm").at(last)],`,
      `  unique: [col("unique").at(0), col("unique").at(65_536), col("unique").at(last)],`,
      `  counts: t.groupby("comm").count().orderby("comm").objects(),`,
      `}))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    const last = ROWS - 1;
    expect(printed(ctx)).toEqual({
      rows: ROWS,
      types: [["time_ns", "Float64Array"], ["big", "BigUint64Array"], ["cpu", "Uint8Array"], ["low", "Uint32Array"], ["high", "Uint32Array"], ["comm", "Array"], ["unique", "Array"]],
      time: [1.5, last * 1.5],
      big: String(BigInt(last) << 40n),
      cpu: [0, 1],
      low: last, high: [ROWS, ROWS + last],
      comm: ["bash", "node", ["bash", "node", "sshd"][last % 3]],
      unique: ["k0", "k65536", `k${last}`],
      counts: [{ comm: "bash", count: 23_334 }, { comm: "node", count: 23_333 }, { comm: "sshd", count: 23_333 }],
    });
    // Moved: the host's arrays are detached. Shared: copied, still whole.
    const columns = sent!.columns as Record<string, ArrayBufferView & ArrayLike<number>>;
    expect([columns.time_ns!.byteLength, columns.big!.byteLength, columns.cpu!.byteLength]).toEqual([0, 0, 0]);
    expect([columns.low!.length, columns.high![0]]).toEqual([ROWS, ROWS]);
  } finally {
    await session.shutdown();
  }
}, 60_000);

test("an empty result moves nothing and still makes a table", async () => {
  const session = createExecutor({
    warmUpAfterMs: false,
    probeRunner: {
      run: async () => ({
        columns: { pid: new Uint32Array(0), comm: [] },
        columnTypes: { pid: "uint32", comm: "string" },
        rowCount: 0,
        stats: { events: 0, dropped: 0, durationMs: 10 },
        plan: undefined,
      }),
    },
  });
  try {
    const ctx = recordingContext(1);
    const outcome = await session.execute(`const t = await tracepoint("syscalls:sys_enter_getppid").events({ for: "10ms" });\nconsole.log(JSON.stringify([t.numRows(), t.columnNames()]))`, ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual([0, ["pid", "comm"]]);
  } finally {
    await session.shutdown();
  }
}, 60_000);
