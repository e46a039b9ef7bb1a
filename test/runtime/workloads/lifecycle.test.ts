// What holds for every workload: bad parameters are refused with the param,
// its bounds and the catalog; an interrupt, a re-run of the starting cell and
// shutdown kill it; SIGKILL of the kernel process leaves no workload behind.
import { afterAll, beforeAll, expect, test } from "vitest";
import { buildSandbox } from "../../../scripts/build-sandbox.mjs";
import { fileKernel } from "../../kernel/support/file-kernel.js";
import { recordingContext, streamText } from "../fixtures/recording-context.js";
import { hasExited, waitUntilExited } from "../../support/processes.js";
import { cellJson, workloadSession } from "./session-workload.js";

const session = workloadSession();
beforeAll(() => buildSandbox(), 60_000);
afterAll(() => session.shutdown());

const errorOf = async (code: string) => {
  const outcome = await session.execute(code, recordingContext(1));
  return outcome.status === "error" ? `${outcome.ename}: ${outcome.evalue}` : "no error";
};

test("bad parameters are errors naming the param, its bounds and the catalog", async () => {
  expect(await errorOf(`await workload("open-loop", { opens: 0 })`)).toBe(
    'WorkloadError: workload("open-loop", ...): opens must be a whole number from 1 to 1000000 (opens in all; default 1000), not 0');
  expect(await errorOf(`await workload("open-loop", { opens: 2.5 })`)).toMatch(/opens must be a whole number from 1 to 1000000 .*not 2\.5$/);
  expect(await errorOf(`await workload("open-loop", { opens: 10, missing: 11 })`)).toBe(
    'WorkloadError: workload("open-loop", ...): missing must be at most opens (10): it is how many of the opens fail, not 11');
  expect(await errorOf(`await workload("open-loop", { path: "/etc/shadow" })`)).toMatch(/^WorkloadError: workload\("open-loop", \.\.\.\): open-loop has no parameter "path"; its parameters: opens \(1\.\.1000000, default 1000: opens in all\), missing/);
  const unknown = await errorOf(`await workload("rm-rf", {})`);
  expect(unknown).toMatch(/^WorkloadError: workload\("rm-rf"\): there is no such workload; the catalog:\n {2}open-loop\(opens: 1\.\.1000000, default 1000; missing/);
  expect(unknown).toContain("getppid-loop(calls: 1..100000000, default 100000)");
  // the code travels with the error, for `catch (e) { e.code }`
  expect(await cellJson(session, [`try { await workload("open-loop", { opens: -1 }) } catch (e) { console.log(JSON.stringify({ code: e.code, param: e.details.param, min: e.details.min })) }`]))
    .toEqual({ code: "BAD_WORKLOAD", param: "opens", min: 1 });
});

test("an interrupt kills a running workload; its end says so", async () => {
  const ctx = recordingContext(2);
  const running = session.execute([
    `const w = await workload("getppid-loop", { calls: 100000000 });`,
    `console.log(w.pid);`,
    `globalThis.interrupted = w;`,
    `await w.start();`,
  ].join("\n"), ctx);
  let pid = 0;
  while (!(pid = Number(streamText(ctx, "stdout").trim()))) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 100));
  expect(hasExited(pid)).toBe(false);
  session.interrupt();
  ctx.abort();
  const outcome = await running;
  expect(outcome.status === "error" && outcome.ename).toBe("KeyboardInterrupt");
  expect(await waitUntilExited(pid, 5000)).toBe(true);
  expect(await cellJson(session, [`const e = await interrupted.done; console.log(JSON.stringify({ endedBy: e.endedBy, signal: e.signal, exitCode: e.exitCode }))`]))
    .toEqual({ endedBy: "stopped", signal: "SIGKILL", exitCode: null });
});

test("running a cell again kills what its previous run started; shutdown kills the rest", async () => {
  const s = workloadSession();
  const cell = [`const w = await workload("getppid-loop");`, `console.log(JSON.stringify(w.pid));`];
  const first = (await cellJson(s, cell)) as number;
  const other = (await cellJson(s, [`const w2 = await workload("getppid-loop");`, `console.log(JSON.stringify(w2.pid));`])) as number;
  expect(hasExited(first)).toBe(false);
  const second = (await cellJson(s, cell)) as number;
  expect(second).not.toBe(first);
  expect(await waitUntilExited(first, 5000)).toBe(true);
  expect(hasExited(second)).toBe(false);
  expect(hasExited(other)).toBe(false); // another cell's workload is left alone
  await s.shutdown();
  expect([hasExited(second), hasExited(other)]).toEqual([true, true]);
});

const kernel = fileKernel({ built: true });

test("SIGKILL of the kernel process leaves no workload process behind", async () => {
  const started = await kernel.execute([
    `const held = await workload("getppid-loop", { calls: 100000000 });`,
    `const busy = await workload("open-loop", { opens: 1000000, missing: 0, pauseUs: 1000 });`,
    `void busy.start();`,
    `[held.pid, busy.pid]`,
  ].join("\n"));
  const pids = JSON.parse(started.text!.replace(/ /g, "")) as number[];
  expect(pids).toHaveLength(2);
  expect(pids.map(hasExited)).toEqual([false, false]);
  kernel.kernel.child.kill("SIGKILL");
  await kernel.kernel.exited;
  expect(await Promise.all(pids.map((pid) => waitUntilExited(pid, 5000)))).toEqual([true, true]);
});
