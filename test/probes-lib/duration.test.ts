import { describe, expect, test } from "vitest";
import { parseDuration } from "../../probes-lib/duration.js";

describe("parseDuration", () => {
  test.each([
    ["500ms", 500],
    ["5s", 5000],
    ["1m", 60_000],
    ["1h", 3_600_000],
    ["1.5s", 1500],
    [" 2 s ", 2000],
    [".25s", 250],
    [250, 250],
    [1.4, 1],
  ])("%j is %d ms", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  test("strings that are not durations say what to write", () => {
    expect(() => parseDuration("5 seconds")).toThrow(new RangeError('duration "5 seconds" is not a duration: write a number and a unit, e.g. "500ms", "5s", "1m" or "1h"'));
    expect(() => parseDuration("5")).toThrow(/"5" is not a duration/);
    expect(() => parseDuration("-1s")).toThrow(/"-1s" is not a duration/);
  });

  test("numbers must be positive and finite", () => {
    expect(() => parseDuration(0)).toThrow(new RangeError('duration 0 is not a usable number of milliseconds: use a positive number such as 500, or a string such as "5s"'));
    expect(() => parseDuration(Number.NaN)).toThrow(/NaN is not a usable number/);
    expect(() => parseDuration(Infinity)).toThrow(/Infinity is not a usable number/);
  });

  test("durations under a millisecond are refused", () => {
    expect(() => parseDuration("0.1ms")).toThrow(new RangeError('duration "0.1ms" is shorter than 1 ms: use at least "1ms"'));
  });

  test("other types name what they got; the caller's name for the value leads the message", () => {
    expect(() => parseDuration({} as unknown as string, "events: for")).toThrow(new TypeError('events: for must be a string such as "5s" or a number of milliseconds, not an object'));
  });
});
