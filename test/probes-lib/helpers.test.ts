// The internal helpers of probes-lib, with the values their TSDoc examples
// used to show. A cell never sees these names (the doctests run only what a
// cell can call, test/doctests/), so their examples live here as tests.
import * as aq from "arquero";
import { expect, test } from "vitest";
import { DateColumn, datedColumns } from "../../probes-lib/date-column.js";
import { parseNanoseconds } from "../../probes-lib/duration.js";
import { linearBins, logBucket, logScale, logSlot, logSlotBounds, scaleFromBounds } from "../../probes-lib/plot-buckets.js";
import { capRows, columnValues, describeValue, findColumn, formatCount, labelOf, numericValues, temporalAxis, wholeCountAxis } from "../../probes-lib/plot-data.js";
import { formatValue, log2Note, pow2Label, unitOfColumn } from "../../probes-lib/plot-units.js";
import { isProbe } from "../../probes-lib/probe.js";
import { syscall } from "../../probes-lib/syscall.js";
import { applyWhere } from "../../probes-lib/where.js";
import { tableFromArrowBytes, tableToArrowBytes } from "../../probes-lib/save-arrow.js";

test.each<[string, () => unknown, unknown]>([
  ['DateColumn.at', () => new DateColumn(Float64Array.of(Date.UTC(2024, 0, 1, 12))).at(0)?.toISOString(), "2024-01-01T12:00:00.000Z"],
  ["DateColumn.at(0) of 0", () => new DateColumn(Float64Array.of(0)).at(0)?.toISOString(), "1970-01-01T00:00:00.000Z"],
  ["DateColumn.from", () => Array.from(DateColumn.from([new Date(0), 1000, null]).ms), [0, 1000, Number.NaN]],
  ["DateColumn.length", () => new DateColumn(Float64Array.of(0, 1)).length, 2],
  ["DateColumn.toString", () => String(new DateColumn(Float64Array.of(0))), "DateColumn(1) [1970-01-01T00:00:00.000Z]"],
  ["a DateColumn in arquero", () => aq.table({ time: new DateColumn(Float64Array.of(Date.UTC(2024, 0, 1, 12), Date.UTC(2024, 0, 1, 9))) }).filter((d: { time: Date }) => aq.op.hours(d.time) >= 12).numRows(), 1],
  ["datedColumns", () => (datedColumns({ time: Float64Array.of(0) }, { time: "date" }).time as DateColumn).at(0)?.toISOString(), "1970-01-01T00:00:00.000Z"],
  ['parseNanoseconds("1ms")', () => parseNanoseconds("1ms"), 1_000_000],
  ['parseNanoseconds("250us")', () => parseNanoseconds("250us"), 250_000],
  ["parseNanoseconds(500)", () => parseNanoseconds(500), 500],
  ["logSlot(1500)", () => logSlot(1500), 11],
  ["logSlot(1500, 4)", () => logSlot(1500, 4), 42],
  ["logSlotBounds(42, 4)", () => logSlotBounds(42, 4), [1280, 1536]],
  ["logBucket(11, 1, ns)", () => logBucket(11, 1, "ns"), { low: 1024, high: 2048, label: "1us", from: "1.02us", order: 11 }],
  ["logScale(11, 13, 1, ns)", () => logScale(11, 13, 1, "ns").buckets.map((b) => b.label), ["1us", "2us", "4us"]],
  ["scaleFromBounds", () => scaleFromBounds([1024, 4096], [2048, 8192], "ns").buckets.map((b) => b.label), ["1us", "2us", "4us"]],
  ["linearBins(0, 100, 4)", () => linearBins(0, 100, 4, "").buckets.map((b) => b.label), ["0", "25", "50", "75"]],
  ["findColumn", () => findColumn(aq.table({ lower: [1], count: [2] }), ["lower", "low"]), "lower"],
  ["columnValues", () => columnValues(aq.table({ pid: [2, 1], comm: ["sshd", "bash"] }).orderby("pid"), "comm"), ["bash", "sshd"]],
  ["numericValues of BigInt", () => numericValues(aq.table({ n: BigInt64Array.from([1n]) }), "n", "plot.line(table, { x, y })"), [1]],
  ["labelOf", () => [labelOf(3n), labelOf(null), labelOf(["a", "b"])], ["3", "(null)", "a;b"]],
  ["temporalAxis format", () => temporalAxis(Date.UTC(2024, 0, 1, 12, 0, 7), Date.UTC(2024, 0, 1, 12, 0, 9)).format, "%H:%M:%S.%L"],
  ["capRows", () => capRows([1, 2, 3], 2), { rows: [1, 2], total: 3, capped: true }],
  ["wholeCountAxis(2)", () => wholeCountAxis(2), { values: [0, 1, 2], format: "d" }],
  ["formatCount(1234)", () => formatCount(1234), "1,234"],
  ["describeValue([1])", () => describeValue([1]), "an array"],
  ["unitOfColumn", () => ["latency_ns", "bytes", "count"].map(unitOfColumn), ["ns", "bytes", ""]],
  ["pow2Label", () => [pow2Label(10, "ns"), pow2Label(3, ""), pow2Label(21, "bytes")], ["1us", "8", "2M"]],
  ["formatValue", () => [formatValue(1500, "ns"), formatValue(1536, "bytes"), formatValue(42, "")], ["1.5us", "1.5K", "42"]],
  ['log2Note("ns")', () => log2Note("ns"), "log2 buckets, 1us = 1024ns"],
  ["isProbe", () => [isProbe(syscall("read").count()), isProbe("syscalls:sys_enter_read")], [true, false]],
  ["applyWhere", () => applyWhere({}, { pid: 42, count: { gt: 4096 } }, 'syscall("read").where(...)'), { pid: 42, where: [{ field: "count", op: ">", value: 4096 }] }],
  ["Arrow bytes round trip", () => tableFromArrowBytes(tableToArrowBytes(aq.table({ comm: ["a", "b"] }))).numRows(), 2],
  ["Arrow round trip of bytes (tls()'s data) and booleans", () => {
    const back = tableFromArrowBytes(tableToArrowBytes(aq.table({ data: [Uint8Array.of(1, 2, 255), Uint8Array.of()], truncated: [true, false] })));
    return [back.column("data")!.at(0) instanceof Uint8Array, Array.from(back.column("data")!.at(0) as Uint8Array), back.array("truncated")];
  }, [true, [1, 2, 255], [true, false]]],
])("%s", (_name, run, expected) => {
  expect(run()).toEqual(expected);
});
