import { describe, expect, it } from "vitest";
import { DIGEST_HISTORY_SIZE, DigestHistory } from "../../../kernel/protocol/digest-history.js";

describe("DigestHistory", () => {
  it("holds jupyter_client's 2^16 digests by default and reports a digest seen twice", () => {
    const h = new DigestHistory();
    expect(h.capacity).toBe(DIGEST_HISTORY_SIZE);
    expect(DIGEST_HISTORY_SIZE).toBe(65536);
    expect(h.add("a")).toBe(true);
    expect(h.add("a")).toBe(false);
    expect(h.add("b")).toBe(true);
    expect(h.size).toBe(2);
  });

  it("stays bounded: past capacity it forgets the oldest tenth, and remembers the newest", () => {
    const h = new DigestHistory(100);
    for (let i = 0; i <= 100; i++) expect(h.add(`d${i}`)).toBe(true);
    // 101 added, 10 oldest forgotten
    expect(h.size).toBe(91);
    expect(h.add("d100")).toBe(false);
    expect(h.add("d10")).toBe(false);
    expect(h.add("d0")).toBe(true);
    for (let i = 0; i < 10_000; i++) h.add(`x${i}`);
    expect(h.size).toBeLessThanOrEqual(100);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new DigestHistory(0)).toThrow(/positive integer, got 0/);
  });
});
