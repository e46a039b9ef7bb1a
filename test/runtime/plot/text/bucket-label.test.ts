import { describe, expect, it } from "vitest";
import { binaryValue, bucketLabel } from "../../../../runtime/plot/text/bucket-label.js";
import { textWidthOf } from "../../../../runtime/plot/text/text-width.js";

describe("bucketLabel", () => {
  it("reads log2 bounds in powers of 1024, with the unit", () => {
    expect(bucketLabel(1024, 2048, "", true)).toBe("[1K, 2K)");
    expect(bucketLabel(262144, 327680, "ns", true)).toBe("[256us, 320us)");
    expect(bucketLabel(2 ** 20, 2 ** 21, "ns", true)).toBe("[1ms, 2ms)");
    expect(bucketLabel(2 ** 30, 2 ** 31, "ns", true)).toBe("[1s, 2s)");
    expect(bucketLabel(2 ** 40, 2 ** 41, "ns", true)).toBe("[1024s, 2048s)");
    expect(bucketLabel(1536, 1792, "bytes", true)).toBe("[1.5K, 1.75K)");
    expect(bucketLabel(2 ** 30, 2 ** 31, "bytes", true)).toBe("[1G, 2G)");
    expect(bucketLabel(1152, 1280, "ns", true)).toBe("[1.125us, 1.25us)"); // 8 sub-buckets
  });

  it("gives one-integer buckets as bpftrace does, and open ends", () => {
    expect(bucketLabel(0, 1, "", true)).toBe("[0]");
    expect(bucketLabel(1, 2, "", true)).toBe("[1]");
    expect(bucketLabel(2, 4, "", true)).toBe("[2, 4)");
    expect(bucketLabel(-Infinity, 1, "", true)).toBe("(..., 1)");
    expect(bucketLabel(-Infinity, -20, "", false)).toBe("(..., -20)");
    expect(bucketLabel(100, Infinity, "", false)).toBe("[100, ...)");
    expect(bucketLabel(100, undefined, "", false)).toBe("[100, ...)");
  });

  it("reads linear bounds in the unit's usual steps, negative ones too", () => {
    expect(bucketLabel(-20, -10, "", false)).toBe("[-20, -10)");
    expect(bucketLabel(100_000, 200_000, "ns", false)).toBe("[100us, 200us)");
    expect(bucketLabel(0, 0.5, "", false)).toBe("[0, 0.5)");
    expect(bucketLabel(1536, 3072, "bytes", false)).toBe("[1.5K, 3K)");
  });

  it("keeps huge values readable", () => {
    expect(binaryValue(2 ** 62, "")).toBe("4E");
    expect(binaryValue(2 ** 70, "")).toBe("1024E");
  });
});

describe("textWidthOf", () => {
  it("is COLUMNS, else 80, never absurdly narrow", () => {
    expect(textWidthOf({ COLUMNS: "120" })).toBe(120);
    expect(textWidthOf({})).toBe(80);
    expect(textWidthOf({ COLUMNS: "wide" })).toBe(80);
    expect(textWidthOf({ COLUMNS: "0" })).toBe(80);
    expect(textWidthOf({ COLUMNS: "12" })).toBe(30);
  });
});
