// uprobe(binary, symbol).latency(): the exact latency declarations it builds
// (pair { type: "uprobe", binary, symbol, pid? }), its code text, and its
// mistakes, message by message. Pure: no kernel, no sandbox.
import { afterEach, describe, expect, test } from "vitest";
import { kretprobe, uprobe, uretprobe, usdt, type FunctionProbe } from "../../probes-lib/index.js";
import { setProbeHost, type ProbeHost } from "../../probes-lib/host.js";
import type { AnyDeclaration } from "../../runtime/spec/protocol.js";

afterEach(() => setProbeHost(undefined));
const LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";

function recordingHost(): AnyDeclaration[] {
  const sent: AnyDeclaration[] = [];
  setProbeHost({ run: async (d) => (sent.push(d), { columns: {}, columnTypes: {}, rowCount: 0, stats: { events: 0, dropped: 0, durationMs: 1 } }) } as Partial<ProbeHost> as ProbeHost);
  return sent;
}

/** A probe seen as an entry probe, to call what its type refuses. */
const asEntry = (p: FunctionProbe) => p as FunctionProbe<"entry">;

describe("uprobe(...).latency()", () => {
  test("a histogram for one pid, with for it runs", async () => {
    const sent = recordingHost();
    await uprobe(LIBC, "getaddrinfo", { pid: 42 }).latency().histogram({ for: "10s" });
    expect(sent).toEqual([{
      kind: "latency", pair: { type: "uprobe", binary: LIBC, symbol: "getaddrinfo", pid: 42 }, value: { op: "hist_log2" },
      filter: {}, keys: [], durationMs: 10_000,
    }]);
  });

  test("by comm, .where({ pid }) before it, code text", () => {
    const probe = uprobe(LIBC, "getaddrinfo").where({ pid: 7 }).latency().by("comm").stats();
    expect(String(probe)).toBe(`uprobe("${LIBC}", "getaddrinfo").where({"pid":7}).latency().by("comm").stats()`);
    expect(probe.toDeclaration({ for: "1s" })).toEqual({
      kind: "latency", pair: { type: "uprobe", binary: LIBC, symbol: "getaddrinfo", pid: 7 }, value: { op: "stats" },
      filter: {}, keys: ["comm"], durationMs: 1000,
    });
    expect(uprobe(LIBC, "malloc").latency().histogram().toDeclaration({ for: 1 })).toMatchObject({ pair: { type: "uprobe", binary: LIBC, symbol: "malloc" } });
    expect(uprobe(LIBC, "malloc").latency().histogram().toDeclaration({ for: 1 }).pair).not.toHaveProperty("pid");
  });

  test("slow calls as events", async () => {
    const sent = recordingHost();
    await uprobe(LIBC, "getaddrinfo").latency().by("pid", "comm").events({ over: "10ms", for: "30s" });
    expect(sent[0]).toEqual({
      kind: "latency", pair: { type: "uprobe", binary: LIBC, symbol: "getaddrinfo" }, value: { op: "count" },
      filter: {}, keys: ["pid", "comm"], durationMs: 30_000, thresholdNs: 10_000_000,
    });
  });

  test.each([
    // refused by the types too (test/probes-lib/types.test.ts); cells are transpiled without type checks, so the builder says it again
    [() => asEntry(uretprobe(LIBC, "malloc")).latency(), `uretprobe("${LIBC}", "malloc").latency(): a latency pairs a function's entry with its return: start from uprobe(binary, symbol), kprobe(name) or fentry(name)`],
    [() => asEntry(usdt(LIBC, "libc", "setjmp")).latency(), `usdt("${LIBC}", "libc", "setjmp").latency(): a latency pairs a function's entry with its return: start from uprobe(binary, symbol), kprobe(name) or fentry(name)`],
    [() => asEntry(kretprobe("vfs_read")).latency(), `kretprobe("vfs_read").latency(): a latency pairs a function's entry with its return: start from uprobe(binary, symbol), kprobe(name) or fentry(name)`],
    [() => uprobe(LIBC, "malloc").arg("size", 0).latency(), `uprobe("${LIBC}", "malloc").arg("size", 0, "long").latency(): .arg() and .limit() are for events; a latency's columns are its keys (.by(...)) and values`],
  ])("mistake %#", (make, message) => {
    expect(make).toThrow(new TypeError(message));
  });
});
