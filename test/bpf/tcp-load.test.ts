// Contract 1: both state variants of tcp_events and the retransmit program through the real verifier.
import { afterAll, describe, expect, it } from "vitest";
import { planProbe } from "../../runtime/planner.js";
import type { TcpEventsInstance } from "../../runtime/planner/tcp.js";
import { loadTemplate } from "../../runtime/templates/load-template.js";
import { TCP_EVENTS, tcpEventsDescriptor } from "../../runtime/templates/tcp-events.js";
import { waitUntilWeHoldNone } from "./support/held-by-us.js";

afterAll(async () => {
  // This process holds no pb_* program or map any more (exact while other runs share the kernel).
  expect(await waitUntilWeHoldNone()).toEqual([]);
});

describe("tcp_events through the verifier", () => {
  it("plans the tp_btf variant here (BTF tracepoints work) and loads it", () => {
    const p = planProbe({ kind: "tcp", port: 8080, family: "ipv6", durationMs: 1000 }) as TcpEventsInstance;
    expect(p.variant).toBe("tp_btf");
    expect(p.rodata.cfg).toMatchObject({ port: 8080, family: 10, retransmits: 1 });
    expect(p.attach.map((a) => a.kind)).toEqual(["trace", "tracepoint"]);
    const obj = loadTemplate(p, tcpEventsDescriptor);
    try {
      expect(obj.programInfo(TCP_EVENTS.programs.stateBtf).type).toBe("tracing");
      expect(obj.programInfo(TCP_EVENTS.programs.retransmit).type).toBe("tracepoint");
    } finally {
      obj.close();
    }
  });

  it("loads the classic tracepoint variant", () => {
    const p = planProbe({ kind: "tcp", durationMs: 1000 }) as TcpEventsInstance;
    loadTemplate({ ...p, programs: [TCP_EVENTS.programs.state, TCP_EVENTS.programs.retransmit] }, tcpEventsDescriptor).close();
  });

  it("refuses a bad port or family", () => {
    expect(() => planProbe({ kind: "tcp", port: 70000, durationMs: 1000 })).toThrow(/^port must be a TCP port/);
    expect(() => planProbe({ kind: "tcp", family: "ipx" as never, durationMs: 1000 })).toThrow(/^family must be "ipv4" or "ipv6"/);
  });
});
