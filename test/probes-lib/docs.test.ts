// Every public function of probes-lib has TSDoc with an @example (what
// inspect shows in the notebook): each value the package exports, and each
// public method and accessor of the classes it exports, read with the
// TypeScript compiler from probes-lib/index.ts and probes-lib/plot.ts (the
// `plot` global) as a cell's language service sees them.
import { join } from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";

const MODULES = { "": join(import.meta.dirname, "../../probes-lib/index.ts"), "plot.": join(import.meta.dirname, "../../probes-lib/plot.ts") };

/** "name: what is missing" for every public function, method or accessor without a summary and an @example. */
function undocumented(): { checked: number; missing: string[] } {
  const program = ts.createProgram(Object.values(MODULES), { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true });
  const checker = program.getTypeChecker();
  const missing: string[] = [];
  let checked = 0;
  const check = (name: string, symbol: ts.Symbol) => {
    checked++;
    const summary = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    const tags = symbol.getJsDocTags(checker).map((t) => t.name);
    if (!summary) missing.push(`${name}: no summary`);
    if (!tags.includes("example")) missing.push(`${name}: no @example`);
  };
  for (const [prefix, file] of Object.entries(MODULES))
  for (let exported of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)) {
    if (exported.flags & ts.SymbolFlags.Alias) exported = checker.getAliasedSymbol(exported);
    if (exported.flags & ts.SymbolFlags.Function) check(prefix + exported.name, exported);
    if (exported.flags & ts.SymbolFlags.Variable) {
      // a namespace object such as plot: its members are the functions
      const type = checker.getTypeOfSymbol(exported);
      const members = type.getProperties().filter((p) => checker.getTypeOfSymbol(p).getCallSignatures().length > 0);
      if (members.length) for (const m of members) check(`${exported.name}.${m.name}`, m);
      else if (type.getCallSignatures().length) check(exported.name, exported);
    }
    if (exported.flags & ts.SymbolFlags.Class) {
      const instance = checker.getDeclaredTypeOfSymbol(exported);
      for (const member of instance.getProperties()) {
        const decl = member.valueDeclaration ?? member.declarations?.[0];
        if (!decl || !(member.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.GetAccessor))) continue;
        const modifiers = ts.getCombinedModifierFlags(decl as ts.Declaration);
        if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || member.name.startsWith("#") || member.name.startsWith("__@")) continue;
        if (member.getJsDocTags(checker).some((t) => t.name === "internal")) continue;
        check(`${exported.name}.${member.name}`, member);
      }
    }
  }
  return { checked, missing };
}

test("every public function, method and accessor of probes-lib has a TSDoc summary and an @example", () => {
  const { checked, missing } = undocumented();
  expect(checked).toBeGreaterThan(100);
  expect(missing).toEqual([]);
}, 60_000);
