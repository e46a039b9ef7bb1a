// Since protocol 5.2 cursor positions count Unicode code points, while
// JavaScript strings index UTF-16 code units. The two differ as soon as a cell
// holds an astral character (an emoji in a string), so every cursor crossing
// the kernel/executor boundary is converted here.

/** Code-point offset -> UTF-16 index into `text` (clamped to the text). */
export function codePointsToUtf16(text: string, codePoints: number): number {
  let index = 0;
  let seen = 0;
  while (index < text.length && seen < codePoints) {
    const code = text.codePointAt(index)!;
    index += code > 0xffff ? 2 : 1;
    seen += 1;
  }
  return index;
}

/** UTF-16 index -> code-point offset into `text` (clamped to the text). */
export function utf16ToCodePoints(text: string, index: number): number {
  let i = 0;
  let seen = 0;
  const end = Math.min(Math.max(index, 0), text.length);
  while (i < end) {
    const code = text.codePointAt(i)!;
    i += code > 0xffff ? 2 : 1;
    seen += 1;
  }
  return seen;
}
