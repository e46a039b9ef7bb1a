// Contract 1: both state variants of tcp_events and the retransmit program through the real verifier.
import { describe, expect, it } from "vitest";
import { plan } from "../../runtime/planner/plan.js";
import type { TcpEventsInstance } from "../../runtime/templates/tcp_events/plan.js";
import { load } from "../../runtime/templates/load.js";
import { TCP_EVENTS, tcpEventsDescriptor } from "../../runtime/templates/tcp_events/layout.js";
import { expectReleasedAfterAll } from "../support/held-bpf.js";

const held = expectReleasedAfterAll(); // what this file loads must all be closed and freed, by id

describe("tcp_events through the verifier", () => {
  it("plans both variants; the loader keeps tp_btf here (BTF tracepoints work)", () => {
    const p = plan({ kind: "tcp", port: 8080, family: "ipv6", durationMs: 1000 }) as TcpEventsInstance;
    expect(p.rodata.cfg).toMatchObject({ port: 8080, family: 10, retransmits: 1 });
    expect(p.attach.map((a) => a.kind)).toEqual(["tracepoint", "tracepoint"]);
    expect(p.btfVariant.attach.map((a) => a.kind)).toEqual(["trace", "tracepoint"]);
    const { obj, variant, attach } = load(p);
    expect(variant).toBe("tp_btf");
    expect(attach).toEqual(p.btfVariant.attach);
    try {
      expect(obj.programInfo(TCP_EVENTS.programs.stateBtf).type).toBe("tracing");
      expect(obj.programInfo(TCP_EVENTS.programs.retransmit).type).toBe("tracepoint");
    } finally {
      held.close(obj);
    }
  });

  it("loads the classic tracepoint variant", () => {
    const p = plan({ kind: "tcp", durationMs: 1000 }) as TcpEventsInstance;
    const { obj, variant } = load({ ...p, btfVariant: undefined as never });
    expect(variant).toBe("tracepoint");
    try {
      expect(obj.programInfo(TCP_EVENTS.programs.state).type).toBe("tracepoint");
    } finally {
      held.close(obj);
    }
  });

  it("refuses a bad port or family", () => {
    expect(() => plan({ kind: "tcp", port: 70000, durationMs: 1000 })).toThrow(/^port must be a TCP port/);
    expect(() => plan({ kind: "tcp", family: "ipx" as never, durationMs: 1000 })).toThrow(/^family must be "ipv4" or "ipv6"/);
  });
});
