// A cell is TypeScript with top-level await whose last expression is its value,
// and whose top-level declarations outlive it (later cells use them, and
// re-running `const x = 1` must work). The sandbox runs plain scripts, so:
//
// 1. typescript's transpileModule strips the types (with a source map);
// 2. on the resulting JavaScript's AST, each top-level declaration becomes an
//    assignment to a global declared by a `var` before the cell (vars at the
//    top of a script are properties of the global object and may be declared
//    again), and the last expression statement becomes `return (...)`;
// 3. the body goes into `async () => { ... }` handed to the prelude's runner,
//    which awaits it and renders the value inside the sandbox.
//
// Edits only insert text within lines, so every position of the final script
// maps back to the JavaScript, and through the source map to the cell.

import { RUN_CELL } from "./bridge-names.js";
import { LineMap, type Position } from "./source-map.js";
import { loadTypeScript, type TypeScript } from "./typescript.js";
import type * as TS from "typescript";

/** A cell ready to run in the sandbox. */
export interface TranspiledCell {
  /** The script to compile in the sandbox; its completion value is the runner's promise. */
  code: string;
  /** Top-level names the cell declares (they become globals). */
  declaredNames: string[];
  /** True when the cell ends with an expression whose value is shown. */
  returnsValue: boolean;
  /**
   * Maps a 1-based position in `code` to the 1-based position in the cell's
   * source; undefined inside the wrapper the session added.
   */
  originalPosition(generated: Position): Position | undefined;
}

/** The cell can't be parsed, or uses something cells can't (import/export). */
export class CellSyntaxError extends Error {
  override name = "SyntaxError";

  constructor(
    message: string,
    /** 1-based line in the cell. */
    readonly line: number,
    /** 1-based column in the cell. */
    readonly column: number,
  ) {
    super(message);
  }
}

interface Edit {
  /** Offset in the transpiled JavaScript. */
  at: number;
  /** Characters of the JavaScript replaced. */
  remove: number;
  insert: string;
  /** The call around the cell: positions inside it are not the user's code. */
  wrapper?: boolean;
}

/** Transpiles one cell's TypeScript into a sandbox script. */
export function transpileCell(source: string): TranspiledCell {
  const ts = loadTypeScript();
  const sourceFile = ts.createSourceFile("cell.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  rejectModuleSyntax(ts, sourceFile);

  const output = ts.transpileModule(source, {
    fileName: "cell.ts",
    reportDiagnostics: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      sourceMap: true,
      inlineSources: false,
      useDefineForClassFields: true,
      removeComments: false,
    },
  });
  const firstError = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (firstError) {
    const { line, character } = sourceFile.getLineAndCharacterOfPosition(firstError.start ?? 0);
    throw new CellSyntaxError(ts.flattenDiagnosticMessageText(firstError.messageText, "\n"), line + 1, character + 1);
  }

  const js = output.outputText;
  const jsFile = ts.createSourceFile("cell.js", js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const lastTs = sourceFile.statements.at(-1);
  const returnsValue = lastTs !== undefined && ts.isExpressionStatement(lastTs);

  const names = new Set<string>();
  const functionNames: string[] = [];
  const edits: Edit[] = [];
  const statements = jsFile.statements;
  // The wrapper starts after TypeScript's "use strict" (which must stay first
  // to apply to the whole script) and before everything else.
  let prologueEnd = 0;
  for (const statement of statements) {
    if (!isUseStrict(ts, statement)) break;
    prologueEnd = statement.end;
  }
  let bodyStart = prologueEnd;
  for (const [index, statement] of statements.entries()) {
    if (ts.isVariableStatement(statement)) {
      edits.push(...hoistVariables(ts, jsFile, statement, names));
    } else if (ts.isFunctionDeclaration(statement) && statement.name) {
      names.add(statement.name.text);
      functionNames.push(statement.name.text);
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      names.add(statement.name.text);
      // `C = class C {...};` keeps the class's own name binding inside it.
      edits.push({ at: statement.getStart(jsFile), remove: 0, insert: `;${statement.name.text} = ` });
      edits.push({ at: statement.end, remove: 0, insert: ";" });
    } else if (ts.isExportDeclaration(statement)) {
      // `export {};` that transpileModule adds after erasing `import type`.
      edits.push({ at: statement.getStart(jsFile), remove: statement.end - statement.getStart(jsFile), insert: "" });
    } else if (index === statements.length - 1 && returnsValue && ts.isExpressionStatement(statement)) {
      edits.push({ at: statement.expression.getStart(jsFile), remove: 0, insert: "return (" });
      edits.push({ at: statement.expression.end, remove: 0, insert: ")" });
    }
  }

  const preamble = names.size > 0 ? `var ${[...names].join(", ")}; ` : "";
  // Function declarations are hoisted inside the wrapper; publish them first
  // thing, so later cells see them even if this one fails half-way.
  const publish = functionNames.map((name) => `globalThis[${JSON.stringify(name)}] = ${name}; `).join("");
  // First in the list: at the same offset it must precede the statement's own edit.
  edits.unshift({ at: bodyStart, remove: 0, insert: `${preamble}${RUN_CELL}(async () => { ${publish}`, wrapper: true });
  edits.push({ at: js.length, remove: 0, insert: "\n});" });

  const { code, toJs } = applyEdits(js, edits);
  const lineMap = LineMap.fromJson(output.sourceMapText!);
  const codeLineStarts = lineStarts(code);
  return {
    code,
    declaredNames: [...names],
    returnsValue,
    originalPosition(generated) {
      const offset = (codeLineStarts[generated.line - 1] ?? code.length) + generated.column - 1;
      const jsOffset = toJs(offset);
      // Inside text the session inserted (the wrapper's call): not the user's code.
      if (jsOffset < 0) return undefined;
      const jsPosition = jsFile.getLineAndCharacterOfPosition(Math.min(jsOffset, js.length));
      return lineMap.original({ line: jsPosition.line + 1, column: jsPosition.character + 1 });
    },
  };
}

/** Turns `const a = 1, { b } = o;` into `;(a = 1, { b } = o);` and records the names. */
function hoistVariables(ts: TypeScript, file: TS.SourceFile, statement: TS.VariableStatement, names: Set<string>): Edit[] {
  const list = statement.declarationList;
  const isVar = (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
  const first = list.declarations[0];
  if (!first) return [];
  const edits: Edit[] = [];
  const start = statement.getStart(file);
  edits.push({ at: start, remove: first.getStart(file) - start, insert: ";(" });
  for (const declaration of list.declarations) {
    collectBindingNames(ts, declaration.name, names);
    // `let x;` run again must reset x; `var x;` never resets, as in JavaScript.
    if (!declaration.initializer && !isVar) edits.push({ at: declaration.name.end, remove: 0, insert: " = void 0" });
  }
  edits.push({ at: list.end, remove: 0, insert: ")" });
  return edits;
}

function collectBindingNames(ts: TypeScript, name: TS.BindingName, names: Set<string>): void {
  if (ts.isIdentifier(name)) {
    names.add(name.text);
    return;
  }
  for (const element of name.elements) {
    if (!ts.isOmittedExpression(element)) collectBindingNames(ts, element.name, names);
  }
}

function isUseStrict(ts: TypeScript, statement: TS.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression) && statement.expression.text === "use strict";
}

/** Cells share globals instead of modules; say so rather than fail obscurely. */
function rejectModuleSyntax(ts: TypeScript, file: TS.SourceFile): void {
  for (const statement of file.statements) {
    let problem: string | undefined;
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) {
      problem = "import is not available in cells: the sandbox has no modules. Use the globals it provides (aq for arquero, tracepoint, display, ...)";
    } else if (ts.isImportEqualsDeclaration(statement) && !statement.isTypeOnly) {
      problem = "import = require(...) is not available in cells: the sandbox has no modules";
    } else if (ts.isExportDeclaration(statement) || ts.isExportAssignment(statement) || hasExportModifier(ts, statement)) {
      problem = "export is not needed in cells: top-level declarations are already visible to later cells. Remove the export keyword";
    }
    if (problem) {
      const { line, character } = file.getLineAndCharacterOfPosition(statement.getStart(file));
      throw new CellSyntaxError(problem, line + 1, character + 1);
    }
  }
}

function hasExportModifier(ts: TypeScript, statement: TS.Statement): boolean {
  const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
  return modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

/** Applies edits; `toJs` maps an offset of the result back to the original text (-1 inside inserted text). */
function applyEdits(text: string, edits: Edit[]): { code: string; toJs: (offset: number) => number } {
  const sorted = [...edits].sort((a, b) => a.at - b.at);
  let code = "";
  let cursor = 0;
  const placed: { finalStart: number; finalEnd: number; at: number; remove: number; wrapper: boolean }[] = [];
  for (const edit of sorted) {
    code += text.slice(cursor, edit.at);
    const finalStart = code.length;
    code += edit.insert;
    placed.push({ finalStart, finalEnd: code.length, at: edit.at, remove: edit.remove, wrapper: edit.wrapper ?? false });
    cursor = edit.at + edit.remove;
  }
  code += text.slice(cursor);
  return {
    code,
    toJs(offset) {
      let delta = 0;
      for (const p of placed) {
        if (offset < p.finalStart) break;
        if (offset < p.finalEnd) return p.wrapper ? -1 : p.at;
        delta = p.finalEnd - (p.at + p.remove);
      }
      return offset - delta;
    },
  };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}
