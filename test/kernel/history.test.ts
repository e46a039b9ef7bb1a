import { describe, expect, it } from "vitest";
import { globToRegExp, HistoryStore } from "../../kernel/history.js";

function store(): HistoryStore {
  const h = new HistoryStore();
  ["const a = 1", "a * 2", "console.log(a)", "a * 2", "a * 3"].forEach((code, i) => h.add(i + 1, code));
  return h;
}

describe("HistoryStore", () => {
  it("returns the last n cells, with outputs when asked", () => {
    const h = new HistoryStore();
    h.add(1, "1 + 1").output = "2";
    h.add(2, "console.log(1)");
    expect(h.tail(1, false)).toEqual([[1, 2, "console.log(1)"]]);
    expect(h.tail(5, true)).toEqual([[1, 1, ["1 + 1", "2"]], [1, 2, ["console.log(1)", null]]]);
    expect(h.tail(0, false)).toEqual([]);
  });

  it("returns a range of execution counts of this session (0 means this session)", () => {
    const h = store();
    expect(h.range(1, 2, 4, false)).toEqual([[1, 2, "a * 2"], [1, 3, "console.log(a)"]]);
    expect(h.range(0, 4, null, false)).toEqual([[1, 4, "a * 2"], [1, 5, "a * 3"]]);
    expect(h.range(7, 1, null, false)).toEqual([]);
  });

  it("searches with globs, unique keeping the latest run, n keeping the most recent", () => {
    const h = store();
    expect(h.search("a * ?", false, null, false).map((r) => r[1])).toEqual([2, 4, 5]);
    expect(h.search("a * ?", true, null, false).map((r) => r[1])).toEqual([4, 5]);
    expect(h.search("a * ?", false, 2, false).map((r) => r[1])).toEqual([4, 5]);
    expect(h.search("console*", false, null, false)).toEqual([[1, 3, "console.log(a)"]]);
    expect(h.search("a", false, null, false)).toEqual([]);
  });
});

describe("globToRegExp", () => {
  it("follows sqlite GLOB: *, ?, classes, everything else literal", () => {
    expect(globToRegExp("a.b*").test("a.bcd")).toBe(true);
    expect(globToRegExp("a.b*").test("axbcd")).toBe(false);
    expect(globToRegExp("x[0-9]").test("x7")).toBe(true);
    expect(globToRegExp("x[^0-9]").test("x7")).toBe(false);
    expect(globToRegExp("f(?)").test("f(1)")).toBe(true);
    expect(globToRegExp("*").test("multi\nline")).toBe(true);
    expect(globToRegExp("[unclosed").test("[unclosed")).toBe(true);
  });
});
