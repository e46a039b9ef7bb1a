// How fast the real kernel (bin/probebook.js kernel) answers what a frontend
// asks first and most: kernel_info right after launch (issue 6's target is
// under 0.5 s), and complete_request while typing. Medians, not single runs,
// so one slow launch on a loaded machine does not decide. The figures are
// printed; bench/ reports them next to tslab's.
//   npx vitest run test/kernel/latency.test.ts
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probebookBin, requireBuiltDist } from "./support/built-dist.js";
import { TestClient } from "./support/client.js";
import { spawnKernel, type KernelProcess } from "./support/kernel-process.js";

const LAUNCHES = 10;
const COMPLETIONS = 30;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const launch = () => spawnKernel({ command: [process.execPath, probebookBin, "kernel"] });

beforeAll(() => requireBuiltDist());

describe("latency of the real kernel", () => {
  it(`answers kernel_info within 0.5 s of launch (median of ${LAUNCHES} launches)`, async () => {
    const times: number[] = [];
    for (let i = 0; i < LAUNCHES; i++) {
      // From before the connection file is written and the process spawned
      // (a few ms more than the launch itself: the figure errs high).
      const started = performance.now();
      const kernel = await launch();
      const client = new TestClient(kernel.info);
      try {
        const id = await client.send("shell", "kernel_info_request");
        const reply = await client.reply("shell", id, 10_000);
        times.push(performance.now() - started);
        expect(reply.content.implementation).toBe("probebook");
        const bye = await client.send("control", "shutdown_request", { restart: false });
        await client.reply("control", bye, 10_000);
        expect(await kernel.exited).toEqual({ code: 0, signal: null });
      } finally {
        client.close();
        await kernel.dispose();
      }
    }
    const med = median(times);
    console.log(`launch -> kernel_info_reply: median ${med.toFixed(0)} ms over ${LAUNCHES} launches (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`);
    expect(med).toBeLessThan(500);
  }, 120_000);

  describe("complete_request", () => {
    let kernel: KernelProcess;
    let client: TestClient;
    beforeAll(async () => {
      kernel = await launch();
      client = new TestClient(kernel.info);
      await client.waitForReady(10_000);
    }, 30_000);
    afterAll(async () => {
      client?.close();
      await kernel?.dispose();
    });

    async function complete(code: string): Promise<{ ms: number; matches: string[] }> {
      const started = performance.now();
      const id = await client.send("shell", "complete_request", { code, cursor_pos: [...code].length });
      const reply = await client.reply("shell", id, 30_000);
      return { ms: performance.now() - started, matches: reply.content.matches };
    }

    it(`answers member completion interactively once warm (p50 of ${COMPLETIONS} per kind)`, async () => {
      // The first request may still be loading the TypeScript language service.
      const first = await complete("const answer = Math.ma");
      expect(first.matches).toContain("max");
      const kinds = [
        { name: "a global's members", code: "Math.ma", expect: "max" },
        { name: "the probe library's builder", code: 'tracepoint("sched:sched_switch").whe', expect: "where" },
      ];
      const p50s: number[] = [];
      for (const kind of kinds) {
        const times: number[] = [];
        for (let i = 0; i < COMPLETIONS; i++) {
          const r = await complete(kind.code);
          expect(r.matches).toContain(kind.expect);
          times.push(r.ms);
        }
        p50s.push(median(times));
        console.log(`complete_request (${kind.name}, ${JSON.stringify(kind.code)}): p50 ${median(times).toFixed(1)} ms over ${COMPLETIONS} (max ${Math.max(...times).toFixed(1)})`);
      }
      console.log(`complete_request: first request after launch ${first.ms.toFixed(0)} ms`);
      // bench/ holds completion to < 50 ms on a quiet machine; this bound is
      // what still feels interactive on a loaded one (tests run beside builds).
      for (const p50 of p50s) expect(p50).toBeLessThan(150);
    }, 60_000);
  });
});
