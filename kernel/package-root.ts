// probebook's install directory, found by walking up from this module: it is
// kernel/ when tests run the sources and dist/kernel/ once built.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface PackageRoot {
  dir: string;
  version: string;
}

let cached: PackageRoot | undefined;

export function packageRoot(): PackageRoot {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "probebook") return (cached = { dir, version: pkg.version ?? "0.0.0" });
    } catch {
      // no package.json here; keep walking up
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find probebook's package.json above ${fileURLToPath(import.meta.url)}; is the install complete?`);
}
