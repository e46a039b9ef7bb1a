import { describe, expect, it } from "vitest";
import { createCellContext, STREAM_FLUSH_MS } from "../../../kernel/handlers/cell-context.js";
import type { KernelServices } from "../../../kernel/handlers/types.js";
import type { IncomingMessage } from "../../../kernel/protocol/messages.js";

const request = { header: { msg_id: "exec-1" } } as IncomingMessage<string, unknown>;

function setup(overrides: Partial<Parameters<typeof createCellContext>[0]> = {}) {
  const published: Array<[string, unknown]> = [];
  const asked: Array<[string, boolean]> = [];
  const kernel = {
    requestInput: async (_parent: unknown, prompt: string, password: boolean) => {
      asked.push([prompt, password]);
      return "typed";
    },
  } as unknown as KernelServices;
  const ctx = createCellContext({
    request,
    publish: (type, content) => published.push([type, content]),
    kernel,
    executionCount: 3,
    silent: false,
    storeHistory: true,
    allowStdin: true,
    signal: new AbortController().signal,
    ...overrides,
  });
  return { ctx, published, asked };
}

describe("createCellContext", () => {
  it("coalesces stream text per stream and keeps it in order with other outputs", () => {
    const { ctx, published } = setup();
    ctx.stream("stdout", "a");
    ctx.stream("stdout", "b");
    ctx.stream("stderr", "c");
    ctx.display({ "text/plain": "d" });
    ctx.stream("stdout", "e");
    ctx.clearOutput(false);
    ctx.flush();
    expect(published).toEqual([
      ["stream", { name: "stdout", text: "ab" }],
      ["stream", { name: "stderr", text: "c" }],
      ["display_data", { data: { "text/plain": "d" }, metadata: {}, transient: {} }],
      ["stream", { name: "stdout", text: "e" }],
      ["clear_output", { wait: false }],
    ]);
  });

  it("flushes buffered text by itself after a short delay", async () => {
    const { ctx, published } = setup();
    ctx.stream("stdout", "late");
    expect(published).toEqual([]);
    await new Promise((r) => setTimeout(r, STREAM_FLUSH_MS * 3));
    expect(published).toEqual([["stream", { name: "stdout", text: "late" }]]);
  });

  it("publishes display ids, updates and metadata", () => {
    const { ctx, published } = setup();
    ctx.display({ "image/png": "AAAA" }, { displayId: "plot", metadata: { "image/png": { width: 10 } } });
    ctx.display({ "text/plain": "2" }, { displayId: "plot", update: true });
    expect(published).toEqual([
      ["display_data", { data: { "image/png": "AAAA" }, metadata: { "image/png": { width: 10 } }, transient: { display_id: "plot" } }],
      ["update_display_data", { data: { "text/plain": "2" }, metadata: {}, transient: { display_id: "plot" } }],
    ]);
    expect(() => ctx.display({ "text/plain": "x" }, { update: true })).toThrow("display({ update: true }) needs the displayId");
    expect(() => ctx.display("text" as never)).toThrow('display() needs a MIME bundle object like { "text/plain": "..." }, got string');
  });

  it("collects pager payloads", () => {
    const { ctx } = setup();
    ctx.page({ "text/plain": "doc" });
    expect(ctx.payload).toEqual([{ source: "page", data: { "text/plain": "doc" }, start: 0 }]);
  });

  it("asks for input through the kernel, after flushing text, only when stdin is allowed", async () => {
    const { ctx, published, asked } = setup();
    ctx.stream("stdout", "before prompt");
    expect(await ctx.input("name?", true)).toBe("typed");
    expect(published).toEqual([["stream", { name: "stdout", text: "before prompt" }]]);
    expect(asked).toEqual([["name?", true]]);
    const noStdin = setup({ allowStdin: false }).ctx;
    await expect(noStdin.input("x", false)).rejects.toMatchObject({ name: "StdinNotImplementedError" });
  });
});
