import { describe, expect, it } from "vitest";
import { codePointsToUtf16, utf16ToCodePoints } from "../../../kernel/protocol/cursor.js";

describe("cursor conversion", () => {
  const text = 'a😀b"𝔸"c'; // two astral characters, each two UTF-16 units
  it("maps code points to UTF-16 indices and back", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((cp) => codePointsToUtf16(text, cp))).toEqual([0, 1, 3, 4, 5, 7, 8, 9]);
    expect([0, 1, 3, 4, 5, 7, 8, 9].map((i) => utf16ToCodePoints(text, i))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
  it("clamps out-of-range positions to the text", () => {
    expect(codePointsToUtf16(text, 99)).toBe(text.length);
    expect(utf16ToCodePoints(text, 99)).toBe(7);
    expect(utf16ToCodePoints(text, -3)).toBe(0);
  });
  it("is the identity for BMP-only text", () => {
    expect(codePointsToUtf16("const x = 1", 6)).toBe(6);
  });
});
