// Errors from the sandbox, as people should see them: the message first, then
// each frame that lies in a cell, as "In[n], line L" with that line's text.
// Frames inside the prelude (arquero, probes-lib) are summarised, not listed.

import type { ExecuteError } from "../../kernel/executor.js";
import type { Position } from "./source-map.js";

/** What the session keeps about each cell that ran, to map stack frames. */
export interface CellRecord {
  /** "In[3]" */
  label: string;
  source: string;
  originalPosition(generated: Position): Position | undefined;
}

// "    at name (file:line:col)", "    at async name (file:line:col)", "    at file:line:col"
const FRAME = /^\s*at (?:async )?(?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/;

/** What a probe error carries besides its message (runtime/spec/errors.ts). */
export interface ErrorFacts {
  code?: string;
  details?: Record<string, unknown>;
  verifierLog?: string;
}

/** Lines a probe error adds under its message: its code (what `e.code` is), the suggestions or
 *  alternative it offers, and a verifier log's last lines (the whole log is `e.verifierLog`). */
export function factLines(facts: ErrorFacts): string[] {
  if (!facts.code) return [];
  const lines = [`  e.code: ${JSON.stringify(facts.code)}`];
  const d = facts.details ?? {};
  const suggestions = Array.isArray(d.suggestions) ? d.suggestions : undefined;
  if (suggestions?.length) lines.push(`  e.details.suggestions: ${suggestions.map((s) => JSON.stringify(s)).join(", ")}`);
  if (typeof d.alternative === "string") lines.push(`  e.details.alternative: ${d.alternative}`);
  if (Array.isArray(d.fields) && d.fields.length)
    lines.push(`  e.details.fields: ${d.fields.map((f) => (typeof f === "object" && f && "name" in f ? (f as { name: string }).name : String(f))).join(", ")}`);
  if (facts.verifierLog) {
    const tail = facts.verifierLog.trimEnd().split("\n").slice(-5);
    lines.push(`  e.verifierLog (last ${tail.length} of ${facts.verifierLog.trimEnd().split("\n").length} lines):`, ...tail.map((l) => `    ${l}`));
  }
  return lines;
}

/** Builds the Jupyter error for a sandbox error with a V8 stack (and a probe error's facts). */
export function sandboxError(ename: string, evalue: string, stack: string, cells: ReadonlyMap<string, CellRecord>,
  facts: ErrorFacts = {}): ExecuteError {
  const traceback = [`${ename}: ${evalue}`, ...factLines(facts)];
  const head = traceback.length;
  // Library frames above the first cell frame say the error came from a call
  // into arquero or probes-lib; those below it are the prelude's cell runner.
  let libraryFrames = 0;
  for (const line of stack.split("\n")) {
    const match = FRAME.exec(line);
    if (!match) continue;
    const [, fn, file, lineText, columnText] = match;
    const cell = cells.get(file!);
    if (!cell) {
      if (traceback.length === head) libraryFrames++;
      continue;
    }
    // Unmapped positions are the wrapper the session added around the cell.
    const original = cell.originalPosition({ line: Number(lineText), column: Number(columnText) });
    if (!original) continue;
    if (traceback.length === head && libraryFrames > 0) {
      traceback.push(`  (${libraryFrames} frame${libraryFrames === 1 ? "" : "s"} inside the sandbox's libraries)`);
    }
    const where = fn && !fn.startsWith("__probebook") ? `, in ${fn}` : "";
    traceback.push(`  at ${cell.label}, line ${original.line}${where}`, ...sourceExcerpt(cell.source, original.line));
  }
  return { ename, evalue, traceback };
}

/** Builds the Jupyter error for a cell that didn't parse. */
export function syntaxError(message: string, label: string, source: string, line: number, column: number): ExecuteError {
  const excerpt = sourceExcerpt(source, line);
  const gutter = " ".repeat(String(line).length);
  return {
    ename: "SyntaxError",
    evalue: message,
    traceback: [`SyntaxError: ${message}`, `  at ${label}, line ${line}, column ${column}`, ...excerpt, ...(excerpt.length ? [`    ${gutter} | ${" ".repeat(column - 1)}^`] : [])],
  };
}

/** An error of the sandbox itself (interrupt, memory limit, rebuild): no frames to show. */
export function plainError(ename: string, evalue: string): ExecuteError {
  return { ename, evalue, traceback: [`${ename}: ${evalue}`] };
}

function sourceExcerpt(source: string, line: number): string[] {
  const text = source.split("\n")[line - 1];
  return text === undefined ? [] : [`    ${line} | ${text.replace(/\r$/, "")}`];
}
