// typescript is a 9 MB CommonJS module that takes a few hundred milliseconds to
// load: the kernel must not pay for it at start-up. Everything that needs it
// calls loadTypeScript() at the moment of use; warmTypeScript() loads it in the
// background once the kernel is up.

import { createRequire } from "node:module";

export type TypeScript = typeof import("typescript");

let loaded: TypeScript | undefined;

/** The typescript module, loaded on first call (synchronously). */
export function loadTypeScript(): TypeScript {
  loaded ??= createRequire(import.meta.url)("typescript") as TypeScript;
  return loaded;
}

/** Loads typescript after `delayMs`, unless something loaded it first. */
export function warmTypeScript(delayMs: number): void {
  const timer = setTimeout(() => {
    if (!loaded) loadTypeScript();
  }, delayMs);
  timer.unref();
}
