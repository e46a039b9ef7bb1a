// help(value): the documentation of a global in the notebook's pager, the
// same text inspect (Shift+Tab) shows. The sandbox only finds the value's
// name among its globals; the host's language service has the TSDoc.

import { hostHelp, hostStream } from "./host-bridge.js";
import * as sandboxGlobals from "./globals.js";

/** Built-ins whose members help() finds by identity (their docs come from TypeScript's lib .d.ts). */
const BUILTIN_NAMESPACES = ["Math", "JSON", "Object", "Array", "Number", "String", "Promise", "Reflect", "Date", "BigInt", "Map", "Set"];

const NAME_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/**
 * Shows the documentation of a probebook global in the pager: its signature,
 * description and examples (what inspect shows for it).
 *
 * @param target - the global itself (`help(tracepoint)`, `help(aq.table)`)
 *   or its name as a string (`help("plot.histogram")`).
 *
 * @example
 * ```ts
 * help(tracepoint)
 * ```
 */
export function help(target: unknown): void {
  const name = nameOf(target);
  if (name !== undefined && hostHelp(name)) return;
  const what = typeof target === "string" ? JSON.stringify(target) : typeof target === "function" && target.name ? `function ${target.name}` : `this ${typeof target}`;
  hostStream("stdout", `help: no documentation found for ${what}; pass a global such as help(tracepoint), help(aq.table) or help("plot.histogram")\n`);
}

/** The global's name ("aq.table"), by identity; a string is taken as the name. */
function nameOf(target: unknown): string | undefined {
  if (typeof target === "string") return NAME_PATH.test(target.trim()) ? target.trim() : undefined;
  if ((typeof target !== "function" && typeof target !== "object") || target === null) return undefined;
  const globals = sandboxGlobals as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) {
    if (value === target) return name;
  }
  // One level into namespaces: aq.table, plot.histogram.
  for (const [name, value] of Object.entries(globals)) {
    if ((typeof value !== "object" && typeof value !== "function") || value === null) continue;
    for (const key of Object.keys(value)) {
      if ((value as Record<string, unknown>)[key] === target && NAME_PATH.test(key)) return `${name}.${key}`;
    }
  }
  // JavaScript's own: help(Math.max), help(JSON.stringify), help(Array.from).
  const builtins = globalThis as unknown as Record<string, Record<string, unknown>>;
  for (const name of BUILTIN_NAMESPACES) {
    const space = builtins[name];
    if (space === target) return name;
    if (!space) continue;
    for (const key of Object.getOwnPropertyNames(space)) {
      if (NAME_PATH.test(key) && Object.getOwnPropertyDescriptor(space, key)?.value === target) return `${name}.${key}`;
    }
  }
  // A function of the notebook's own cells: the language service knows their source.
  if (typeof target === "function" && NAME_PATH.test(target.name)) return target.name;
  return undefined;
}
