// Caps a cell meets in the real kernel (bin/probebook.js kernel, real sandbox,
// real BPF), lowered through the kernel's environment so the test is quick:
// output per cell (1 MB) and rows per event stream (200). Each cap ends with a
// message naming it and how to raise it; the cell runs on to its result and
// the next cell starts with a fresh budget.
import { describe, expect, it } from "vitest";
import { fileKernel } from "../kernel/support/file-kernel.js";

const CAP = 1024 * 1024;
const k = fileKernel({ built: true, env: { ...process.env, PROBEBOOK_MAX_OUTPUT_MB: "1", PROBEBOOK_MAX_ROWS: "200" } });

const streamText = (r: Awaited<ReturnType<typeof k.execute>>, name: string) =>
  r.iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === name).map((m) => m.content.text as string).join("");

describe("output per cell", () => {
  it("passes exactly 1 MB of a 10 MB print loop, says the cap once on stderr, and the cell still returns its result", async () => {
    const r = await k.execute('for (let i = 0; i < 100; i++) console.log("x".repeat(100_000)); "finished"', { timeoutMs: 60_000 });
    expect(r.content.status).toBe("ok");
    expect(r.text).toBe("'finished'");
    const out = streamText(r, "stdout");
    expect(Buffer.byteLength(out)).toBe(CAP);
    expect(out).toMatch(/^(x{100000}\n)+x*$/);
    const err = streamText(r, "stderr");
    expect(err.match(/reached the cap of 1 MB per cell/g)).toHaveLength(1);
    expect(err).toContain("set PROBEBOOK_MAX_OUTPUT_MB in the kernel's environment to raise the cap");
  }, 90_000);

  it("drops displays past the cap whole (never a cut bundle) and the next cell has its own budget", async () => {
    const r = await k.execute('for (let i = 0; i < 5000; i++) display({ "text/plain": "y".repeat(1000) }); 1', { timeoutMs: 60_000 });
    expect(r.content.status).toBe("ok");
    const shown = r.iopub.filter((m) => m.header.msg_type === "display_data");
    const each = Buffer.byteLength(JSON.stringify(shown[0]!.content));
    expect(shown.length).toBe(Math.floor(CAP / each));
    expect(shown[0]!.content.data["text/plain"]).toContain("y".repeat(1000));
    for (const m of shown) expect(m.content).toEqual(shown[0]!.content);
    expect(streamText(r, "stderr")).toMatch(/reached the cap of 1 MB per cell/);
    const next = await k.execute('console.log("fresh budget")');
    expect(streamText(next, "stdout")).toBe("fresh budget\n");
    expect(streamText(next, "stderr")).toBe("");
  }, 90_000);

  it("keeps a single 5 MB string to the cap as well", async () => {
    const r = await k.execute('console.log("z".repeat(5 * 1024 * 1024)); 2', { timeoutMs: 60_000 });
    expect(Buffer.byteLength(streamText(r, "stdout"))).toBe(CAP);
    expect(r.text).toBe("2");
  }, 90_000);
});

describe("rows per result", () => {
  it("stops a busy stream (sched_switch, no limit) at 200 rows long before its 20 s, and tells the cell how to raise the cap or aggregate", async () => {
    const started = Date.now();
    const r = await k.execute('const t = await tracepoint("sched:sched_switch").events({ for: "20s" }); [t.numRows(), t.meta.stoppedBy]', { timeoutMs: 60_000 });
    expect(r.content.status).toBe("ok");
    expect(r.text).toBe("[ 200, 'limit' ]");
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(streamText(r, "stderr")).toContain("sched:sched_switch: stopped at 200 rows, the cap on rows per result. To keep more, set the run's own limit with .limit(n) (or PROBEBOOK_MAX_ROWS in the kernel's environment); to see everything, aggregate in the kernel instead");
    const own = await k.execute('(await tracepoint("sched:sched_switch").limit(500).events({ for: "20s" })).numRows()', { timeoutMs: 60_000 });
    expect(own.text).toBe("500");
    expect(streamText(own, "stderr")).toBe("");
  }, 90_000);
});
