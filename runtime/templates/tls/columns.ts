// Readable tls columns: the record carries direction, function and library as
// numbers and the plaintext as bytes; people read "write", "SSL_write_ex",
// the library's path, whether the bytes were cut at the cap, and the text.
import type { ColumnType } from "../columns.js";
import type { TlsEventsInstance } from "./plan.js";
import { tlsKeyNames } from "./plan.js";

const ESCAPES: Record<number, string> = { 0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r", 0x5c: "\\\\" };

/** Bytes as text: printable ASCII and well-formed UTF-8 as they are, \n \r \t \\ escaped, any other byte as \xNN. */
export function printable(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (ESCAPES[b]) { out += ESCAPES[b]; continue; }
    if (b >= 0x20 && b < 0x7f) { out += String.fromCharCode(b); continue; }
    const n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (n && i + n <= bytes.length && [...bytes.subarray(i + 1, i + n)].every((c) => (c & 0xc0) === 0x80)) {
      const ch = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(i, i + n));
      // one character that is not a replacement, a control or a format/separator character
      if (ch.length <= 2 && ch !== "\ufffd" && !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(ch)) { out += ch; i += n - 1; continue; }
    }
    out += `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return out;
}

/** The order people read a tls row in. */
const ORDER = ["time_ns", "cpu", "pid", "tid", "uid", "gid", "cgroup", "comm", "direction", "len", "captured", "truncated",
  "text", "data", "function", "library", "ret"];

/** Replaces tls' raw columns by readable ones, in place (see the file's comment). */
export function readableTlsColumns(r: { columns: Record<string, unknown>; columnTypes: Record<string, ColumnType> }, spec: TlsEventsInstance): void {
  const c = r.columns, names = tlsKeyNames(spec.libraries);
  const named = (col: string) => Array.from(c[col] as ArrayLike<number>, (v) => names[col]![v] ?? String(v));
  const len = c.len as Float64Array, captured = c.captured as Uint32Array;
  const extra: Record<string, [unknown, ColumnType]> = {
    direction: [named("direction"), "string"],
    function: [named("function"), "string"],
    library: [named("library"), "string"],
    truncated: [Array.from(len, (l, i) => l > captured[i]!), "boolean"],
    text: [(c.data as Uint8Array[]).map(printable), "string"],
  };
  const columns = { ...c }, types = { ...r.columnTypes };
  for (const [name, [values, type]] of Object.entries(extra)) {
    columns[name] = values;
    types[name] = type;
  }
  for (const k of Object.keys(c)) delete c[k];
  for (const k of Object.keys(r.columnTypes)) delete r.columnTypes[k];
  for (const name of [...ORDER, ...Object.keys(columns).filter((n) => !ORDER.includes(n))]) {
    if (!(name in columns)) continue;
    c[name] = columns[name];
    r.columnTypes[name] = types[name]!;
  }
}
