// Memory that isolated-vm does not stop by itself: ArrayBuffers refused with a
// RangeError while the cell keeps the ones it got. The cell that filled the
// sandbox gets the MemoryError and the rebuild, not the harmless cell after
// it. (The "catastrophic" out-of-memory case is tested in its own kernel
// process, test/kernel/real-kernel.test.ts: it would leave a parked thread in
// the test worker.)

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import { createExecutor, type Session } from "../../runtime/session.js";
import { recordingContext } from "./fixtures/recording-context.js";

beforeAll(async () => {
  await buildSandbox();
}, 60_000);

describe("a sandbox left full by a cell", () => {
  let session: Session;
  let count = 0;
  const run = (code: string) => session.execute(code, recordingContext(++count));
  beforeAll(() => {
    session = createExecutor({ warmUpAfterMs: false, memoryLimitMb: 64 });
  });
  afterAll(() => session.shutdown());

  test("a typed-array bomb gets the MemoryError itself, and the next cell runs in the rebuilt sandbox", async () => {
    await run("const kept = 1");
    const bomb = await run("const bufs: Uint8Array[] = []; while (true) bufs.push(new Uint8Array(4 * 1024 * 1024).fill(1))");
    const evalue =
      "the cell exceeded the sandbox memory limit of 64 MB; the sandbox was rebuilt, so earlier variables are gone: re-run the cells you need, " +
      "keeping less data (filter or aggregate in the kernel, or use .limit()). It failed with RangeError: Array buffer allocation failed";
    expect(bomb).toEqual({ status: "error", ename: "MemoryError", evalue, traceback: [`MemoryError: ${evalue}`] });
    expect(await run("[40 + 2, typeof kept, typeof bufs]")).toEqual({ status: "ok", result: { data: { "text/plain": "[ 42, 'undefined', 'undefined' ]" } } });
  }, 60_000);

  test("a cell that keeps a lot but stays under the limit keeps its sandbox and variables", async () => {
    expect(await run("const half = new Uint8Array(24 * 1024 * 1024).fill(1); half.length")).toEqual({ status: "ok", result: { data: { "text/plain": "25165824" } } });
    expect(await run("half[123] + 41")).toEqual({ status: "ok", result: { data: { "text/plain": "42" } } });
  }, 60_000);

  test("an ordinary RangeError in a sandbox with room is left as it is", async () => {
    const outcome = await run("new Array(-1)");
    expect(outcome.status === "error" && [outcome.ename, outcome.evalue]).toEqual(["RangeError", "Invalid array length"]);
    expect(await run("half.length")).toEqual({ status: "ok", result: { data: { "text/plain": "25165824" } } });
  }, 60_000);
});
