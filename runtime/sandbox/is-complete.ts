// is_complete for console frontends: does this code run as it is, or does it
// need more lines? TypeScript's parser decides. An error right at the end of
// the text (an unclosed brace, string or template) means "more to come"; an
// error anywhere else means the code is wrong as written.

import type { CompletenessStatus } from "../../kernel/executor.js";
import { loadTypeScript } from "./typescript.js";

const INDENT_UNIT = "  ";

export function checkComplete(code: string): { status: CompletenessStatus; indent?: string } {
  if (code.trim() === "") return { status: "complete" };
  const ts = loadTypeScript();
  const output = ts.transpileModule(code, { reportDiagnostics: true, fileName: "cell.ts", compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error).sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
  const first = errors[0];
  if (!first) return { status: "complete" };
  // The parser recovers and may report more errors later; the first one decides.
  const end = code.trimEnd().length;
  const start = first.start ?? 0;
  const atEnd = start >= end || (start + (first.length ?? 0) >= end && isUnterminated(first.code));
  if (!atEnd) return { status: "invalid" };
  return { status: "incomplete", indent: INDENT_UNIT.repeat(openBrackets(code)) };
}

// "Unterminated string literal", "Unterminated template literal", "'*/' expected".
function isUnterminated(code: number): boolean {
  return code === 1002 || code === 1160 || code === 1010;
}

/** How many (, [ and { are still open at the end of `code` (strings and comments skipped by the scanner). */
function openBrackets(code: string): number {
  const ts = loadTypeScript();
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, code);
  const K = ts.SyntaxKind;
  let depth = 0;
  for (let token = scanner.scan(); token !== K.EndOfFileToken; token = scanner.scan()) {
    if (token === K.OpenBraceToken || token === K.OpenParenToken || token === K.OpenBracketToken) depth++;
    else if (token === K.CloseBraceToken || token === K.CloseParenToken || token === K.CloseBracketToken) depth = Math.max(0, depth - 1);
  }
  return depth;
}
