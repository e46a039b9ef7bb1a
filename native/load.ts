// The one place the native binary is loaded. It is looked up from the package
// root, so both the TypeScript sources (vitest) and compiled dist/ find it.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeAddon } from "./surface.js";

/** The directory holding probebook's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "probebook") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find probebook's package.json above " + fileURLToPath(import.meta.url));
    dir = up;
  }
}

let addon: NativeAddon | undefined;

/** The addon, loaded on first use. */
export function native(): NativeAddon {
  if (addon) return addon;
  const file = join(packageRoot(), "native", "build", "Release", "probebook_bpf.node");
  if (!existsSync(file))
    throw new Error(`the native addon is not built (${file} is missing): run scripts/build-native.sh`);
  addon = createRequire(import.meta.url)(file) as NativeAddon;
  return addon;
}
