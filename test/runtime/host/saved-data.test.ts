// Saved data: a table written as Arrow IPC next to the notebook (the host's
// file access, runtime/host/saved-data.ts; the codec, probes-lib/save-arrow.ts)
// comes back identical, columns, types and meta; names that lead outside the
// notebook's directory are refused with messages that say what to do.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DateColumn } from "../../../probes-lib/date-column.js";
import { tableFromArrowBytes, tableToArrowBytes } from "../../../probes-lib/save-arrow.js";
import { readSavedData, resolveSavedDataPath, SavedDataError, writeSavedData } from "../../../runtime/host/saved-data.js";

let dir: string;
let outside: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "probebook-notebook-"));
  outside = mkdtempSync(join(tmpdir(), "probebook-elsewhere-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const META = {
  events: 4,
  dropped: 1,
  durationMs: 1500,
  stoppedBy: "duration",
  declaration: { kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_openat" }, fields: ["filename"], filter: { pid: 42 }, durationMs: 1500 },
  columnTypes: { time_ns: "biguint64", time: "date", delta: "bigint64", pid: "uint32", ret: "int32", flags: "uint8", latency: "float64", filename: "string" },
};

/** A table like a probe's result: every column type the runtime produces, and meta. */
function probeResult(): ColumnTable & { meta: typeof META } {
  const t = aq.table({
    time_ns: BigUint64Array.from([18_446_744_073_709_551_615n, 5_000_000_001n, 5_000_000_002n, 5_000_000_003n]),
    // Wall-clock times as a probe's table has them: epoch ms read as Dates. One falls on a UTC
    // midnight (Arrow inference alone would write whole days), one is missing.
    time: new DateColumn(Float64Array.from([Date.UTC(2024, 10, 25, 14, 21, 7, 123), Date.UTC(2024, 10, 25), Number.NaN, 1])),
    delta: BigInt64Array.from([-9_223_372_036_854_775_808n, -1n, 0n, 9_223_372_036_854_775_807n]),
    pid: Uint32Array.from([42, 42, 42, 4_294_967_295]),
    ret: Int32Array.from([-2, 3, 0, 2_147_483_647]),
    flags: Uint8Array.from([0, 1, 255, 128]),
    latency: Float64Array.from([0.5, Number.NaN, -Infinity, 1e300]),
    filename: ["/etc/passwd", "", "/tmp/ünïcödé ✓", "/etc/passwd"],
    plain: [1.5, 2, null, 4],
  });
  Object.defineProperty(t, "meta", { value: Object.freeze(structuredClone(META)), enumerable: false });
  return t as ColumnTable & { meta: typeof META };
}

/** Columns as [name, container, values] for exact comparison (NaN-safe through Object.is in toEqual). */
function shape(t: ColumnTable): [string, string, unknown[]][] {
  return t.columnNames().map((name) => {
    const column = t.column(name) as unknown as ArrayLike<unknown>;
    return [name, (column as object).constructor.name, Array.from(t.array(name) as ArrayLike<unknown>)];
  });
}

describe("round trip", () => {
  test("a probe's table comes back identical: columns, containers (BigInt64, Float64, strings ...), values and meta", async () => {
    const original = probeResult();
    const written = await writeSavedData(dir, "opens.arrow", tableToArrowBytes(original), { overwrite: false });
    expect(written.path).toBe(join(dir, "opens.arrow"));
    expect(written.bytes).toBe(readFileSync(join(dir, "opens.arrow")).length);
    // An Arrow IPC file: magic "ARROW1" at both ends.
    const bytes = await readSavedData(dir, "opens.arrow");
    expect(Buffer.from(bytes.subarray(0, 6)).toString()).toBe("ARROW1");
    expect(Buffer.from(bytes.subarray(bytes.length - 6)).toString()).toBe("ARROW1");

    const loaded = tableFromArrowBytes(bytes) as ColumnTable & { meta: typeof META };
    expect(shape(loaded)).toEqual(shape(original));
    expect(shape(loaded).map(([name, container]) => `${name}:${container}`)).toEqual([
      "time_ns:BigUint64Array",
      "time:DateColumn",
      "delta:BigInt64Array",
      "pid:Uint32Array",
      "ret:Int32Array",
      "flags:Uint8Array",
      "latency:Float64Array",
      "filename:Array",
      "plain:Array",
    ]);
    expect(loaded.meta).toEqual(META);
    // Dates, to the millisecond, and the same milliseconds underneath.
    expect(Array.from(loaded.array("time") as ArrayLike<Date | null>, (d) => d?.toISOString() ?? null))
      .toEqual(["2024-11-25T14:21:07.123Z", "2024-11-25T00:00:00.000Z", null, "1970-01-01T00:00:00.001Z"]);
    expect((loaded.column("time") as unknown as DateColumn).ms).toEqual((original.column("time") as unknown as DateColumn).ms);
    // As on a probe's table: not a column, not enumerable, frozen.
    expect(Object.keys(loaded)).not.toContain("meta");
    expect(Object.getOwnPropertyDescriptor(loaded, "meta")?.enumerable).toBe(false);
    expect(Object.isFrozen(loaded.meta)).toBe(true);
    // And it works as a table: the next line can query it.
    expect(loaded.groupby("filename").count().orderby("filename").objects()).toEqual([
      { filename: "", count: 1 },
      { filename: "/etc/passwd", count: 2 },
      { filename: "/tmp/ünïcödé ✓", count: 1 },
    ]);
  });

  test("a filtered, ordered table is saved as what it shows; a table without meta loads without meta", async () => {
    const view = probeResult().filter((d: { pid: number }) => d.pid === 42).orderby(aq.desc("ret")).select("ret", "time", "filename");
    await writeSavedData(dir, "view.arrow", tableToArrowBytes(view), { overwrite: false });
    const loaded = tableFromArrowBytes(await readSavedData(dir, "view.arrow"));
    expect(loaded.objects()).toEqual([
      { ret: 3, time: new Date(Date.UTC(2024, 10, 25)), filename: "" },
      { ret: 0, time: null, filename: "/tmp/ünïcödé ✓" },
      { ret: -2, time: new Date(Date.UTC(2024, 10, 25, 14, 21, 7, 123)), filename: "/etc/passwd" },
    ]);
    expect(shape(loaded).map(([name, container]) => `${name}:${container}`)).toEqual(["ret:Int32Array", "time:DateColumn", "filename:Array"]);
    expect((loaded as { meta?: unknown }).meta).toBeUndefined();
  });
});

describe("only inside the notebook's directory", () => {
  const bytes = () => tableToArrowBytes(aq.table({ x: [1] }));

  test("names are relative, end in .arrow and stay inside", () => {
    expect(resolveSavedDataPath(dir, "data/opens.arrow", "save")).toBe(join(dir, "data/opens.arrow"));
    expect(() => resolveSavedDataPath(dir, "/etc/opens.arrow", "save")).toThrow(
      `save(table, "/etc/opens.arrow"): absolute paths are refused; give a name relative to the notebook's directory (${dir}), such as "opens.arrow"`,
    );
    expect(() => resolveSavedDataPath(dir, "../opens.arrow", "save")).toThrow(
      `save(table, "../opens.arrow"): the name leads outside the notebook's directory (${dir}); the kernel reads and writes only inside it: use a name such as "opens.arrow" or "data/opens.arrow"`,
    );
    expect(() => resolveSavedDataPath(dir, "data/../../x.arrow", "load")).toThrow(`load("data/../../x.arrow"): the name leads outside the notebook's directory (${dir})`);
    expect(() => resolveSavedDataPath(dir, "analysis.ipynb", "save")).toThrow(
      `save(table, "analysis.ipynb"): saved data files must be named "<something>.arrow" (Arrow IPC), e.g. "opens.arrow"`,
    );
    expect(() => resolveSavedDataPath(dir, "", "load")).toThrow(`load(""): give a file name such as "opens.arrow"`);
    expect(() => resolveSavedDataPath(dir, "~/x.arrow", "load")).toThrow(/absolute paths are refused/);
  });

  test("an existing file is replaced only with { overwrite: true }", async () => {
    await writeSavedData(dir, "x.arrow", bytes(), { overwrite: false });
    const err = await writeSavedData(dir, "x.arrow", bytes(), { overwrite: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SavedDataError);
    expect((err as Error).message).toBe(`save(table, "x.arrow"): ${join(dir, "x.arrow")} already exists; pass { overwrite: true } to replace it, or choose another name`);
    const replacement = tableToArrowBytes(aq.table({ y: ["replaced"] }));
    await writeSavedData(dir, "x.arrow", replacement, { overwrite: true });
    expect(tableFromArrowBytes(await readSavedData(dir, "x.arrow")).objects()).toEqual([{ y: "replaced" }]);
  });

  test("symbolic links can't lead a save or a load outside", async () => {
    symlinkSync(outside, join(dir, "elsewhere"));
    await expect(writeSavedData(dir, "elsewhere/x.arrow", bytes(), { overwrite: false })).rejects.toThrow(
      `save(table, "elsewhere/x.arrow"): ${join(dir, "elsewhere")} leads to ${outside}, outside the notebook's directory (through a symbolic link); the kernel writes only inside it`,
    );
    writeFileSync(join(outside, "secret.arrow"), bytes());
    symlinkSync(join(outside, "secret.arrow"), join(dir, "secret.arrow"));
    await expect(readSavedData(dir, "secret.arrow")).rejects.toThrow(
      `load("secret.arrow"): ${join(dir, "secret.arrow")} links to ${join(outside, "secret.arrow")}, outside the notebook's directory; the kernel reads only inside it`,
    );
    await expect(writeSavedData(dir, "secret.arrow", bytes(), { overwrite: true })).rejects.toThrow(
      `save(table, "secret.arrow"): ${join(dir, "secret.arrow")} is a symbolic link; the kernel doesn't write through links: choose another name`,
    );
    // Nothing was written outside.
    expect(readFileSync(join(outside, "secret.arrow"))).toEqual(Buffer.from(bytes()));
  });

  test("missing subdirectories are made inside; loading a missing file says so", async () => {
    await writeSavedData(dir, "runs/2024/x.arrow", bytes(), { overwrite: false });
    expect(tableFromArrowBytes(await readSavedData(dir, "runs/2024/x.arrow")).objects()).toEqual([{ x: 1 }]);
    mkdirSync(join(dir, "empty"));
    await expect(readSavedData(dir, "empty/none.arrow")).rejects.toThrow(
      `load("empty/none.arrow"): there is no file ${join(dir, "empty/none.arrow")}; save one first with save(table, "empty/none.arrow")`,
    );
  });
});
