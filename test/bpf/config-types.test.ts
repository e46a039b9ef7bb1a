// The TypeScript types of the structs the runtime writes (rodata configs, key
// parts, filters) come from the objects' BTF (scripts/gen-bpf-descriptors.mjs):
// a member renamed in C changes the generated interface, and the planners that
// fill it stop compiling. Checked here by renaming members in the generated
// text, as a C rename would, and type-checking the planners against it.
// (test/bpf/descriptors.test.ts fails when the generated files are stale.)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

/** Type errors of `entry` when generated file `generated` reads as `edit` made it. */
function errorsWith(generated: string, edit: (text: string) => string, entry: string): string[] {
  const file = join(root, generated);
  const text = edit(readFileSync(file, "utf8"));
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, types: ["node"] };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => (f === file ? text : read(f));
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang) => (f === file ? ts.createSourceFile(f, text, lang) : getSource(f, lang));
  const program = ts.createProgram([join(root, entry)], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? d.file.fileName.slice(root.length + 1) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
}

describe("generated config types", () => {
  it("as generated, the planners compile", () => {
    expect(errorsWith("bpf/generated/agg_tp.ts", (t) => t, "runtime/planner/plan.ts")).toEqual([]);
  }, 60_000);

  it("a renamed member of struct agg_plan (agg_common.h) breaks the planner that fills it", () => {
    const errors = errorsWith("bpf/generated/agg_tp.ts", (t) => t.replace(/^(export interface AggPlan \{[^}]*?)\n  key_size: number;/m, "$1\n  key_bytes: number;"),
      "runtime/templates/agg_tp/plan.ts");
    expect(errors.join("\n")).toMatch(/runtime\/planner\/aggregation\.ts: .*'key_size' does not exist in type 'AggPlan'|key_bytes/);
  }, 60_000);

  it("a renamed member of struct tcp_events_config breaks the TCP planner", () => {
    const errors = errorsWith("bpf/generated/tcp_events.ts", (t) => t.replace(/^(export interface TcpEventsConfig \{[^}]*?)\n  port: number;/m, "$1\n  ports: number;"),
      "runtime/templates/tcp_events/plan.ts");
    expect(errors.join("\n")).toMatch(/runtime\/templates\/tcp_events\/plan\.ts: .*'port' does not exist/);
  }, 60_000);
});
