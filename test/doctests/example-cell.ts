// Turns an example, as a reader sees it, into the cell the doctest runner
// executes. The text itself never changes meaning; the runner only
// - puts the pid of its own workload where the example has a placeholder pid
//   (`pid: 4242`), so a filtered run sees a real process;
// - checks each result an example shows in a comment: `expr // "1us"` or
//   `expr // true` becomes a check of expr against that value (a comment
//   that is a literal, possibly over several comment lines; an ISO date for a
//   Date; `columns: a, b` for a table's column names); any other comment is prose;
// - awaits every statement's value before the next one, so that a probe run an
//   example starts without `await` still has to succeed;
// - prepends the named setups (SETUPS) whose names the example uses without
//   declaring them.
import ts from "typescript";
import { SETUPS } from "./setups.js";

export interface PreparedCell {
  /** The code the runner executes. */
  code: string;
  /** How many shown results it checks. */
  checks: number;
  /** The absolute paths the example names (each must exist). */
  paths: string[];
  /** The named setups it uses. */
  setups: string[];
}

/** The sandbox side of the checks, run once in every session before the example. */
export const CHECKS_PRELUDE = `
globalThis.__doctest = {
  canon(v) {
    if (v instanceof Date) return "Date(" + v.toISOString() + ")";
    if (Array.isArray(v)) return "[" + v.map((x) => __doctest.canon(x)).join(",") + "]";
    if (v && typeof v === "object") return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + __doctest.canon(v[k])).join(",") + "}";
    return v === undefined ? "undefined" : JSON.stringify(v);
  },
  check(actual, expected, shown) {
    const a = __doctest.canon(actual), e = __doctest.canon(expected);
    if (a !== e) throw new Error("the example shows " + shown + " but the value is " + a);
    return actual;
  },
  checkDate(actual, iso, shown) {
    if (!(actual instanceof Date) || actual.toISOString() !== iso) throw new Error("the example shows " + shown + " but the value is " + String(actual));
    return actual;
  },
  checkColumns(actual, names, shown) {
    const got = actual && typeof actual.columnNames === "function" ? actual.columnNames() : actual;
    return __doctest.check(got, names, shown), actual;
  },
};
void 0`;

const PID_PLACEHOLDER = /\bpid:\s*\d+/g;

export function prepareCell(example: string, { pid }: { pid: number }): PreparedCell {
  const code = example.replace(PID_PLACEHOLDER, `pid: ${pid}`);
  const file = ts.createSourceFile("example.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edits: { start: number; end: number; text: string }[] = [];
  let checks = 0;
  const statements = file.statements;
  // Statements in blocks (try/catch, if, loops) outside functions show results too: there the
  // cell's top-level await still holds.
  const nested: ts.ExpressionStatement[] = [];
  const inBlocks = (node: ts.Node) => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isExpressionStatement(node) && !statements.includes(node)) nested.push(node);
    ts.forEachChild(node, inBlocks);
  };
  statements.forEach((s) => { if (!ts.isExpressionStatement(s)) ts.forEachChild(s, inBlocks); });
  [...statements.map((s, index) => [s, index === statements.length - 1] as const), ...nested.map((s) => [s, true] as const)].forEach(([statement, last]) => {
    if (!ts.isExpressionStatement(statement)) return;
    const expr = statement.expression.getText(file);
    const shown = shownResult(code, statement.end);
    let text: string | undefined;
    if (shown) {
      checks++;
      const label = JSON.stringify(shown.text);
      text = shown.kind === "date" ? `__doctest.checkDate(await (${expr}), ${JSON.stringify(shown.value)}, ${label})`
        : shown.kind === "columns" ? `__doctest.checkColumns(await (${expr}), ${shown.value}, ${label})`
        : `__doctest.check(await (${expr}), ${shown.value}, ${label})`;
    } else if (!last) {
      text = `await (${expr})`;
    }
    if (text !== undefined) edits.push({ start: statement.expression.getStart(file), end: statement.expression.end, text });
  });
  let out = code;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  const declared = new Set<string>();
  const used = new Set<string>();
  const walk = (node: ts.Node) => {
    if ((ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node)) && node.name && ts.isIdentifier(node.name)) declared.add(node.name.text);
    else if (ts.isIdentifier(node) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) && !(ts.isPropertyAssignment(node.parent) && node.parent.name === node)) used.add(node.text);
    ts.forEachChild(node, walk);
  };
  walk(file);
  const setups = Object.keys(SETUPS).filter((name) => used.has(name) && !declared.has(name));
  const text = [...setups.map((s) => SETUPS[s]!.code), out].join("\n");
  const paths = [...text.matchAll(/["'](\/(?:usr|bin|lib|etc|sys|proc)\/[^"']+)["']/g)].map((m) => m[1]!);
  return { code: text, checks, paths, setups };
}

interface Shown { kind: "value" | "date" | "columns"; value: string; text: string }

/**
 * The result shown in the comment after a statement, if it is one: a comment
 * on the same line, or else the comment lines right under it, with their
 * continuation lines (a value may take several).
 */
function shownResult(code: string, end: number): Shown | undefined {
  const after = code.slice(end).split("\n");
  const sameLine = /^\s*;?\s*\/\/(.*)$/.exec(after[0]!);
  const lines: string[] = sameLine ? [sameLine[1]!.trim()] : [];
  for (const line of after.slice(1)) {
    const m = /^\s*\/\/(.*)$/.exec(line);
    if (!m) break;
    lines.push(m[1]!.trim());
  }
  for (let n = 1; n <= lines.length; n++) {
    const text = lines.slice(0, n).join(" ");
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(text)) return { kind: "date", value: text, text };
    const columns = /^columns: ([\w, ]+)$/.exec(text);
    if (columns) return { kind: "columns", value: JSON.stringify(columns[1]!.split(/,\s*/)), text };
    if (isLiteral(text)) return { kind: "value", value: text, text };
  }
  return undefined;
}

/** True for a comment that is a value: a string, number, boolean, null, undefined, or an array/object of those. */
function isLiteral(text: string): boolean {
  const file = ts.createSourceFile("shown.ts", `(${text})`, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const diagnostics = (file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics;
  if (diagnostics.length || file.statements.length !== 1) return false;
  const statement = file.statements[0]!;
  if (!ts.isExpressionStatement(statement)) return false;
  const literal = (node: ts.Expression): boolean => {
    if (ts.isParenthesizedExpression(node)) return literal(node.expression);
    if (ts.isStringLiteral(node) || ts.isNumericLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
    if (node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return true;
    if (ts.isIdentifier(node)) return node.text === "undefined";
    if (ts.isPrefixUnaryExpression(node)) return node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand);
    if (ts.isArrayLiteralExpression(node)) return node.elements.every(literal);
    if (ts.isObjectLiteralExpression(node)) return node.properties.every((p) => ts.isPropertyAssignment(p) && literal(p.initializer));
    return false;
  };
  return literal(statement.expression);
}
