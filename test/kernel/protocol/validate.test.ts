import { describe, expect, it } from "vitest";
import { isKnownRequestType, readContent } from "../../../kernel/protocol/validate.js";

describe("readContent", () => {
  it("fills the protocol's execute_request defaults", () => {
    expect(readContent("execute_request", { code: "1" })).toEqual({
      code: "1",
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: true,
      stop_on_error: true,
    });
  });

  it("forces store_history off for silent cells", () => {
    expect(readContent("execute_request", { code: "1", silent: true, store_history: true }).store_history).toBe(false);
  });

  it("says which field is wrong", () => {
    expect(() => readContent("execute_request", {})).toThrow("content.code must be a string, got nothing (the field is missing)");
    expect(() => readContent("execute_request", { code: "1", silent: "yes" })).toThrow('content.silent must be a boolean, got string "yes"');
    expect(() => readContent("execute_request", { code: "1", user_expressions: { a: 1 } })).toThrow("content.user_expressions.a must be a string of code");
    expect(() => readContent("complete_request", { code: "x", cursor_pos: 1.5 })).toThrow("content.cursor_pos must be an integer");
    expect(() => readContent("complete_request", { code: "x", cursor_pos: -1 })).toThrow("must not be negative");
    expect(() => readContent("inspect_request", { code: "x", detail_level: 2 })).toThrow("content.detail_level must be 0 or 1, got 2");
    expect(() => readContent("history_request", { hist_access_type: "all" })).toThrow('content.hist_access_type must be "tail", "range" or "search"');
    expect(() => readContent("comm_open", { comm_id: "c" })).toThrow("content.target_name must be a string");
  });

  it("defaults cursor_pos to the end of the code in code points", () => {
    expect(readContent("complete_request", { code: "a😀b" })).toEqual({ code: "a😀b", cursor_pos: 3 });
  });

  it("reads the three history access types", () => {
    expect(readContent("history_request", { hist_access_type: "tail", n: 3, output: true, raw: true })).toEqual({ hist_access_type: "tail", n: 3, output: true, raw: true });
    expect(readContent("history_request", { hist_access_type: "range", session: 0, start: 2, output: false, raw: true })).toEqual({
      hist_access_type: "range", session: 0, start: 2, stop: null, output: false, raw: true,
    });
    expect(readContent("history_request", { hist_access_type: "search", pattern: "a*", output: false, raw: true })).toEqual({
      hist_access_type: "search", pattern: "a*", unique: false, n: null, output: false, raw: true,
    });
  });

  it("knows its request types", () => {
    expect(isKnownRequestType("kernel_info_request")).toBe(true);
    expect(isKnownRequestType("debug_request")).toBe(false);
    expect(isKnownRequestType("toString")).toBe(false);
  });
});
