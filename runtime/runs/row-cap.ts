// The row cap: an event stream without .limit() stops at this many rows, so a
// busy tracepoint can't fill the kernel's memory (and then the sandbox's) with
// rows nobody reads. Hitting it is not an error: the run ends with what it
// collected and the cell is told how to raise the cap or aggregate instead.

export const DEFAULT_MAX_ROWS = 1_000_000;
export const MAX_ROWS_ENV = "PROBEBOOK_MAX_ROWS";

/** Rows per result when the declaration sets no limit: $PROBEBOOK_MAX_ROWS or DEFAULT_MAX_ROWS. */
export function maxRows(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_ROWS_ENV];
  if (raw === undefined || raw === "") return DEFAULT_MAX_ROWS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${MAX_ROWS_ENV}=${JSON.stringify(raw)} is not a positive whole number of rows (default ${DEFAULT_MAX_ROWS})`);
  return n;
}

/** What the cell is told when `probe` stopped at the cap of `cap` rows. */
export function rowCapMessage(probe: string, cap: number): string {
  return `${probe}: stopped at ${cap} rows, the cap on rows per result. ` +
    `To keep more, set the run's own limit with .limit(n) (or ${MAX_ROWS_ENV} in the kernel's environment); ` +
    `to see everything, aggregate in the kernel instead (.count().by("comm"), .histogram()), or filter with .where().`;
}
