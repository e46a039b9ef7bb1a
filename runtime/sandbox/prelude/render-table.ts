// How an arquero table looks in a notebook: an HTML table of the first rows
// with a caption (row and column counts, and the run's drops when the table
// came from a probe), and the same as plain text for terminals and logs.
// A probe's histogram also shows a readable bucket column ([256us, 512us))
// beside its numeric bounds (bucket-column.ts), and a latency's nanoseconds
// show as times (duration-column.ts).
// Dates (a probe's `time`) show in UTC, ISO 8601 with milliseconds, in both:
// 2024-11-25T14:21:07.123Z, whatever the kernel's time zone.

import type { ColumnTable as Table } from "arquero";
import type { EventsMeta } from "../../../probes-lib/events-table.js";
import { withBucketLabels } from "./bucket-column.js";
import { withDurationLabels } from "./duration-column.js";

/** Rows shown before "... N more rows". */
export const TABLE_ROW_LIMIT = 20;

const MAX_CELL_CHARS = 40;

/** The MIME bundle of a table: text/html and text/plain. */
export function tableBundle(table: Table, limit = TABLE_ROW_LIMIT): Record<string, string> {
  return { "text/html": tableHtml(table, limit), "text/plain": tableText(table, limit) };
}

/** "3 rows × 2 columns", plus the run's counters when the table has them. */
export function tableCaption(table: Table, limit = TABLE_ROW_LIMIT): string {
  const rows = table.numRows();
  const cols = table.numCols();
  let caption = `${plural(rows, "row")} × ${plural(cols, "column")}`;
  if (rows > limit) caption += ` (first ${limit} shown)`;
  const meta = runMeta(table);
  if (meta) {
    caption += ` · ${plural(meta.events, "event")} in ${formatMs(meta.durationMs)}`;
    if (meta.dropped > 0) caption += ` · ${plural(meta.dropped, "event")} DROPPED (the ring buffer was full; they are missing from this table)`;
  }
  return caption;
}

function tableHtml(probeTable: Table, limit: number): string {
  const table = withDurationLabels(withBucketLabels(probeTable));
  // arquero would show dates in local time, without a zone, and without milliseconds
  // when a column's times all fall on whole seconds.
  const format = Object.fromEntries(dateColumns(table, limit).map((name) => [name, { utc: true }]));
  const html = table.toHTML({ limit, format });
  const caption = `<caption style="caption-side: bottom; text-align: left">${escapeHtml(tableCaption(probeTable, limit))}</caption>`;
  // toHTML starts with the <table ...> tag; the caption must be its first child.
  const openEnd = html.indexOf(">") + 1;
  return html.slice(0, openEnd) + caption + html.slice(openEnd);
}

/** A padded text table of the first `limit` rows, then the caption. */
export function tableText(probeTable: Table, limit = TABLE_ROW_LIMIT): string {
  const table = withDurationLabels(withBucketLabels(probeTable));
  const names = table.columnNames();
  const rows = Math.min(table.numRows(), limit);
  // Filtered or ordered tables keep all rows and an index of the visible ones.
  const index = table.isFiltered() || table.isOrdered() ? table.indices() : undefined;
  const columns = names.map((name) => {
    const column = table.column(name)!;
    const cells: string[] = [];
    let numeric = true;
    for (let row = 0; row < rows; row++) {
      const value = column.at(index ? index[row]! : row);
      if (value !== null && value !== undefined && typeof value !== "number" && typeof value !== "bigint") numeric = false;
      cells.push(cellText(value));
    }
    const width = Math.max(name.length, ...cells.map((c) => c.length));
    return { name, cells, width, numeric };
  });
  const pad = (text: string, width: number, right: boolean) => (right ? text.padStart(width) : text.padEnd(width));
  const lines = [
    columns.map((c) => pad(c.name, c.width, c.numeric)).join("  "),
    columns.map((c) => "-".repeat(c.width)).join("  "),
  ];
  for (let row = 0; row < rows; row++) lines.push(columns.map((c) => pad(c.cells[row]!, c.width, c.numeric)).join("  "));
  if (table.numRows() > rows) lines.push(`... ${plural(table.numRows() - rows, "more row")}`);
  lines.push(tableCaption(probeTable, limit));
  return lines.map((line) => line.trimEnd()).join("\n");
}

/** Columns holding a Date in the first `limit` rows shown. */
function dateColumns(table: Table, limit: number): string[] {
  const rows = Math.min(table.numRows(), limit);
  const index = table.isFiltered() || table.isOrdered() ? table.indices() : undefined;
  return table.columnNames().filter((name) => {
    const column = table.column(name)!;
    for (let row = 0; row < rows; row++) if (column.at(index ? index[row]! : row) instanceof Date) return true;
    return false;
  });
}

function cellText(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = "";
  else if (value instanceof Date) text = value.toISOString();
  else if (value instanceof Uint8Array) text = bytesText(value);
  else if (typeof value === "object") text = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v)) ?? String(value);
  else text = String(value);
  text = text.replace(/\n/g, "\\n");
  return text.length > MAX_CELL_CHARS ? `${text.slice(0, MAX_CELL_CHARS - 1)}…` : text;
}

/** A binary cell (tls()'s data): its first bytes in hex and its size, within a cell's width (the text column shows it as text). */
function bytesText(b: Uint8Array): string {
  const shown = Array.from(b.subarray(0, 12), (x) => x.toString(16).padStart(2, "0")).join("");
  return `${shown}${b.length > 12 ? "…" : ""} (${b.length} B)`;
}

function runMeta(table: Table): EventsMeta | undefined {
  const meta = (table as Table & { meta?: EventsMeta }).meta;
  return meta && typeof meta.events === "number" ? meta : undefined;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(2))} s` : `${Math.round(ms)} ms`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
