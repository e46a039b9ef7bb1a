// Validation of request content: untrusted JSON in, typed content with the
// protocol's defaults filled in out, or a sentence saying what is wrong. Each
// request type has one small reader; unknown types are reported as such.
import type { HistoryRequest, JsonObject, RequestContents, RequestType } from "./messages.js";

export class ContentError extends Error {
  override name = "ContentError";
}

type Reader<T> = (content: JsonObject) => T;

function str(content: JsonObject, key: string, fallback?: string): string {
  const value = content[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string") throw new ContentError(`content.${key} must be a string, got ${describe(value)}`);
  return value;
}

function bool(content: JsonObject, key: string, fallback: boolean): boolean {
  const value = content[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "boolean") throw new ContentError(`content.${key} must be a boolean, got ${describe(value)}`);
  return value;
}

function int(content: JsonObject, key: string, fallback?: number): number {
  const value = content[key];
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new ContentError(`content.${key} must be an integer, got ${describe(value)}`);
  }
  return value;
}

function optionalInt(content: JsonObject, key: string): number | null {
  const value = content[key];
  return value === undefined || value === null ? null : int(content, key);
}

function object(content: JsonObject, key: string, fallback: JsonObject): JsonObject {
  const value = content[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ContentError(`content.${key} must be an object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 60)}`;
}

function cursor(content: JsonObject, code: string): number {
  // Older frontends omit cursor_pos; the end of the code is what they mean.
  const pos = int(content, "cursor_pos", [...code].length);
  if (pos < 0) throw new ContentError(`content.cursor_pos must not be negative, got ${pos}`);
  return pos;
}

function readHistory(content: JsonObject): HistoryRequest {
  const output = bool(content, "output", false);
  const raw = bool(content, "raw", true);
  const type = str(content, "hist_access_type");
  switch (type) {
    case "tail":
      return { hist_access_type: "tail", output, raw, n: Math.max(0, int(content, "n", 10)) };
    case "range":
      return {
        hist_access_type: "range",
        output,
        raw,
        session: int(content, "session", 0),
        start: int(content, "start", 1),
        stop: optionalInt(content, "stop"),
      };
    case "search":
      return {
        hist_access_type: "search",
        output,
        raw,
        pattern: str(content, "pattern", "*"),
        unique: bool(content, "unique", false),
        n: optionalInt(content, "n"),
      };
    default:
      throw new ContentError(`content.hist_access_type must be "tail", "range" or "search", got ${describe(type)}`);
  }
}

const readers: { [K in RequestType]: Reader<RequestContents[K]> } = {
  execute_request: (c) => {
    const silent = bool(c, "silent", false);
    const expressions = object(c, "user_expressions", {});
    for (const [name, expr] of Object.entries(expressions)) {
      if (typeof expr !== "string") throw new ContentError(`content.user_expressions.${name} must be a string of code`);
    }
    return {
      code: str(c, "code"),
      silent,
      // The protocol: store_history defaults to true, and silent forces it false.
      store_history: silent ? false : bool(c, "store_history", true),
      user_expressions: expressions as Record<string, string>,
      allow_stdin: bool(c, "allow_stdin", true),
      stop_on_error: bool(c, "stop_on_error", true),
    };
  },
  complete_request: (c) => {
    const code = str(c, "code");
    return { code, cursor_pos: cursor(c, code) };
  },
  inspect_request: (c) => {
    const code = str(c, "code");
    const level = int(c, "detail_level", 0);
    if (level !== 0 && level !== 1) throw new ContentError(`content.detail_level must be 0 or 1, got ${level}`);
    return { code, cursor_pos: cursor(c, code), detail_level: level };
  },
  is_complete_request: (c) => ({ code: str(c, "code") }),
  history_request: readHistory,
  kernel_info_request: () => ({}),
  comm_info_request: (c) => (c.target_name === undefined || c.target_name === null ? {} : { target_name: str(c, "target_name") }),
  comm_open: (c) => ({ comm_id: str(c, "comm_id"), target_name: str(c, "target_name"), data: object(c, "data", {}) }),
  comm_msg: (c) => ({ comm_id: str(c, "comm_id"), data: object(c, "data", {}) }),
  comm_close: (c) => ({ comm_id: str(c, "comm_id"), data: object(c, "data", {}) }),
  interrupt_request: () => ({}),
  shutdown_request: (c) => ({ restart: bool(c, "restart", false) }),
  input_reply: (c) => ({ value: str(c, "value") }),
};

export function isKnownRequestType(msgType: string): msgType is RequestType {
  return Object.prototype.hasOwnProperty.call(readers, msgType);
}

/** Returns typed content with defaults, or throws ContentError naming the bad field. */
export function readContent<T extends RequestType>(msgType: T, content: JsonObject): RequestContents[T] {
  return readers[msgType](content);
}
