import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installKernelspec, jupyterSysPrefix, kernelsDir, parseInstallArgs, userDataDir } from "../../kernel/install.js";

const repo = resolve(import.meta.dirname, "../..");
const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

describe("installKernelspec", () => {
  it("writes kernel.json and both logos under <prefix>/share/jupyter/kernels/probebook", async () => {
    const prefix = await mkdtemp(join(tmpdir(), "probebook-prefix-"));
    temps.push(prefix);
    const dir = await installKernelspec({ kind: "prefix", prefix });
    expect(dir).toBe(join(prefix, "share/jupyter/kernels/probebook"));
    expect(JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8"))).toEqual({
      argv: [process.execPath, join(repo, "bin/probebook.js"), "kernel", "-f", "{connection_file}"],
      display_name: "probebook (TypeScript + eBPF)",
      language: "typescript",
      interrupt_mode: "message",
      metadata: { debugger: false, probebook: { version: "0.1.0" } },
    });
    for (const size of [32, 64]) {
      const png = readFileSync(join(dir, `logo-${size}x${size}.png`));
      expect(png.readUInt32BE(16)).toBe(size); // IHDR width
    }
  });

  it("is found by jupyter_client's KernelSpecManager through JUPYTER_PATH", async () => {
    const prefix = await mkdtemp(join(tmpdir(), "probebook-prefix-"));
    temps.push(prefix);
    await installKernelspec({ kind: "prefix", prefix });
    const script = [
      "import json",
      "from jupyter_client.kernelspec import KernelSpecManager",
      "spec = KernelSpecManager().get_kernel_spec('probebook')",
      "print(json.dumps({'dir': spec.resource_dir, 'name': spec.display_name, 'lang': spec.language, 'mode': spec.interrupt_mode, 'argv': spec.argv}))",
    ].join("\n");
    const out = execFileSync("/usr/bin/python3", ["-c", script], { env: { ...process.env, JUPYTER_PATH: join(prefix, "share/jupyter") }, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({
      dir: join(prefix, "share/jupyter/kernels/probebook"),
      name: "probebook (TypeScript + eBPF)",
      lang: "typescript",
      mode: "message",
      argv: [process.execPath, join(repo, "bin/probebook.js"), "kernel", "-f", "{connection_file}"],
    });
  });

  it("replaces an older install rather than mixing files", async () => {
    const prefix = await mkdtemp(join(tmpdir(), "probebook-prefix-"));
    temps.push(prefix);
    const dir = await installKernelspec({ kind: "prefix", prefix });
    execFileSync("touch", [join(dir, "stale.txt")]);
    await installKernelspec({ kind: "prefix", prefix });
    expect(existsSync(join(dir, "stale.txt"))).toBe(false);
  });
});

describe("install targets", () => {
  it("uses jupyter_core's user data dir rules", () => {
    expect(userDataDir({ JUPYTER_DATA_DIR: "/x/jd" })).toBe("/x/jd");
    expect(userDataDir({ XDG_DATA_HOME: "/x/xdg" })).toBe("/x/xdg/jupyter");
    expect(userDataDir({ HOME: process.env.HOME })).toMatch(/\/\.local\/share\/jupyter$/);
    expect(kernelsDir({ kind: "prefix", prefix: "/opt/env" })).toBe("/opt/env/share/jupyter/kernels");
  });

  it("finds sys.prefix of the Python that runs jupyter", () => {
    const expected = execFileSync("/usr/bin/python3", ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
    expect(jupyterSysPrefix({ PATH: "/usr/bin" })).toBe(expected);
    expect(() => jupyterSysPrefix({ PATH: "/nonexistent" })).not.toThrow(); // falls back to /usr/bin/jupyter
  });

  it("parses the CLI options", () => {
    expect(parseInstallArgs([])).toEqual({ kind: "user" });
    expect(parseInstallArgs(["--prefix", "/p"])).toEqual({ kind: "prefix", prefix: "/p" });
    expect(parseInstallArgs(["--prefix=/q"])).toEqual({ kind: "prefix", prefix: "/q" });
    expect(parseInstallArgs(["--sys-prefix"])).toEqual({ kind: "sys-prefix" });
    expect(() => parseInstallArgs(["--prefix"])).toThrow(/--prefix needs a directory\nusage: probebook install/);
    expect(() => parseInstallArgs(["--global"])).toThrow(/unknown option "--global"/);
  });
});
