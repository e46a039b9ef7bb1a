#!/usr/bin/env node
// Bundles the sandbox prelude (arquero + probes-lib + display helpers, entry
// runtime/sandbox/prelude/index.ts) into dist/sandbox/prelude.js, an IIFE that
// every new isolate runs once. The isolate has no module loader, no Node and
// no DOM, hence one self-contained script for the "browser" platform (arquero's
// browser build reads files with fetch, which the sandbox doesn't have, instead
// of node:fs, which it can't have).
//
// Usage: node scripts/build-sandbox.mjs [--outfile PATH]
// Also importable: `await buildSandbox({ outfile })` returns the output path.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const PRELUDE_ENTRY = join(root, "runtime/sandbox/prelude/index.ts");
export const PRELUDE_OUTFILE = join(root, "dist/sandbox/prelude.js");

export async function buildSandbox({ outfile = PRELUDE_OUTFILE } = {}) {
  const esbuild = await import("esbuild");
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await esbuild.build({
    entryPoints: [PRELUDE_ENTRY],
    outfile,
    write: false,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    // Kept readable: stack traces from inside the prelude name real functions.
    minify: false,
    keepNames: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
    absWorkingDir: root,
  });
  // Written aside and renamed into place: a kernel (or a test) starting a
  // sandbox while another build runs reads the old bundle or the new one,
  // never half of one.
  // An unchanged bundle is left as it is.
  const contents = result.outputFiles[0].contents;
  if (existsSync(outfile) && Buffer.from(contents).equals(readFileSync(outfile))) return outfile;
  const temporary = `${outfile}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, outfile);
  return outfile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const at = process.argv.indexOf("--outfile");
  const outfile = at > 0 ? resolve(process.argv[at + 1]) : PRELUDE_OUTFILE;
  buildSandbox({ outfile }).then(
    (path) => console.log(`sandbox prelude: ${path}`),
    (error) => {
      console.error(`building the sandbox prelude failed: ${error.message}`);
      process.exit(1);
    },
  );
}
