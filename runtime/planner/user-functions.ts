// Checks of a user-space function to probe (uprobe events, uprobe latency):
// the binary exists, and its ELF symbol tables define the function; the
// errors name the closest functions it does define.
import { existsSync, statSync } from "node:fs";
import { closestNames } from "../spec/closest-names.js";
import { findFunction } from "../host/elf-symbols.js";
import { PlanError } from "../spec/errors.js";
import { elfSymbolsOf } from "../host/symbolize.js";

/** `binary` as an absolute path to a file; `what` begins the messages ("uprobe", "uprobe latency"). */
export function checkBinary(binary: unknown, what: string): string {
  if (typeof binary !== "string" || !binary.startsWith("/"))
    throw new PlanError("BAD_DECLARATION",
      `${what}: binary must be an absolute path such as "/usr/lib/x86_64-linux-gnu/libc.so.6", got ${JSON.stringify(binary)}`);
  if (!existsSync(binary) || !statSync(binary).isFile())
    throw new PlanError("UNKNOWN_BINARY", `${what}: ${binary} does not exist (or is not a file).`, { binary });
  return binary;
}

/** `symbol` as a function `binary` defines (UNKNOWN_SYMBOL with the closest names otherwise). */
export function checkSymbol(binary: string, symbol: unknown, what: string): string {
  if (typeof symbol !== "string" || !/^[A-Za-z_.$][\w.$@]*$/.test(symbol))
    throw new PlanError("BAD_DECLARATION", `${what} on ${binary}: symbol must be a function name, got ${JSON.stringify(symbol)}`);
  const elf = elfSymbolsOf(binary);
  if (!elf) throw new PlanError("UNKNOWN_BINARY", `${what} on ${binary}: it is not an ELF executable or library.`, { binary });
  if (!findFunction(elf, symbol)) {
    const names = [...new Set([...elf.byName.keys()].map((n) => n.replace(/@.*$/, "")))];
    const near = closestNames(symbol, names);
    throw new PlanError("UNKNOWN_SYMBOL",
      `${binary} has no function "${symbol}" in its symbol tables.` +
        (near.length ? ` Closest: ${near.join(", ")}.` : ` It defines ${names.length} functions.`),
      { binary, symbol, suggestions: near });
  }
  return symbol;
}
