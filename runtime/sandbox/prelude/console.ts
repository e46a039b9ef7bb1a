// console for cells: log/info/debug go to stdout, warn/error to stderr, each
// call one line, formatted like Node's console.

import { writeStream } from "./output-buffer.js";
import { formatLogArgs, inspect } from "./inspect.js";

const counts = new Map<string, number>();
const timers = new Map<string, number>();

function out(...args: unknown[]): void {
  writeStream("stdout", formatLogArgs(args) + "\n");
}

function err(...args: unknown[]): void {
  writeStream("stderr", formatLogArgs(args) + "\n");
}

/** The sandbox's console. */
export const sandboxConsole = {
  log: out,
  info: out,
  debug: out,
  warn: err,
  error: err,
  trace: (...args: unknown[]) => err(`Trace: ${formatLogArgs(args)}\n${new Error().stack?.split("\n").slice(2).join("\n") ?? ""}`),
  dir: (value: unknown) => out(inspect(value)),
  assert: (condition: unknown, ...args: unknown[]) => {
    if (!condition) err(args.length ? `Assertion failed: ${formatLogArgs(args)}` : "Assertion failed");
  },
  count: (label = "default") => {
    const n = (counts.get(label) ?? 0) + 1;
    counts.set(label, n);
    out(`${label}: ${n}`);
  },
  countReset: (label = "default") => void counts.delete(label),
  time: (label = "default") => void timers.set(label, Date.now()),
  timeEnd: (label = "default") => {
    const start = timers.get(label);
    timers.delete(label);
    if (start === undefined) err(`Warning: no such label '${label}' for console.timeEnd()`);
    else out(`${label}: ${Date.now() - start} ms`);
  },
};
