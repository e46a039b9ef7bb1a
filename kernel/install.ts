// `probebook install`: writes the `probebook` kernelspec (kernel.json and two
// logos) where Jupyter looks for kernels: the user's data dir, a --prefix, or
// the --sys-prefix of the Python environment that runs Jupyter.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { renderLogo } from "./kernelspec/logo.js";
import { packageRoot } from "./package-root.js";

export const KERNEL_NAME = "probebook";
export const DISPLAY_NAME = "probebook (TypeScript + eBPF)";

export type InstallTarget = { kind: "user" } | { kind: "prefix"; prefix: string } | { kind: "sys-prefix" };

export interface KernelJson {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "message" | "signal";
  metadata: Record<string, unknown>;
}

/** jupyter_core's user data dir on Linux: $JUPYTER_DATA_DIR, else $XDG_DATA_HOME/jupyter, else ~/.local/share/jupyter. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return resolve(env.JUPYTER_DATA_DIR);
  const xdg = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(xdg, "jupyter");
}

/** sys.prefix of the Python that runs `jupyter` (read from its #! line), as `jupyter kernelspec install --sys-prefix` uses. */
export function jupyterSysPrefix(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = (env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "jupyter"));
  candidates.push("/usr/bin/jupyter");
  const jupyter = candidates.find((path) => existsSync(path));
  if (!jupyter) throw new Error("--sys-prefix: no `jupyter` command found on PATH; use --prefix <dir> or --user instead");
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(readFileSync(jupyter, "utf8").split("\n", 1)[0]);
  if (!shebang) throw new Error(`--sys-prefix: ${jupyter} is not a Python script with a #! line; use --prefix <dir> instead`);
  // "#!/usr/bin/env python3" names the interpreter in its second word.
  const interpreter = shebang[1].endsWith("/env") && shebang[2] ? shebang[2] : shebang[1];
  return execFileSync(interpreter, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
}

export function kernelsDir(target: InstallTarget): string {
  switch (target.kind) {
    case "user":
      return join(userDataDir(), "kernels");
    case "prefix":
      return join(resolve(target.prefix), "share", "jupyter", "kernels");
    case "sys-prefix":
      return join(jupyterSysPrefix(), "share", "jupyter", "kernels");
  }
}

export function kernelJson(): KernelJson {
  const root = packageRoot();
  return {
    // Absolute paths: Jupyter starts kernels from the notebook's directory with its own PATH.
    argv: [process.execPath, join(root.dir, "bin", "probebook.js"), "kernel", "-f", "{connection_file}"],
    display_name: DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "message",
    metadata: { debugger: false, probebook: { version: root.version } },
  };
}

/** Writes the kernelspec, replacing an older one, and returns its directory. */
export async function installKernelspec(target: InstallTarget): Promise<string> {
  const dir = join(kernelsDir(target), KERNEL_NAME);
  const spec = kernelJson();
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
  await writeFile(join(dir, "logo-32x32.png"), renderLogo(32));
  await writeFile(join(dir, "logo-64x64.png"), renderLogo(64));
  return dir;
}

export const INSTALL_USAGE = "usage: probebook install [--user | --prefix <dir> | --sys-prefix]";

export function parseInstallArgs(args: readonly string[]): InstallTarget {
  let target: InstallTarget = { kind: "user" };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--user") target = { kind: "user" };
    else if (arg === "--sys-prefix") target = { kind: "sys-prefix" };
    else if (arg === "--prefix") {
      const prefix = args[++i];
      if (!prefix) throw new Error(`--prefix needs a directory\n${INSTALL_USAGE}`);
      target = { kind: "prefix", prefix };
    } else if (arg.startsWith("--prefix=")) target = { kind: "prefix", prefix: arg.slice("--prefix=".length) };
    else throw new Error(`unknown option ${JSON.stringify(arg)}\n${INSTALL_USAGE}`);
  }
  return target;
}

/** The CLI entry: installs and says where, and how Jupyter will find it. */
export async function runInstall(args: readonly string[]): Promise<number> {
  const target = parseInstallArgs(args);
  const dir = await installKernelspec(target);
  process.stdout.write(`installed the ${KERNEL_NAME} kernelspec in ${dir}\n`);
  if (target.kind === "prefix") {
    process.stdout.write(`Jupyter finds it when ${join(resolve(target.prefix), "share", "jupyter")} is on JUPYTER_PATH\n`);
  }
  return 0;
}
