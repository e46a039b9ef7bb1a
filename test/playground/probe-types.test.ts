// The editor's types are the sandbox's: generated from the same sources, with
// the same globals, and complete enough to resolve every import (a missing
// file would make Monaco's worker type a global as `any`, silently).
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { SANDBOX_GLOBALS } from "../../runtime/sandbox/global-names.js";
// @ts-expect-error a plain .mjs build script, no declarations
import { probeTypes } from "../../playground/probe-types.mjs";

const { files, globals } = probeTypes() as { files: Record<string, string>; globals: string[] };

describe("the probe library's types for the playground", () => {
  it("declares exactly the sandbox's globals", () => {
    expect([...globals].sort()).toEqual([...SANDBOX_GLOBALS].sort());
    for (const name of SANDBOX_GLOBALS) expect(files["file:///probebook-globals.d.ts"]).toContain(`const ${name}: typeof G.${name};`);
  });

  it("carries the TSDoc of the globals, examples included", () => {
    const globalsFile = files["file:///probebook-globals.d.ts"]!;
    // The tags as written: the editor renders them (playground/src/tsdoc.ts).
    expect(globalsFile).toMatch(/Starts a probe on a kernel tracepoint[\s\S]*\* @param name - e\.g\.[\s\S]*\* @example\n {3}\* ```ts\n {3}\* const opens = await tracepoint[\s\S]*const tracepoint: typeof G\.tracepoint;/);
  });

  it("types a cell in a compiler that sees only these files, as Monaco's worker does", () => {
    const ts = createRequire(import.meta.url)("typescript") as typeof import("typescript");
    const cell = "file:///cell.ts";
    const sources: Record<string, string> = {
      ...files,
      [cell]: 'const n: number = tracepoint("sched:sched_switch").count();\nconst ok = tracepoint("sched:sched_switch").histogram("prev_pid");\nconst t = aq.table({ x: [1] }).numRows();',
    };
    const path = (f: string) => f.replace(/^file:\/\/\//, "/");
    const byPath = new Map(Object.entries(sources).map(([k, v]) => [path(k), v]));
    const options = { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Node10, lib: ["lib.es2023.d.ts"], strict: true, noEmit: true, types: [], ignoreDeprecations: "6.0" };
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version) => (byPath.has(name) ? ts.createSourceFile(name, byPath.get(name)!, version) : read(name, version));
    host.fileExists = (name) => byPath.has(name) || (name.includes("/typescript/lib/") && ts.sys.fileExists(name));
    host.readFile = (name) => byPath.get(name) ?? (name.includes("/typescript/lib/") ? ts.sys.readFile(name) : undefined);
    host.getCurrentDirectory = () => "/";
    host.directoryExists = (dir) => [...byPath.keys()].some((p) => p.startsWith(dir.endsWith("/") ? dir : dir + "/"));
    const program = ts.createProgram([...byPath.keys()].filter((p) => p.endsWith(".ts")), options, host);
    const messages = ts.getPreEmitDiagnostics(program, program.getSourceFile("/cell.ts")).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    // Exactly one error: an aggregation is not a number. Everything else resolved.
    expect(messages).toEqual([expect.stringMatching(/Type 'AggregationProbe' is not assignable to type 'number'/)]);
  });
});
