// Contract 1: the tls template through the real verifier, at the edges of its
// size classes (a cap of 1 byte, of a class exactly, between two, the most)
// and as an aggregation; and its plans from host facts given, not read.
import { describe, expect, it } from "vitest";
import { plan } from "../../runtime/planner/plan.js";
import { load } from "../../runtime/templates/load.js";
import type { TlsEventsInstance } from "../../runtime/templates/tls/plan.js";
import type { AggregationInstance } from "../../runtime/planner/aggregation.js";
import type { TlsDiscovery, TlsLibrary } from "../../runtime/host/tls-libraries.js";
import { loaderLibssl } from "../../runtime/host/tls-libraries.js";
import { TLS } from "../../runtime/templates/tls/layout.js";
import { expectReleasedAfterAll } from "../support/held-bpf.js";

const held = expectReleasedAfterAll();
const LIBSSL = loaderLibssl()[0]!;

/** Host facts with these libraries found (a planner reads nothing itself). */
function found(libraries: Partial<TlsLibrary>[], more: Partial<TlsDiscovery> = {}) {
  const libs = libraries.map((l) => ({ path: LIBSSL, hostPath: LIBSSL, functions: ["SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex"],
    executable: false, foundBy: "given", ...l }) as TlsLibrary);
  return { tlsLibraries: () => ({ libraries: libs, processes: [], elsewhere: [], without: [], ...more }) };
}

describe("tls through the verifier", () => {
  for (const cap of [1, 64, 65, 4096, 16384, 100_000, TLS.capMax]) {
    it(`loads events with a cap of ${cap} bytes`, () => {
      const p = plan({ kind: "events", source: { type: "tls", capBytes: cap }, filter: { comm: "curl" }, durationMs: 1000 }, found([{}])) as TlsEventsInstance;
      expect(p.ring.recordSize).toBe(TLS.dataOffset + cap);
      held.close(load(p).obj);
    });
  }

  it("loads the aggregation (keys, a histogram of len, a filter on direction)", () => {
    const p = plan({ kind: "aggregate", source: { type: "tls" }, value: { op: "hist_log2", field: "len" }, keys: ["comm", "direction", "library"],
      filter: { where: [{ field: "direction", op: "==", value: "write" }] }, durationMs: 1000 }, found([{}])) as AggregationInstance;
    expect(p.rodata.cfg).toMatchObject({ aggregate: 1 });
    expect(p.keyNames?.library).toEqual({ 0: LIBSSL });
    held.close(load(p).obj);
  });
});

describe("tls plans", () => {
  it("an entry and a return probe per function of each library, the cookie says which (function | library << 8)", () => {
    const p = plan({ kind: "events", source: { type: "tls" }, filter: { pid: 42 }, durationMs: 1000 },
      found([{}, { path: "/opt/app/bin/app", hostPath: "/proc/42/root/opt/app/bin/app", functions: ["SSL_read", "SSL_write"], executable: true }])) as TlsEventsInstance;
    expect(p.attach.map((a) => a.kind === "uprobe" && [a.binary, a.symbol, a.retprobe, a.cookie, a.pid])).toEqual([
      ...["SSL_read", "SSL_write", "SSL_read_ex", "SSL_write_ex"].flatMap((s, i) => [[LIBSSL, s, false, i, 42], [LIBSSL, s, true, i, 42]]),
      ["/proc/42/root/opt/app/bin/app", "SSL_read", false, 256, 42], ["/proc/42/root/opt/app/bin/app", "SSL_read", true, 256, 42],
      ["/proc/42/root/opt/app/bin/app", "SSL_write", false, 257, 42], ["/proc/42/root/opt/app/bin/app", "SSL_write", true, 257, 42],
    ]);
    expect(p.libraries).toEqual([LIBSSL, "/opt/app/bin/app"]);
    expect(p.target).toBe(`tls: ${LIBSSL}; /opt/app/bin/app (statically linked) without SSL_read_ex, SSL_write_ex (an OpenSSL before 1.1.1, or BoringSSL)`);
  });

  it("nothing to probe: names what the process uses instead", () => {
    const go = found([], { processes: [{ pid: 42, comm: "server" }], elsewhere: [{ what: "Go's crypto/tls", path: "/usr/local/bin/server" }] });
    expect(() => plan({ kind: "events", source: { type: "tls" }, filter: { pid: 42 }, durationMs: 1000 }, go)).toThrow(
      "tls: pid 42 (server) maps no OpenSSL libssl and does not link OpenSSL statically. /usr/local/bin/server is a Go program: " +
      "Go's crypto/tls is written in Go and calls no OpenSSL function, so tls() has nothing to probe there " +
      "(Go TLS would need uprobes on crypto/tls.(*Conn).Read/Write, which are not offered).");
    const gnutls = found([], { processes: [{ pid: 42, comm: "wget" }], elsewhere: [{ what: "GnuTLS", path: "/usr/lib/x86_64-linux-gnu/libgnutls.so.30" }] });
    expect(() => plan({ kind: "events", source: { type: "tls" }, filter: { pid: 42 }, durationMs: 1000 }, gnutls)).toThrow(
      "It uses GnuTLS (/usr/lib/x86_64-linux-gnu/libgnutls.so.30) instead: tls() reads OpenSSL's libssl only.");
    expect(() => plan({ kind: "events", source: { type: "tls" }, filter: {}, durationMs: 1000 }, found([]))).toThrow(
      "tls: no OpenSSL libssl in the dynamic loader's search path (/etc/ld.so.cache) nor in any running process: install libssl3, " +
      "or name a library or binary with tls({ binary }).");
  });

  it("refuses what an aggregation can't do, and keys it doesn't have", () => {
    const agg = (over: object) => () => plan({ kind: "aggregate", source: { type: "tls" }, value: { op: "count" }, keys: [], filter: {}, durationMs: 1000, ...over } as never, found([{}]));
    expect(agg({ source: { type: "tls", capBytes: 10 } })).toThrow("tls: capBytes is for events (the aggregation copies no bytes)");
    expect(agg({ keys: ["fd"] })).toThrow(/^key "fd": tls\(\) aggregations key by pid, tid, uid, gid, cpu, cgroup, comm, direction, function, library$/);
    expect(agg({ value: { op: "sum", field: "bytes" } })).toThrow(`value.field: tls() folds len, captured or ret, got "bytes"`);
  });
});
