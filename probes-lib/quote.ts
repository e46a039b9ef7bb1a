// How builders quote what the user wrote, in toString() and in error messages:
// strings as JSON, bigint with its n, objects as compact JSON.

/** The value as it would appear in a cell's source. */
export function quote(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value === undefined || typeof value === "function" || typeof value === "symbol") return String(value);
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Arguments as a call shows them: `"a", 1, {"pid":2}`. */
export function quoteArgs(args: readonly unknown[]): string {
  return args.filter((a) => a !== undefined).map(quote).join(", ");
}
