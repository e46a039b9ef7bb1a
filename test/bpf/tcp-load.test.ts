// Contract 1: both state variants of tcp_events and the retransmit program through the real verifier.
import { describe, expect, it } from "vitest";
import { planProbe } from "../../runtime/templates/tp_events/plan.js";
import type { TcpEventsInstance } from "../../runtime/templates/tcp_events/plan.js";
import { loadTemplate } from "../../runtime/templates/load-template.js";
import { TCP_EVENTS, tcpEventsDescriptor } from "../../runtime/templates/tcp_events/layout.js";
import { expectReleasedAfterAll } from "../support/held-bpf.js";

const held = expectReleasedAfterAll(); // what this file loads must all be closed and freed, by id

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
      held.close(obj);
    }
  });

  it("loads the classic tracepoint variant", () => {
    const p = planProbe({ kind: "tcp", durationMs: 1000 }) as TcpEventsInstance;
    held.close(loadTemplate({ ...p, programs: [TCP_EVENTS.programs.state, TCP_EVENTS.programs.retransmit] }, tcpEventsDescriptor));
  });

  it("refuses a bad port or family", () => {
    expect(() => planProbe({ kind: "tcp", port: 70000, durationMs: 1000 })).toThrow(/^port must be a TCP port/);
    expect(() => planProbe({ kind: "tcp", family: "ipx" as never, durationMs: 1000 })).toThrow(/^family must be "ipv4" or "ipv6"/);
  });
});
