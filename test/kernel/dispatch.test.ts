import { describe, expect, it } from "vitest";
import { dispatch, replyTypeOf, type Transport } from "../../kernel/dispatch.js";
import type { KernelServices } from "../../kernel/handlers/types.js";
import { HistoryStore } from "../../kernel/history.js";
import type { IncomingMessage } from "../../kernel/protocol/messages.js";

function message(msgType: string, content: Record<string, unknown>, channel: "shell" | "control" = "shell"): IncomingMessage {
  return {
    channel,
    identities: [Buffer.from("client")],
    header: { msg_id: `id-${msgType}`, msg_type: msgType, session: "s", username: "u", date: "", version: "5.3" },
    parent_header: {},
    metadata: {},
    content,
    buffers: [],
  };
}

function harness(services: Partial<KernelServices> = {}) {
  const sent: Array<[string, string, unknown]> = [];
  const transport: Transport = {
    reply: (_req, type, content) => sent.push(["reply", type, content]),
    publish: (_parent, type, content) => sent.push(["iopub", type, content]),
  };
  const logs: string[] = [];
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const kernel = { session: "k", log, history: new HistoryStore(), executionCount: 0, ...services } as KernelServices;
  return { sent, logs, kernel, transport };
}

const busy = ["iopub", "status", { execution_state: "busy" }];
const idle = ["iopub", "status", { execution_state: "idle" }];

describe("dispatch", () => {
  it("wraps a request in busy and idle", async () => {
    const h = harness();
    await dispatch(message("history_request", { hist_access_type: "tail", n: 1, output: false, raw: true }), h.transport, h.kernel);
    expect(h.sent).toEqual([busy, ["reply", "history_reply", { status: "ok", history: [] }], idle]);
  });

  it("still replies and goes idle when a handler throws", async () => {
    const h = harness({ history: undefined as unknown as HistoryStore });
    await dispatch(message("history_request", { hist_access_type: "tail", n: 1 }), h.transport, h.kernel);
    expect(h.sent[0]).toEqual(busy);
    expect(h.sent[1]).toMatchObject(["reply", "history_reply", { status: "error", ename: "InternalError" }]);
    expect((h.sent[1][2] as { evalue: string }).evalue).toMatch(/^probebook failed while handling history_request: /);
    expect(h.sent[2]).toEqual(idle);
    expect(h.logs.join("\n")).toMatch(/history_request id-history_request failed: TypeError/);
  });

  it("answers aborted executes without running them", async () => {
    const h = harness();
    await dispatch(message("execute_request", { code: "1" }), h.transport, h.kernel, { abort: true });
    expect(h.sent).toEqual([busy, ["reply", "execute_reply", { status: "aborted" }], idle]);
    expect(h.kernel.executionCount).toBe(0);
  });

  it("logs non-request messages it does not know, without replying", async () => {
    const h = harness();
    await dispatch(message("mystery_event", {}), h.transport, h.kernel);
    expect(h.sent).toEqual([busy, idle]);
    expect(h.logs).toEqual(['mystery_event id-mystery_event on shell: probebook does not handle "mystery_event" messages']);
  });

  it("pairs request and reply names", () => {
    expect(replyTypeOf("kernel_info_request")).toBe("kernel_info_reply");
    expect(replyTypeOf("comm_msg")).toBeUndefined();
  });
});
