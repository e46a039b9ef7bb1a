// arquero's errors for a column a table does not have, made to say which
// column and what the table has, as probebook's own errors do. arquero 8.0.3
// quotes a cut snippet of its own generated code (`orderby(aq.desc("count"))`
// reports `Invalid column reference: "nt"`), and `t.array("count")` fails
// reading `at` of undefined. The wrappers sit between cells and arquero (its
// table methods, in the sandbox only; node_modules is left as it is): an
// outermost verb call that fails so gets a RangeError naming the missing
// columns, found in its own arguments, and listing the table's columns, with
// arquero's error as its cause.

import { ColumnTable } from "arquero";

const COLUMN_ERROR = /^(Invalid column reference|Unrecognized column)\b/;
/** Reads of one column by name, which fail obscurely when there is no such column. */
const COLUMN_READS = ["array", "get", "getter"];

/** Verb calls under way: only the outermost one rewrites (verbs call verbs). */
let depth = 0;

export function installTableErrors(): void {
  const proto = ColumnTable.prototype as unknown as Record<string, unknown>;
  const verbs = Object.getOwnPropertyNames(ColumnTable.prototype).filter((name) => name !== "constructor" && typeof proto[name] === "function");
  for (const name of [...verbs, ...COLUMN_READS]) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    const reads = COLUMN_READS.includes(name);
    Object.defineProperty(ColumnTable.prototype, name, {
      configurable: true,
      writable: true,
      value: {
        [name](this: ColumnTable, ...args: unknown[]) {
          if (reads && depth === 0 && typeof args[0] === "string" && this.column(args[0]) === undefined) {
            throw new RangeError(`table.${name}(${JSON.stringify(args[0])}): the table has no column "${args[0]}"; its columns are: ${columnList(this)}`);
          }
          depth++;
          try {
            return original.apply(this, args);
          } catch (error) {
            if (depth === 1 && error instanceof Error && COLUMN_ERROR.test(error.message)) throw missingColumn(this, name, args, error);
            throw error;
          } finally {
            depth--;
          }
        },
      }[name],
    });
  }
}

function columnList(table: ColumnTable): string {
  const names = table.columnNames();
  return names.length ? names.join(", ") : "(none)";
}

function missingColumn(table: ColumnTable, verb: string, args: unknown[], cause: Error): RangeError {
  const have = new Set(table.columnNames());
  const missing = [...new Set(referencedNames(args))].filter((n) => !have.has(n));
  const what = missing.length === 0 ? `a column it does not have (arquero: ${cause.message})`
    : missing.length === 1 ? `no column "${missing[0]}"` : `no columns ${missing.map((n) => `"${n}"`).join(", ")}`;
  return new RangeError(`table.${verb}(...): the table has ${what}; its columns are: ${columnList(table)}`, { cause });
}

/** Column names an argument of a verb may refer to: names, aq.desc(name), d.name in functions and expression strings, op.sum(name). */
function referencedNames(value: unknown, depthLeft = 4): string[] {
  if (depthLeft < 0 || value === null || value === undefined) return [];
  if (typeof value === "string") return /\bd\s*(\.|\[)/.test(value) ? fieldReads(value, "d") : [value];
  if (typeof value === "function") {
    const source = Function.prototype.toString.call(value);
    const param = /^\s*(?:async\s*)?(?:function\s*\w*\s*)?\(?\s*([A-Za-z_$][\w$]*)/.exec(source)?.[1];
    return param ? fieldReads(source, param) : [];
  }
  if (Array.isArray(value)) return value.flatMap((v) => referencedNames(v, depthLeft - 1));
  if (typeof value === "object") {
    if (value instanceof ColumnTable) return [];
    // aq.op.sum("count") and friends print as the expression they stand for: d => op.sum(d["count"])
    if (typeof value.toString === "function" && value.toString !== Object.prototype.toString) return referencedNames(String(value), depthLeft - 1);
    return Object.values(value as Record<string, unknown>).flatMap((v) => referencedNames(v, depthLeft - 1));
  }
  return [];
}

/** The names read as `row.name` or `row["name"]` in `source`. */
function fieldReads(source: string, row: string): string[] {
  const at = new RegExp(`\\b${row.replace(/\$/g, "\\$")}\\s*(?:\\.\\s*([A-Za-z_$][\\w$]*)|\\[\\s*(["'])((?:(?!\\2).)*)\\2\\s*\\])`, "g");
  return [...source.matchAll(at)].map((m) => m[1] ?? m[3]!);
}
