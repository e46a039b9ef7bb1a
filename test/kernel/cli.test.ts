// bin/probebook.js as a user runs it. The kernel and install commands load
// dist/ (built by `npm run build`, which `npm test` runs first): without it
// those checks fail and say so, they are never skipped.
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probebookBin as bin, requireBuiltDist } from "./support/built-dist.js";
import { TestClient } from "./support/client.js";
import { spawnKernel, type KernelProcess } from "./support/kernel-process.js";
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("probebook CLI", () => {
  it("prints help quickly, without loading the kernel", () => {
    const started = Date.now();
    const r = run("--help");
    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("probebook kernel -f <connection file>");
    expect(r.stdout).toContain("probebook install [--user | --prefix <dir> | --sys-prefix]");
  });

  it("prints the version", () => {
    expect(run("--version").stdout).toBe("probebook 0.1.0\n");
  });

  it("rejects unknown commands with exit status 2 and the help", () => {
    const r = run("frobnicate");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^probebook: unknown command "frobnicate"\n\nprobebook - a Jupyter kernel/);
  });
});

describe("probebook kernel (built dist/)", () => {
  let kernel: KernelProcess | undefined;
  beforeAll(() => requireBuiltDist());
  afterAll(async () => kernel?.dispose());

  it("answers kernel_info after launch and exits 0 on shutdown", async () => {
    kernel = await spawnKernel({ command: [process.execPath, bin, "kernel"] });
    const client = new TestClient(kernel.info);
    try {
      // How fast is latency.test.ts's job (median of 10 launches, < 0.5 s);
      // one launch on a busy machine says little.
      const reply = await client.waitForReady(5000);
      expect(reply.content.implementation).toBe("probebook");
      const id = await client.send("control", "shutdown_request", { restart: false });
      await client.reply("control", id);
      expect(await kernel.exited).toEqual({ code: 0, signal: null });
    } finally {
      client.close();
    }
  }, 20_000);

  it("says how to fix a missing connection file", async () => {
    const r = await promisify(execFile)(process.execPath, [bin, "kernel"]).catch((e) => e);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("probebook: no connection file given\nusage: probebook kernel -f <connection file>");
  });
});
