// Types of scripts/build-sandbox.mjs, for the TypeScript that imports it (tests).

/** The prelude's entry, runtime/sandbox/prelude/index.ts. */
export declare const PRELUDE_ENTRY: string;
/** Where the bundle goes by default: dist/sandbox/prelude.js. */
export declare const PRELUDE_OUTFILE: string;
/** Bundles the prelude with esbuild; resolves with the output path. */
export declare function buildSandbox(options?: { outfile?: string }): Promise<string>;
