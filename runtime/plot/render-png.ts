// Rasterises a plot's SVG to PNG with rsvg-convert (Debian's librsvg2-bin,
// installed by scripts/setup.sh). The PNG is what viewers without a Vega-Lite
// renderer show, nbconvert's HTML among them (see render-plot.ts for why not
// the SVG). rsvg-convert runs as a child process fed through stdin, so the
// kernel's event loop keeps serving messages while it works, and it is
// bounded in time, in output and in pixels: the SVG comes from a cell.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

/** Where rsvg-convert is looked for, in order. */
export const RSVG_CONVERT_PATHS = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"];

/** Limits on one rasterisation; a plot over any of them gets no PNG. */
export const PNG_LIMITS = {
  /** Width × height of the picture, in pixels (4096 × 4096). */
  maxPixels: 4096 * 4096,
  /** Bytes of PNG. */
  maxBytes: 8 * 1024 * 1024,
  /** Time rsvg-convert may take. */
  timeoutMs: 20_000,
};

/** Thrown when the SVG can't be rasterised; the message says why and what to do. */
export class PngRenderError extends Error {
  override name = "PngRenderError";
}

/** The PNG signature every PNG file starts with. */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The pixel size vega wrote on the SVG's root element (`width="…" height="…"`).
 *
 * @throws PngRenderError when the root element has no numeric width and height.
 */
export function svgPixelSize(svg: string): { width: number; height: number } {
  const root = /^\s*<svg\b[^>]*>/.exec(svg)?.[0];
  const width = root && /\swidth="(\d+(?:\.\d+)?)"/.exec(root)?.[1];
  const height = root && /\sheight="(\d+(?:\.\d+)?)"/.exec(root)?.[1];
  if (!width || !height) throw new PngRenderError("the plot's SVG has no pixel width and height on its <svg> element, so it can't be turned into a PNG");
  return { width: Math.ceil(Number(width)), height: Math.ceil(Number(height)) };
}

/**
 * Renders an SVG document to PNG bytes with rsvg-convert, at the SVG's own
 * pixel size.
 *
 * @throws PngRenderError when rsvg-convert is missing, fails, takes too long,
 *   or the picture is over PNG_LIMITS.
 *
 * @example
 * ```ts
 * const png = await svgToPng(await renderVegaLiteSvg(spec));
 * png.toString("base64")  // the bundle's image/png
 * ```
 */
export async function svgToPng(svg: string, limits = PNG_LIMITS): Promise<Buffer> {
  const { width, height } = svgPixelSize(svg);
  if (width * height > limits.maxPixels) {
    throw new PngRenderError(`the plot is ${width}×${height} pixels, over the ${limits.maxPixels} pixels the kernel rasterises: make it smaller (width, height)`);
  }
  const command = RSVG_CONVERT_PATHS.find((path) => existsSync(path));
  if (!command) throw new PngRenderError(`rsvg-convert is not installed (looked in ${RSVG_CONVERT_PATHS.join(", ")}): install Debian's librsvg2-bin (scripts/setup.sh does)`);

  return new Promise<Buffer>((resolve, reject) => {
    const child = spawn(command, ["--format", "png"], { stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = "";
    let failure: PngRenderError | undefined;
    const fail = (error: PngRenderError) => {
      failure ??= error;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => fail(new PngRenderError(`rsvg-convert took over ${limits.timeoutMs} ms to draw the plot and was stopped: plot fewer marks`)), limits.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limits.maxBytes) fail(new PngRenderError(`the plot's PNG is over ${limits.maxBytes} bytes: plot fewer marks or make it smaller`));
      else chunks.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    // rsvg-convert may exit (e.g. on a parse error) before it has read all of
    // stdin; the EPIPE that follows says nothing the exit status doesn't.
    child.stdin.on("error", () => {});
    child.on("error", (error) => fail(new PngRenderError(`running ${command} failed: ${error.message}`)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      if (code !== 0) return reject(new PngRenderError(`${command} could not draw the plot (${signal ?? `exit status ${code}`}): ${stderr.trim() || "no message"}`));
      const png = Buffer.concat(chunks);
      if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) return reject(new PngRenderError(`${command} wrote something that is not a PNG (${png.length} bytes)`));
      resolve(png);
    });
    child.stdin.end(svg);
  });
}
