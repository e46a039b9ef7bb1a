// A small util.inspect for the sandbox (which has no Node): turns any value
// into the text a person expects from a REPL. Short structures stay on one
// line, longer ones break one entry per line.

export interface InspectOptions {
  /** Levels of nesting shown before "[Object]". */
  depth?: number;
  /** Entries shown per array/object/map/set before "... N more". */
  maxEntries?: number;
  /** Longest line kept on one line before breaking. */
  lineWidth?: number;
}

/** Marks an object as able to describe itself: `[inspectCustom](): string`. */
export const inspectCustom = Symbol.for("probebook.inspect");

const DEFAULTS: Required<InspectOptions> = { depth: 2, maxEntries: 100, lineWidth: 72 };

/** The REPL text of `value`; strings are quoted. */
export function inspect(value: unknown, options: InspectOptions = {}): string {
  const opts = { ...DEFAULTS, ...options };
  return format(value, opts, 0, new Set());
}

/** What console.log prints for its arguments: strings as they are, the rest inspected. */
export function formatLogArgs(args: unknown[]): string {
  return args.map((arg) => (typeof arg === "string" ? arg : inspect(arg))).join(" ");
}

function format(value: unknown, opts: Required<InspectOptions>, level: number, seen: Set<object>): string {
  switch (typeof value) {
    case "string":
      return quoteString(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return formatFunction(value);
  }
  if (value === null) return "null";
  const object = value as object;
  const custom = (object as { [inspectCustom]?: unknown })[inspectCustom];
  if (typeof custom === "function") return String(custom.call(object));
  if (seen.has(object)) return "[Circular]";
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
  if (object instanceof RegExp) return object.toString();
  if (object instanceof Error) return object.stack ?? `${object.name}: ${object.message}`;
  if (object instanceof Promise) return "Promise { <pending or settled: await it to see the value> }";
  if (object instanceof WeakMap || object instanceof WeakSet) return `${object.constructor.name} { <items unknown> }`;
  if (level > opts.depth) return Array.isArray(object) ? "[Array]" : `[${constructorName(object) ?? "Object"}]`;

  seen.add(object);
  try {
    if (Array.isArray(object)) return wrap("", "[", "]", listEntries(object, opts, level, seen), opts, level);
    if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
      const items = object as unknown as ArrayLike<unknown>;
      return wrap(`${constructorName(object)}(${items.length}) `, "[", "]", listEntries(items, opts, level, seen), opts, level);
    }
    if (object instanceof ArrayBuffer) return `ArrayBuffer { byteLength: ${object.byteLength} }`;
    if (object instanceof Map) {
      const entries = [...object].slice(0, opts.maxEntries).map(([k, v]) => `${format(k, opts, level + 1, seen)} => ${format(v, opts, level + 1, seen)}`);
      if (object.size > opts.maxEntries) entries.push(`... ${object.size - opts.maxEntries} more items`);
      return wrap(`Map(${object.size}) `, "{", "}", entries, opts, level);
    }
    if (object instanceof Set) {
      const entries = [...object].slice(0, opts.maxEntries).map((v) => format(v, opts, level + 1, seen));
      if (object.size > opts.maxEntries) entries.push(`... ${object.size - opts.maxEntries} more items`);
      return wrap(`Set(${object.size}) `, "{", "}", entries, opts, level);
    }
    const name = constructorName(object);
    const prefix = name === "Object" ? "" : name === undefined ? "[Object: null prototype] " : `${name} `;
    const keys = Object.keys(object);
    const entries = keys.slice(0, opts.maxEntries).map((key) => `${formatKey(key)}: ${format((object as Record<string, unknown>)[key], opts, level + 1, seen)}`);
    if (keys.length > opts.maxEntries) entries.push(`... ${keys.length - opts.maxEntries} more properties`);
    return wrap(prefix, "{", "}", entries, opts, level);
  } finally {
    seen.delete(object);
  }
}

function listEntries(items: ArrayLike<unknown>, opts: Required<InspectOptions>, level: number, seen: Set<object>): string[] {
  const shown = Math.min(items.length, opts.maxEntries);
  const entries: string[] = [];
  for (let i = 0; i < shown; i++) entries.push(i in items ? format(items[i], opts, level + 1, seen) : "<empty>");
  if (items.length > shown) entries.push(`... ${items.length - shown} more items`);
  return entries;
}

function wrap(prefix: string, open: string, close: string, entries: string[], opts: Required<InspectOptions>, level: number): string {
  if (entries.length === 0) return `${prefix}${open}${close}`;
  const oneLine = `${prefix}${open} ${entries.join(", ")} ${close}`;
  if (oneLine.length + level * 2 <= opts.lineWidth && !oneLine.includes("\n")) return oneLine;
  // Nested entries were formatted with absolute indentation for their level,
  // so only the first line of each entry needs indenting here.
  const indent = "  ".repeat(level + 1);
  return `${prefix}${open}\n${entries.map((e) => indent + e).join(",\n")}\n${"  ".repeat(level)}${close}`;
}

function formatFunction(fn: Function): string {
  const source = Function.prototype.toString.call(fn);
  const name = fn.name ? `: ${fn.name}` : " (anonymous)";
  return source.startsWith("class") ? `[class${fn.name ? ` ${fn.name}` : " (anonymous)"}]` : `[Function${name}]`;
}

function constructorName(object: object): string | undefined {
  const proto = Object.getPrototypeOf(object);
  if (proto === null) return undefined;
  const ctor = proto.constructor;
  return typeof ctor === "function" && ctor.name ? ctor.name : "Object";
}

function formatKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : quoteString(key);
}

function quoteString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/[\\\n\r\t]/g, (c) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]!);
  return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
}
