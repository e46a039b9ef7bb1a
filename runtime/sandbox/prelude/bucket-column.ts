// A histogram table's buckets as people read them: next to the numeric bounds
// (lower, upper: kept for queries), a "bucket" column such as [256us, 512us)
// or [1K, 2K), in the table's text and HTML views only. Which tables get it
// is read from what the table is (its meta: an in-kernel histogram of a
// latency or a field), never guessed from column names.

import { escape, type ColumnTable } from "arquero";
import { measuredOf } from "../../../probes-lib/plot-meta.js";
import { bucketLabel } from "../../plot/text/bucket-label.js";

interface HistogramMeta {
  declaration?: { value?: { op?: unknown } };
}

/** The name of the label column shown before `lower`. */
export const BUCKET_COLUMN = "bucket";

/**
 * The table to show for `table`: with a bucket label column before `lower`
 * when it is a probe's histogram, else `table` itself.
 */
export function withBucketLabels(table: ColumnTable): ColumnTable {
  const op = (table as ColumnTable & { meta?: HistogramMeta }).meta?.declaration?.value?.op;
  if (op !== "hist_log2" && op !== "hist_linear") return table;
  const names = table.columnNames();
  if (!names.includes("lower") || !names.includes("upper") || names.includes(BUCKET_COLUMN)) return table;
  const unit = measuredOf(table).unit ?? "";
  const log = op === "hist_log2";
  const label = (d: { lower: unknown; upper: unknown }) => bucketLabel(Number(d.lower), Number(d.upper), unit, log);
  return table.derive({ [BUCKET_COLUMN]: escape(label) }).relocate(BUCKET_COLUMN, { before: "lower" });
}
