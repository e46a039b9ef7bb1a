// Where the repository's files are, whether this module runs from its
// TypeScript source (tests) or from dist/ (the installed kernel).

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The directory holding probebook's package.json. */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "probebook") {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`can't find probebook's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The bundled prelude that every sandbox runs first (built by scripts/build-sandbox.mjs). */
export function defaultPreludePath(): string {
  return join(projectRoot(), "dist/sandbox/prelude.js");
}
