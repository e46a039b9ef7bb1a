#!/usr/bin/env node
// probebook's command line. Kept to plain JavaScript with no imports at the
// top: each command loads only what it needs from dist/ (built by
// `npm run build`), so a Jupyter frontend's kernel launch is not slowed down
// by modules the kernel path doesn't use.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const HELP = `probebook - a Jupyter kernel for live eBPF investigation (TypeScript cells)

usage:
  probebook kernel -f <connection file>   run the kernel (Jupyter does this from the kernelspec)
  probebook console [jupyter-console options]
                                          probebook in this terminal (Debian's jupyter-console):
                                          plots print as text, progress updates in place
  probebook install [--user | --prefix <dir> | --sys-prefix]
                                          install the "probebook" kernelspec
                                          (default --user: ~/.local/share/jupyter/kernels)
  probebook --help                        show this help
  probebook --version                     print the version
`;

async function loadBuilt(relative) {
  const url = new URL(`../dist/${relative}`, import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    throw new Error(`probebook is not built: ${fileURLToPath(url)} is missing. Run \`npm run build\` in ${fileURLToPath(new URL("..", import.meta.url))}`);
  }
  return import(url.href);
}

async function main(argv) {
  const [command, ...rest] = argv;
  switch (command) {
    case "kernel":
      return (await loadBuilt("kernel/main.js")).runKernel(rest);
    case "install":
      return (await loadBuilt("kernel/install.js")).runInstall(rest);
    case "console":
      return runConsole(rest);
    case "--version":
    case "-V": {
      const { readFileSync } = await import("node:fs");
      const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
      process.stdout.write(`probebook ${pkg.version}\n`);
      return 0;
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`probebook: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 2;
  }
}

// `probebook console`: installs the kernelspec for this user (as `npm start`
// does), then runs console/probebook_console.py (Debian's jupyter-console with
// text instead of images) under /usr/bin/python3, which sees Debian's Jupyter
// packages. The kernel draws plots' text as wide as COLUMNS: this terminal's.
async function runConsole(args) {
  const { spawn, spawnSync } = await import("node:child_process");
  const python = "/usr/bin/python3";
  const found = existsSync(python) && spawnSync(python, ["-c", "import jupyter_console"], { stdio: "ignore" }).status === 0;
  if (!found) {
    throw new Error("jupyter-console is not installed: `npm run console` installs it (apt-get install jupyter-console), or install it yourself");
  }
  const { installKernelspec } = await loadBuilt("kernel/install.js");
  await installKernelspec({ kind: "user" });
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  const env = { ...process.env, ...(columns ? { COLUMNS: String(columns) } : {}) };
  const script = fileURLToPath(new URL("../console/probebook_console.py", import.meta.url));
  const child = spawn(python, [script, "--kernel", "probebook", ...args], { stdio: "inherit", env });
  // Ctrl-C reaches the whole foreground process group: the console turns it into an
  // interrupt of the running cell; this parent must not die of it.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  process.on("SIGQUIT", ignore);
  for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code ?? 1));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`probebook: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
