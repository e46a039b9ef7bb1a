// Finds every example a user is shown, for the doctest runner
// (examples.test.ts) and the documentation check (test/probes-lib/docs.test.ts):
// - the TSDoc `@example` of every cell-visible function, method and accessor,
//   read with the TypeScript compiler as the cell's language service sees them:
//   the exports of runtime/sandbox/prelude/globals.ts (what the sandbox makes
//   globals, so also what help() and Shift-Tab show), the members of the `plot`
//   namespace, and every class or interface of ours that a cell reaches through
//   their return types (probes, tables, background runs, plots, explanations);
// - the ```ts snippets of README.md and of the notebooks' markdown cells.
// A new example is picked up by this walk without any list to update.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

export const ROOT = join(import.meta.dirname, "../..");
const GLOBALS = join(ROOT, "runtime/sandbox/prelude/globals.ts");
/** Globals whose documentation is not ours: arquero's own, and console. */
const FOREIGN_GLOBALS = new Set(["aq", "console"]);

export interface Example {
  /** Where a reader meets it: "tracepoint", "TracepointProbe.where", "README.md", "plot.histogram". */
  name: string;
  /** Other documented names that show the same text (inherited methods). */
  alsoIn: string[];
  /** The code, without fences. */
  code: string;
  /** The source file it comes from, relative to the repository. */
  file: string;
}

/** A documented member: its summary and the text of each @example. */
export interface Documented {
  name: string;
  /** "file:line" of its declaration. */
  at: string;
  summary: string;
  examples: string[];
  file: string;
}

/** Every cell-visible function, method and accessor of ours, with its documentation. */
export function cellVisibleDocs(): Documented[] {
  const program = ts.createProgram([GLOBALS], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true, noEmit: true, skipLibCheck: true, types: [],
  });
  const checker = program.getTypeChecker();
  const out: Documented[] = [];
  const seenDecl = new Set<ts.Node>();
  const seenType = new Set<ts.Symbol>();
  const ours = (decl: ts.Node | undefined) => !!decl && !decl.getSourceFile().fileName.includes("/node_modules/");

  const record = (name: string, symbol: ts.Symbol) => {
    const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!decl || !ours(decl) || seenDecl.has(decl)) return;
    seenDecl.add(decl);
    const source = decl.getSourceFile();
    out.push({
      name,
      at: `${relative(ROOT, source.fileName)}:${source.getLineAndCharacterOfPosition(decl.getStart(source)).line + 1}`,
      summary: ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim(),
      examples: symbol.getJsDocTags(checker).filter((t) => t.name === "example").map((t) => ts.displayPartsToString(t.text)),
      file: relative(ROOT, decl.getSourceFile().fileName),
    });
  };

  /** The classes and interfaces of ours a value of `type` gives a cell. */
  const reach = (type: ts.Type): void => {
    if (type.isUnionOrIntersection()) return type.types.forEach(reach);
    for (const arg of checker.getTypeArguments(type as ts.TypeReference) ?? []) reach(arg); // Promise<T>, T[]
    const symbol = type.getSymbol() ?? type.aliasSymbol;
    if (!symbol || seenType.has(symbol) || !(symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))) return;
    if (!symbol.declarations?.some(ours)) return;
    seenType.add(symbol);
    for (const member of type.getProperties()) {
      const decl = member.valueDeclaration ?? member.declarations?.[0];
      if (!decl || !ours(decl) || member.name.startsWith("#") || member.name.startsWith("__@")) continue;
      if (ts.getCombinedModifierFlags(decl as ts.Declaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (member.getJsDocTags(checker).some((t) => t.name === "internal")) continue;
      const memberType = checker.getTypeOfSymbol(member);
      const callable = memberType.getCallSignatures();
      if (member.flags & ts.SymbolFlags.Method || (callable.length && member.flags & ts.SymbolFlags.Property)) {
        record(`${symbol.name}.${member.name}`, member);
        for (const s of callable) reach(s.getReturnType());
      } else if (member.flags & ts.SymbolFlags.GetAccessor) {
        record(`${symbol.name}.${member.name}`, member);
        reach(memberType);
      } else if (member.flags & ts.SymbolFlags.Property) {
        reach(memberType); // t.meta, t.column("time"): plain data, but it may hold documented objects
      }
    }
  };

  const visitFunction = (name: string, symbol: ts.Symbol, type: ts.Type) => {
    record(name, symbol);
    for (const s of type.getCallSignatures()) reach(s.getReturnType());
  };

  const module = checker.getSymbolAtLocation(program.getSourceFile(GLOBALS)!)!;
  for (const exported of checker.getExportsOfModule(module)) {
    if (FOREIGN_GLOBALS.has(exported.name)) continue;
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (target.flags & ts.SymbolFlags.ValueModule) {
      // a namespace such as plot: its members are the functions
      for (const member of checker.getExportsOfModule(target)) {
        const m = member.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(member) : member;
        const type = checker.getTypeOfSymbol(m);
        if (type.getCallSignatures().length) visitFunction(`${exported.name}.${member.name}`, m, type);
      }
      continue;
    }
    const type = checker.getTypeOfSymbol(target);
    if (type.getCallSignatures().length) visitFunction(exported.name, target, type);
  }
  return out;
}

/** The code of every fenced block of `text` whose language is ts (or none, in TSDoc). */
export function fencedBlocks(text: string, { bare = false } = {}): string[] {
  const blocks = [...text.matchAll(/^[ \t]*```(\w*)[ \t]*\n([\s\S]*?)^[ \t]*```/gm)].filter((m) => m[1] === "ts" || m[1] === "typescript" || (bare && m[1] === "")).map((m) => m[2]!.replace(/\n$/, ""));
  if (bare && blocks.length === 0 && text.trim()) return [text.trim().replace(/^`|`$/g, "")]; // an example written inline
  return blocks;
}

/** Every example of the TSDoc, one per distinct text (inherited methods share theirs). */
export function tsdocExamples(): Example[] {
  const byCode = new Map<string, Example>();
  for (const doc of cellVisibleDocs()) {
    for (const text of doc.examples) {
      for (const code of fencedBlocks(text, { bare: true })) {
        const known = byCode.get(code);
        if (known) known.alsoIn.push(doc.name);
        else byCode.set(code, { name: doc.name, alsoIn: [], code, file: doc.file });
      }
    }
  }
  return [...byCode.values()];
}

/** The ```ts snippets of README.md and of the markdown cells of notebooks/*.ipynb. */
export function markdownExamples(): Example[] {
  const out: Example[] = [];
  fencedBlocks(readFileSync(join(ROOT, "README.md"), "utf8")).forEach((code, i) => out.push({ name: `README.md #${i + 1}`, alsoIn: [], code, file: "README.md" }));
  for (const file of readdirSync(join(ROOT, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort()) {
    const notebook = JSON.parse(readFileSync(join(ROOT, "notebooks", file), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
    let n = 0;
    for (const cell of notebook.cells) {
      if (cell.cell_type !== "markdown") continue;
      const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
      for (const code of fencedBlocks(source)) out.push({ name: `notebooks/${file} #${++n}`, alsoIn: [], code, file: `notebooks/${file}` });
    }
  }
  return out;
}

/** Where the code a cell runs is documented: the probe library and the sandbox's own globals. */
const DOCUMENTED_DIRS = ["probes-lib", "runtime/sandbox/prelude"];

/** "file:line name" of every declaration there whose TSDoc has an @example. */
export function exampleSites(): { at: string; name: string }[] {
  const files = DOCUMENTED_DIRS.flatMap((dir) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(".ts")).map((f) => join(ROOT, dir, f)));
  const out: { at: string; name: string }[] = [];
  for (const path of files) {
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node) => {
      if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isClassDeclaration(node) || ts.isPropertySignature(node) || ts.isMethodSignature(node)) {
        if (ts.getJSDocTags(node).some((t) => t.tagName.text === "example")) {
          out.push({ at: `${relative(ROOT, path)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`, name: node.name?.getText(source) ?? "(anonymous)" });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}
