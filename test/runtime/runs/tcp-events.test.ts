// TCP life cycle on loopback connections this test makes: N connections to a
// server it starts give N client rows SYN_SENT -> ESTABLISHED with the right
// ports and a connect latency, and N session-lifetime rows at CLOSE, on IPv4
// (127.0.0.1) and IPv6 (::1).
import { once } from "node:events";
import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { plan } from "../../../runtime/planner/plan.js";
import type { TcpEventsInstance } from "../../../runtime/templates/tcp_events/plan.js";
import { runRing } from "../../../runtime/runs/ring.js";
import { addressText } from "../../../runtime/templates/tcp_events/columns.js";
import { buildC } from "../../bpf/support/build-c.js";
import { killSpawned, spawnTracked } from "../../support/children.js";
import { expectReleasedAfterAll } from "../../support/held-bpf.js";

expectReleasedAfterAll(); // what this file loads must all be closed and freed, by id
afterEach(killSpawned);

const N = 5;
const PAYLOAD = 1000;

/** A server that answers PAYLOAD bytes and closes; N clients that each read them. Returns the clients' local ports. */
async function connections(host: string, onPort: (port: number) => void) {
  const server = createServer((s) => s.end(Buffer.alloc(PAYLOAD, 120)));
  server.listen(0, host);
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  onPort(port);
  const clientPorts: number[] = [];
  return {
    port,
    run: async () => {
      for (let i = 0; i < N; i++) {
        const c: Socket = createConnection({ host, port });
        await once(c, "connect");
        clientPorts.push(c.localPort!);
        let got = 0;
        c.on("data", (d: Buffer) => (got += d.length));
        await once(c, "end");
        c.end();
        await once(c, "close");
        expect(got).toBe(PAYLOAD);
      }
      server.close();
      return clientPorts;
    },
  };
}

/** Connections traced with the planned instance; `classic` swaps in the classic-tracepoint variant. */
async function trace(host: string, family: "ipv4" | "ipv6", classic = false) {
  let clientPorts: number[] = [];
  const conns = await connections(host, () => {});
  let instance = plan({ kind: "tcp", port: conns.port, family, durationMs: 1500 }) as TcpEventsInstance;
  if (classic) // a plan is data: what the planner picks on a kernel without tp_btf
    instance = { ...instance, btfVariant: undefined as never };
  const result = await runRing(instance, { onAttached: async () => { clientPorts = await conns.run(); } });
  return { result, port: conns.port, clientPorts, instance };
}

function rows(r: Awaited<ReturnType<typeof trace>>["result"]) {
  const c = r.columns;
  return Array.from({ length: r.rowCount }, (_, i) => ({
    kind: (c.kind as string[])[i]!, old: (c.old_state as string[])[i]!, new: (c.new_state as string[])[i]!,
    saddr: (c.saddr as string[])[i]!, daddr: (c.daddr as string[])[i]!,
    sport: (c.sport as Uint16Array)[i]!, dport: (c.dport as Uint16Array)[i]!, family: (c.family as Uint16Array)[i]!,
    stateNs: (c.state_ns as Float64Array)[i]!, ageNs: (c.age_ns as Float64Array)[i]!, pid: (c.pid as Uint32Array)[i]!,
    acked: (c.bytes_acked as Float64Array)[i]!, received: (c.bytes_received as Float64Array)[i]!,
  }));
}

for (const [host, family, fam] of [["127.0.0.1", "ipv4", 2], ["::1", "ipv6", 10]] as const) {
  describe(`TCP events over ${family} (${host})`, () => {
    it(`give one connect row per connection with the right ports and a connect latency`, async () => {
      const t = await trace(host, family);
      expect(t.result.stats.variant).toBe("tp_btf");
      const all = rows(t.result);
      const connects = all.filter((r) => r.old === "SYN_SENT" && r.new === "ESTABLISHED");
      expect(connects.map((r) => r.sport).sort()).toEqual([...t.clientPorts].sort());
      expect(connects.every((r) => r.dport === t.port && r.family === fam && r.saddr === host && r.daddr === host)).toBe(true);
      expect(connects.every((r) => r.stateNs > 0 && r.stateNs < 1e9 && r.pid === process.pid)).toBe(true);
      // each client socket's life ends in CLOSE, with its age and the bytes it received
      const clientCloses = all.filter((r) => r.new === "CLOSE" && t.clientPorts.includes(r.sport) && r.dport === t.port);
      expect(clientCloses.map((r) => r.sport).sort()).toEqual([...t.clientPorts].sort());
      // tcp_sock.bytes_received counts sequence space: the payload and the server's FIN
      expect(clientCloses.map((r) => r.received)).toEqual(Array(N).fill(PAYLOAD + 1));
      expect(clientCloses.every((r) => r.ageNs >= r.stateNs && r.ageNs > 0)).toBe(true);
      // the server side: N accepted connections (SYN_RECV -> ESTABLISHED on the server's port)
      expect(all.filter((r) => r.old === "SYN_RECV" && r.new === "ESTABLISHED" && r.sport === t.port).length).toBe(N);
      expect(t.result.stats.dropped).toBe(0);
      expect(all.every((r) => r.kind === "state")).toBe(true);
    });
  });
}

describe("TCP events from the classic tracepoint variant", () => {
  it("give the same connect rows, without byte counters", async () => {
    const t = await trace("127.0.0.1", "ipv4", true);
    const all = rows(t.result);
    const connects = all.filter((r) => r.old === "SYN_SENT" && r.new === "ESTABLISHED");
    expect(connects.map((r) => r.sport).sort()).toEqual([...t.clientPorts].sort());
    expect(connects.every((r) => r.dport === t.port && r.saddr === "127.0.0.1" && r.stateNs > 0)).toBe(true);
    const closes = all.filter((r) => r.new === "CLOSE" && t.clientPorts.includes(r.sport));
    expect(closes.length).toBe(N);
    expect(all.every((r) => r.acked === 0 && r.received === 0)).toBe(true);
    expect([...(t.result.columns.has_bytes as Uint8Array)].every((b) => b === 0)).toBe(true);
  });
});

describe("TCP retransmissions", () => {
  it("show a SYN retransmitted to a listener whose accept queue is full", async () => {
    const deaf = buildC("deaf-listener");
    const server = spawnTracked(deaf.bin, [], { stdio: ["pipe", "pipe", "inherit"] });
    const sockets: Socket[] = [];
    try {
      const out = await new Promise<string>((resolve) => {
        let text = "";
        server.stdout!.on("data", (d: Buffer) => (text += d.toString()).includes("ready\n") && resolve(text));
      });
      const port = Number(/port (\d+)/.exec(out)![1]);
      // backlog 1: the first connections fill the accept queue; later SYNs are dropped
      for (let i = 0; i < 2; i++) {
        const c = createConnection({ host: "127.0.0.1", port });
        c.on("error", () => {});
        sockets.push(c);
        await once(c, "connect");
      }
      let blockedPort = 0;
      const instance = plan({ kind: "tcp", port, durationMs: 1600 }) as TcpEventsInstance;
      const result = await runRing(instance, {
        onAttached: () => {
          const c = createConnection({ host: "127.0.0.1", port });
          c.on("error", () => {});
          sockets.push(c);
          setTimeout(() => (blockedPort = c.localPort ?? 0), 50);
        },
      });
      const all = rows(result);
      const retrans = all.filter((r) => r.kind === "retransmit");
      // the initial RTO is 1 s: exactly one SYN retransmission inside the 1.6 s window
      expect(retrans.length).toBe(1);
      expect(retrans[0]).toMatchObject({ new: "SYN_SENT", old: "", dport: port, saddr: "127.0.0.1", daddr: "127.0.0.1", family: 2 });
      expect(retrans[0]!.sport).toBe(blockedPort);
      expect(retrans[0]!.ageNs).toBeGreaterThan(0.9e9); // the socket was seen at connect()
    } finally {
      for (const c of sockets) c.destroy();
      server.stdin!.end();
      server.kill("SIGKILL");
      deaf.cleanup();
    }
  });
});

describe("TCP addresses", () => {
  it("are written as people write them", () => {
    expect(addressText("7f000001" + "00".repeat(12), 2)).toBe("127.0.0.1");
    expect(addressText("00".repeat(15) + "01", 10)).toBe("::1");
    expect(addressText("20010db8000000000000000000000001", 10)).toBe("2001:db8::1");
    expect(addressText("00000000000000000000ffff7f000001", 10)).toBe("::ffff:127.0.0.1");
  });
});
