// The prelude's source, read once per process, and V8's code cache for it, so
// that rebuilding a sandbox (after an interrupt or the memory limit) doesn't
// parse 600 kB of JavaScript again.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ivm from "isolated-vm";
import { projectRoot } from "./paths.js";

interface PreludeCache {
  source: string;
  cachedData?: ivm.ExternalCopy<ArrayBuffer>;
}

// isolated-vm's typings leave these off Script although compileScript sets them.
type CachedScript = ivm.Script & ivm.CachedDataResult & { cachedDataRejected?: boolean };

const caches = new Map<string, PreludeCache>();

/** Compiles the prelude for `isolate`, using (and filling) the code cache. */
export async function compilePrelude(isolate: ivm.Isolate, path: string): Promise<ivm.Script> {
  let cache = caches.get(path);
  if (!cache) {
    cache = { source: await readPrelude(path) };
    caches.set(path, cache);
  }
  const filename = "probebook-prelude.js";
  if (cache.cachedData) {
    const script = (await isolate.compileScript(cache.source, { filename, cachedData: cache.cachedData })) as CachedScript;
    if (!script.cachedDataRejected) return script;
  }
  const script = (await isolate.compileScript(cache.source, { filename, produceCachedData: true })) as CachedScript;
  if (script.cachedData) cache.cachedData = script.cachedData;
  return script;
}

async function readPrelude(path: string): Promise<string> {
  if (!existsSync(path)) {
    // A checkout that was never built: build the bundle now if esbuild (a
    // dev dependency) is there, rather than fail on the first cell.
    const script = join(projectRoot(), "scripts/build-sandbox.mjs");
    try {
      const { buildSandbox } = (await import(pathToFileURL(script).href)) as { buildSandbox(o: { outfile: string }): Promise<string> };
      await buildSandbox({ outfile: path });
    } catch (error) {
      throw new Error(`the sandbox prelude ${path} is missing and building it failed (${(error as Error).message}); run \`node scripts/build-sandbox.mjs\` (part of scripts/build.sh)`);
    }
  }
  return readFileSync(path, "utf8");
}
