import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { renderLogo } from "../../../kernel/kernelspec/logo.js";
import { crc32, encodePng } from "../../../kernel/kernelspec/png.js";

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
}

/** An independent reader: splits chunks, so the encoder's framing is checked byte by byte. */
function chunks(png: Buffer): Chunk[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  for (let o = 8; o < png.length; ) {
    const length = png.readUInt32BE(o);
    out.push({ type: png.toString("latin1", o + 4, o + 8), data: png.subarray(o + 8, o + 8 + length), crc: png.readUInt32BE(o + 8 + length) });
    o += 12 + length;
  }
  return out;
}

function decodeRgba(png: Buffer): { width: number; height: number; pixel(x: number, y: number): number[] } {
  const [ihdr, ...rest] = chunks(png);
  const width = ihdr.data.readUInt32BE(0);
  const height = ihdr.data.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(rest.filter((c) => c.type === "IDAT").map((c) => c.data)));
  return {
    width,
    height,
    pixel: (x, y) => {
      const row = y * (width * 4 + 1);
      expect(raw[row]).toBe(0);
      return [...raw.subarray(row + 1 + x * 4, row + 1 + x * 4 + 4)];
    },
  };
}

describe("encodePng", () => {
  it("computes the standard CRC-32", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    expect(crc32(Buffer.from("IEND"))).toBe(0xae426082);
  });

  it("writes IHDR, IDAT, IEND with valid CRCs and the given pixels", () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 1, 2, 3, 4]);
    const png = encodePng(2, 2, rgba);
    const list = chunks(png);
    expect(list.map((c) => c.type)).toEqual(["IHDR", "IDAT", "IEND"]);
    for (const c of list) expect(c.crc).toBe(crc32(Buffer.concat([Buffer.from(c.type, "latin1"), c.data])));
    expect([...list[0].data]).toEqual([0, 0, 0, 2, 0, 0, 0, 2, 8, 6, 0, 0, 0]);
    const image = decodeRgba(png);
    expect([image.pixel(0, 0), image.pixel(1, 0), image.pixel(0, 1), image.pixel(1, 1)]).toEqual([
      [255, 0, 0, 255], [0, 255, 0, 128], [0, 0, 255, 0], [1, 2, 3, 4],
    ]);
  });

  it("refuses a pixel buffer of the wrong size", () => {
    expect(() => encodePng(2, 2, new Uint8Array(15))).toThrow("expected 16 bytes of RGBA for 2x2, got 15");
  });
});

describe("renderLogo", () => {
  it.each([32, 64])("draws a %ipx tile: transparent corners, dark tile, orange probe", (size) => {
    const logo = decodeRgba(renderLogo(size));
    expect([logo.width, logo.height]).toEqual([size, size]);
    expect(logo.pixel(0, 0)[3]).toBe(0);
    expect(logo.pixel(size - 1, size - 1)[3]).toBe(0);
    expect(logo.pixel(Math.round(size * 0.1), Math.round(size * 0.9)).slice(0, 3)).toEqual([30, 41, 59]);
    expect(logo.pixel(Math.floor(size * 0.5), Math.floor(size * 0.26))).toEqual([249, 115, 22, 255]);
  });
});
