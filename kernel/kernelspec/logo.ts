// The probebook logo, drawn procedurally at any size: a rounded dark tile, a
// trace line with a spike (an event stream), and an orange probe dot on the
// spike. 4x4 supersampling gives smooth edges at 32 and 64 pixels.
import { encodePng } from "./png.js";

type Rgba = [number, number, number, number];

const TILE: Rgba = [30, 41, 59, 255];
const TRACE: Rgba = [226, 232, 240, 255];
const PROBE: Rgba = [249, 115, 22, 255];

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

// The trace in unit coordinates: flat, a spike up, down below, back to flat.
const TRACE_POINTS: Array<[number, number]> = [
  [0.14, 0.62],
  [0.4, 0.62],
  [0.5, 0.26],
  [0.6, 0.76],
  [0.68, 0.62],
  [0.86, 0.62],
];

/** Colour of one unit-square point, or undefined outside the tile. */
function shade(x: number, y: number): Rgba | undefined {
  const r = 0.2; // corner radius
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  if (Math.hypot(x - cx, y - cy) > r) return undefined;
  if (Math.hypot(x - 0.5, y - 0.26) < 0.085) return PROBE;
  for (let i = 0; i + 1 < TRACE_POINTS.length; i++) {
    const [ax, ay] = TRACE_POINTS[i];
    const [bx, by] = TRACE_POINTS[i + 1];
    if (distanceToSegment(x, y, ax, ay, bx, by) < 0.035) return TRACE;
  }
  return TILE;
}

export function renderLogo(size: number): Buffer {
  const samples = 4;
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const colour = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!colour) continue;
          // premultiplied accumulation, so edges blend towards transparent
          for (let c = 0; c < 3; c++) sum[c] += colour[c] * colour[3];
          sum[3] += colour[3];
        }
      }
      const o = (py * size + px) * 4;
      const alpha = sum[3] / (samples * samples);
      for (let c = 0; c < 3; c++) rgba[o + c] = sum[3] ? Math.round(sum[c] / sum[3]) : 0;
      rgba[o + 3] = Math.round(alpha);
    }
  }
  return encodePng(size, size, rgba);
}
