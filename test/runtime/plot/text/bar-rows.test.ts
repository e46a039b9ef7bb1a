import { describe, expect, it } from "vitest";
import { barRows } from "../../../../runtime/plot/text/bar-rows.js";
import { barText } from "../../../../runtime/plot/text/bar-text.js";

describe("barRows", () => {
  it("lays out label, count and '@' bar to the width, rounded down as bpftrace does", () => {
    const rows = barRows([{ label: "[1K, 2K)", value: 4 }, { label: "[2K, 4K)", value: 2 }, { label: "[4K, 8K)", value: 0 }], 40);
    expect(rows).toEqual([
      "[1K, 2K)  4 |@@@@@@@@@@@@@@@@@@@@@@@@@@|",
      "[2K, 4K)  2 |@@@@@@@@@@@@@             |",
      "[4K, 8K)  0 |                          |",
    ]);
    expect(rows.every((r) => r.length === 40)).toBe(true);
  });

  it("makes room for huge counts, and cuts labels before a bar gets shorter than 10", () => {
    const rows = [{ label: "[256us, 320us)", value: 12345678901 }, { label: "[320us, 384us)", value: 1 }];
    expect(barRows(rows, 60)).toEqual([
      "[256us, 320us)  12345678901 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|",
      "[320us, 384us)            1 |                              |",
    ]);
    expect(barRows(rows, 30)).toEqual([
      "[256u…  12345678901 |@@@@@@@@@@|",
      "[320u…            1 |          |",
    ]);
  });

  it("scales to a shared maximum when asked, and gives nothing for no rows", () => {
    expect(barRows([{ label: "a", value: 5 }], 20, 10)).toEqual(["a  5 |@@@@@@       |"]);
    expect(barRows([], 80)).toEqual([]);
  });
});

describe("barText", () => {
  it("draws bars largest first, values with their unit; negative values get no bar", () => {
    expect(barText({ summary: "bars", unit: "", bars: [{ category: "up", value: 10 }, { category: "down", value: -4 }] }, 30)).toBe([
      "bars",
      "up    10 |@@@@@@@@@@@@@@@@@@@|",
      "down  -4 |                   |",
    ].join("\n"));
    expect(barText({ summary: "bars", unit: "bytes", bars: [{ category: "nginx", value: 3 * 1024 * 1024 }, { category: "bash", value: 1536 }] }, 30)).toBe([
      "bars",
      "nginx    3M |@@@@@@@@@@@@@@@@|",
      "bash   1.5K |                |",
    ].join("\n"));
  });

  it("says when there are no bars", () => {
    expect(barText({ summary: "bar chart of rows by comm: 0 bars", unit: "", bars: [] }, 80)).toBe("bar chart of rows by comm: 0 bars\n(no bars)");
  });
});
