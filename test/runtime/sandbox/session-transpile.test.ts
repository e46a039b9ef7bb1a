// How a cell becomes a sandbox script: types stripped, top-level declarations
// turned into assignments to globals, the last expression returned, the body
// wrapped for top-level await — with positions mapping back to the cell.

import { expect, test } from "vitest";
import { transpileCellCached } from "../../../runtime/sandbox/transpile-cache.js";
import { CellSyntaxError, transpileCell } from "../../../runtime/sandbox/transpile-cell.js";

test("declarations become globals, the last expression is returned, lines are kept", () => {
  const source = ["const a: number = 1, { b } = { b: 2 }", "let u", "function f() { return a }", "class K {}", "await f()", "a + b"].join("\n");
  const cell = transpileCell(source);
  expect(cell.code.split("\n")).toEqual([
    '"use strict";var a, b, u, f, K; __probebook_run_cell(async () => { globalThis["f"] = f; ',
    ";(a = 1, { b } = { b: 2 });",
    ";(u = void 0);",
    "function f() { return a; }",
    ";K = class K {",
    "};",
    "await f();",
    "return (a + b);",
    "//# sourceMappingURL=cell.js.map",
    "});",
  ]);
  expect(cell.declaredNames).toEqual(["a", "b", "u", "f", "K"]);
  expect(cell.returnsValue).toBe(true);
  // Script line 8 column 9 is `a` of `return (a + b)`: cell line 6, column 1.
  expect(cell.originalPosition({ line: 8, column: 9 })).toEqual({ line: 6, column: 1 });
  // Script line 2 is cell line 1, even inside the inserted `;(`.
  expect(cell.originalPosition({ line: 2, column: 1 })).toEqual({ line: 1, column: 1 });
  // The wrapper's own call is no line of the cell.
  expect(cell.originalPosition({ line: 1, column: 40 })).toBeUndefined();
});

test("a cell ending in a declaration returns nothing; var is not reset", () => {
  const cell = transpileCell("var keep\nconst x = 1");
  expect(cell.returnsValue).toBe(false);
  expect(cell.code).not.toContain("return");
  expect(cell.code).toContain(";(keep);");
});

test("syntax errors and module syntax are CellSyntaxErrors with the cell's position", () => {
  const parse = (source: string) => {
    try {
      transpileCell(source);
    } catch (error) {
      if (error instanceof CellSyntaxError) return [error.message, error.line, error.column];
      throw error;
    }
    return undefined;
  };
  expect(parse("\n\nconst = 1")).toEqual(["Variable declaration expected.", 3, 7]);
  expect(parse("const x = 1\nexport const y = 2")).toEqual(["export is not needed in cells: top-level declarations are already visible to later cells. Remove the export keyword", 2, 1]);
  // Type-only imports are erased, so they are allowed.
  expect(parse('import type { ColumnTable } from "arquero"\nconst t: ColumnTable | undefined = undefined')).toBeUndefined();
});

test("a re-run cell's transpilation comes from the cache; cells that don't parse throw every time", () => {
  const source = "const n: number = 41\nn + 1";
  const first = transpileCellCached(source);
  expect(transpileCellCached(source)).toBe(first);
  expect(first.code).toBe(transpileCell(source).code);
  const other = transpileCellCached("n + 2");
  expect(other).not.toBe(first);
  expect(other.code).toContain("return (n + 2)");
  for (let i = 0; i < 2; i++) expect(() => transpileCellCached("const = 1")).toThrow(CellSyntaxError);
});
