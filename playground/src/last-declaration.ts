// Finds the last probe declaration in a cell's code: the last call of a probe
// source (tracepoint(...), syscall(...), ...) with the builder methods chained
// on it, up to the method that runs it (.events(), .run(), .start()), which is
// left out. `explain()` of that expression is what the side panel shows.
// A scanner over brackets and strings, not a parser: it only has to find the
// end of a chain, and a wrong guess costs an explain error in the panel.

const SOURCES = ["tracepoint", "syscall", "uprobe", "uretprobe", "usdt", "kprobe", "kretprobe", "fentry", "profile", "tcp", "block", "runqueue"];
const RUNS = new Set(["events", "run", "start"]);
const SOURCE_CALL = new RegExp(`(?<![\\w$.])(?:${SOURCES.join("|")})\\s*\\(`, "g");

export function lastDeclaration(code: string): string | undefined {
  let found: string | undefined;
  for (const match of code.matchAll(SOURCE_CALL)) {
    const chain = chainAt(code, match.index!);
    if (chain) found = chain;
  }
  return found;
}

function chainAt(code: string, start: number): string | undefined {
  let i = code.indexOf("(", start);
  let end = closing(code, i);
  if (end < 0) return undefined;
  for (;;) {
    // .method( ... ) after optional whitespace
    const rest = /^\s*\.\s*([A-Za-z_$][\w$]*)\s*\(/.exec(code.slice(end + 1));
    if (!rest) break;
    if (RUNS.has(rest[1]!)) break;
    const open = end + 1 + rest[0].length - 1;
    const close = closing(code, open);
    if (close < 0) break;
    end = close;
  }
  return code.slice(start, end + 1);
}

/** Index of the bracket closing the one at `open`, skipping strings and template literals; -1 if none. */
function closing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < code.length && code[i] !== c; i++) if (code[i] === "\\") i++;
    } else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (--depth === 0) return i;
    }
  }
  return -1;
}
