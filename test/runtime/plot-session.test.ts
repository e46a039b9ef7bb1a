// Plots and saved data from real cells: the real sandbox (isolated-vm, the
// prelude bundle), the real bridge, vega on the host, and files in a
// temporary notebook directory.

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import type { ExecuteOutcome } from "../../kernel/executor.js";
import { createExecutor, type Session } from "../../runtime/session.js";
import { recordingContext } from "./fixtures/recording-context.js";

let session: Session;
let notebookDir: string;
let count = 0;

beforeAll(async () => {
  await buildSandbox();
  notebookDir = mkdtempSync(join(tmpdir(), "probebook-notebook-"));
  session = createExecutor({ warmUpAfterMs: false, dataDir: notebookDir });
}, 60_000);

afterAll(async () => {
  await session?.shutdown();
  rmSync(notebookDir, { recursive: true, force: true });
});

async function run(code: string): Promise<ExecuteOutcome> {
  return session.execute(code, recordingContext(++count));
}

async function ok(code: string): Promise<Record<string, unknown>> {
  const outcome = await run(code);
  if (outcome.status !== "ok") throw new Error(`cell failed: ${outcome.ename}: ${outcome.evalue}`);
  return outcome.result?.data ?? {};
}

describe("plots in cells", () => {
  test("a plot as the cell's value gives the Vega-Lite spec, the host's SVG and a summary", async () => {
    const data = await ok(`const t = aq.table({ comm: ["nginx", "sshd", "cron"], count: [30, 10, 20] });\nplot.bar(t, { x: "comm", y: "count" })`);
    expect(Object.keys(data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]);
    expect(data["text/plain"]).toBe("bar chart of count by comm: 3 bars, largest nginx (30)");
    const spec = data["application/vnd.vegalite.v5+json"] as { $schema: string; data: { values: unknown[] } };
    expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    expect(spec.data.values).toEqual([
      { category: "nginx", value: 30 },
      { category: "cron", value: 20 },
      { category: "sshd", value: 10 },
    ]);
    const svg = data["image/svg+xml"] as string;
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/aria-roledescription="bar"/g)).toHaveLength(3);
  });
});
