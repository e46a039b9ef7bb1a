// Argument parsing for `probebook kernel`, apart from main.ts so that other
// entry points (and tests) can use it without pulling in the runtime.

export const KERNEL_USAGE = "usage: probebook kernel -f <connection file>";

export function connectionFileArg(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-f" || arg === "--connection-file") {
      const value = args[i + 1];
      if (!value) break;
      return value;
    }
    if (arg.startsWith("--connection-file=")) return arg.slice("--connection-file=".length);
  }
  throw new Error(`no connection file given\n${KERNEL_USAGE}\n(Jupyter passes it from the kernelspec: "-f", "{connection_file}")`);
}
