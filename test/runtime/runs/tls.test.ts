// tls(): the plaintext of TLS traffic at OpenSSL's SSL_read/SSL_write, on
// loopback, with workloads this test starts (Python's ssl module, openssl
// s_server/s_client, a C loop of SSL_write linked dynamically and
// statically): exact bytes, lengths and sums for their pids only.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { AggregateDeclaration, TlsEventsDeclaration } from "../../../runtime/spec/declaration.js";
import { runDeclaration, startDeclaration, type ProbeRunResult } from "../../../runtime/runs/run.js";
import { plan } from "../../../runtime/planner/plan.js";
import type { TlsEventsInstance } from "../../../runtime/templates/tls/plan.js";
import { loaderLibssl } from "../../../runtime/host/tls-libraries.js";
import { buildC } from "../../bpf/support/build-c.js";
import { killSpawned, spawnTracked } from "../../support/children.js";
import { expectReleasedAfterAll } from "../../support/held-bpf.js";
import { makeCertificate, PYTHON, request, response, startHeldProcess, startTlsPair } from "./support/tls-workloads.js";

const cert = makeCertificate();
const sslWrites = buildC("ssl-writes", ["-O2"], ["-lssl", "-lcrypto"]);
const sslWritesStatic = buildC("ssl-writes", ["-O2"], ["-Wl,-Bstatic", "-lssl", "-lcrypto", "-Wl,-Bdynamic"]);
const sslLike = buildC("ssl-like", ["-O2", "-shared", "-fPIC"]);
const notSsl = buildC("ssl-like", ["-O2", "-shared", "-fPIC", "-DNO_SSL"]);
const goLike = buildC("go-like");
const LIBSSL = loaderLibssl()[0]!;

expectReleasedAfterAll(); // what this file loads must all be closed and freed, by id
afterEach(killSpawned);
afterAll(() => {
  for (const b of [sslWrites, sslWritesStatic, sslLike, notSsl, goLike]) b.cleanup();
  cert.cleanup();
});

type Row = Record<string, unknown>;
function rowsOf(r: ProbeRunResult): Row[] {
  return Array.from({ length: r.rowCount }, (_, i) => Object.fromEntries(Object.entries(r.columns).map(([k, v]) => [k, v[i]])));
}
const bytesOf = (rows: Row[]) => Buffer.concat(rows.map((x) => x.data as Uint8Array));
/** ssl-writes' message i of `size` bytes. */
const message = (i: number, size: number) => Buffer.from(Array.from({ length: size }, (_, k) => 97 + ((i + k) % 26)));

function events(filter: TlsEventsDeclaration["filter"], source: Partial<TlsEventsDeclaration["source"]> = {}): TlsEventsDeclaration {
  return { kind: "events", source: { type: "tls", ...source }, filter, durationMs: 20_000 };
}

/** Expects `fn` to throw a ProbebookError with `code`, and returns it. */
function planError(fn: () => unknown, code: string): Error & { details: Record<string, unknown> } {
  try {
    fn();
  } catch (e) {
    expect((e as { code?: string }).code, (e as Error).message).toBe(code);
    return e as Error & { details: Record<string, unknown> };
  }
  throw new Error(`expected a ${code} error`);
}

describe("tls() events", () => {
  it("Python's ssl posts a body (SSL_write_ex) and reads the response (SSL_read_ex): both exactly, with pid and comm", async () => {
    const pair = await startTlsPair(cert, 3000, 50_000);
    let done: ReturnType<typeof pair.go> | undefined;
    // filtered to the client: the run ends when it exits, with what it collected
    const r = await runDeclaration(events({ pid: pair.client.pid }), { onAttached: () => { done = pair.go(); } });
    const ends = await done!;
    expect(ends.client.code).toBe(0);
    expect(ends.client.out.trim()).toBe(String(response(50_000).length));
    expect(r.stats.stoppedBy).toBe("target-exited");
    expect(r.stats.dropped).toBe(0);
    const rows = rowsOf(r);
    expect(new Set(rows.map((x) => x.pid))).toEqual(new Set([pair.client.pid]));
    expect(new Set(rows.map((x) => x.comm))).toEqual(new Set(["tls-client"]));
    expect(new Set(rows.map((x) => x.library))).toEqual(new Set([LIBSSL]));
    const writes = rows.filter((x) => x.direction === "write"), reads = rows.filter((x) => x.direction === "read");
    // one sendall: one SSL_write_ex of the whole request
    expect(writes.map((x) => [x.function, x.len, x.captured, x.truncated, x.ret])).toEqual([["SSL_write_ex", 3064, 3064, false, 1]]);
    expect(bytesOf(writes)).toEqual(request(3000));
    expect(writes[0]!.text).toBe(request(3000).toString("latin1").replace(/\r/g, "\\r").replace(/\n/g, "\\n").replace(/\\(?![rn])/g, "\\\\"));
    // the response in records of at most 16 KiB, each read by one SSL_read_ex, in order
    expect(reads.every((x) => x.function === "SSL_read_ex" && x.ret === 1 && x.len === x.captured && (x.len as number) <= 16384)).toBe(true);
    expect(bytesOf(reads)).toEqual(response(50_000));
  });

  it("the server's side: it reads the request and writes the response", async () => {
    const pair = await startTlsPair(cert, 1000, 2000);
    let done: ReturnType<typeof pair.go> | undefined;
    // by name: the libssl of the processes called tls-server; the run ends when the server exits
    const r = await runDeclaration(events({ comm: "tls-server" }), { onAttached: () => { done = pair.go(); }, targetPid: pair.server.pid });
    await done!;
    const rows = rowsOf(r).filter((x) => x.pid === pair.server.pid);
    expect(bytesOf(rows.filter((x) => x.direction === "read"))).toEqual(request(1000));
    expect(bytesOf(rows.filter((x) => x.direction === "write"))).toEqual(response(2000));
    expect(new Set(rows.map((x) => x.comm))).toEqual(new Set(["tls-server"]));
  });

  it("a message larger than the cap: captured = cap, len = its real size, truncated = true", async () => {
    const pair = await startTlsPair(cert, 3000, 100);
    let done: ReturnType<typeof pair.go> | undefined;
    const r = await runDeclaration(events({ pid: pair.client.pid }, { capBytes: 1000 }), { onAttached: () => { done = pair.go(); } });
    await done!;
    const rows = rowsOf(r);
    const write = rows.find((x) => x.direction === "write")!;
    expect([write.len, write.captured, write.truncated]).toEqual([3064, 1000, true]);
    expect(Buffer.from(write.data as Uint8Array)).toEqual(request(3000).subarray(0, 1000));
    const read = rows.find((x) => x.direction === "read")!;
    expect([read.len, read.captured, read.truncated]).toEqual([response(100).length, response(100).length, false]);
    // the cap is a bound, not a mask: a message of exactly the cap is kept whole
    const n = Array.from({ length: 1000 }, (_, i) => i).find((i) => request(i).length === 1000)!; // exactly the cap
    const exact = await startTlsPair(cert, n, 100);
    let exactDone: ReturnType<typeof exact.go> | undefined;
    const r2 = await runDeclaration(events({ pid: exact.client.pid }, { capBytes: 1000 }), { onAttached: () => { exactDone = exact.go(); } });
    await exactDone!;
    const w2 = rowsOf(r2).find((x) => x.direction === "write")!;
    expect([w2.len, w2.captured, w2.truncated]).toEqual([1000, 1000, false]);
    expect(Buffer.from(w2.data as Uint8Array)).toEqual(request(n));
  });

  it("openssl s_server and s_client (SSL_read/SSL_write): each message once in each direction, with the right pid", async () => {
    const server = spawnTracked("openssl", ["s_server", "-accept", "127.0.0.1:0", "-cert", cert.cert, "-key", cert.key, "-naccept", "1"],
      { stdio: ["pipe", "pipe", "pipe"] });
    let serverOut = "", clientOut = "";
    server.stdout!.on("data", (d: Buffer) => (serverOut += d.toString()));
    const until = async (f: () => boolean) => { for (let i = 0; i < 400 && !f(); i++) await new Promise((r) => setTimeout(r, 25)); expect(f()).toBe(true); };
    await until(() => /ACCEPT 127\.0\.0\.1:\d+/.test(serverOut));
    const port = Number(/ACCEPT 127\.0\.0\.1:(\d+)/.exec(serverOut)![1]);
    const stop = new AbortController();
    let client: ReturnType<typeof spawnTracked> | undefined;
    const run = runDeclaration(events({ comm: "openssl" }), {
      signal: stop.signal, exactOnAbort: true,
      onAttached: async () => {
        client = spawnTracked("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-quiet"], { stdio: ["pipe", "pipe", "pipe"] });
        client.stdout!.on("data", (d: Buffer) => (clientOut += d.toString()));
        await new Promise((r) => setTimeout(r, 300)); // the handshake
        client.stdin!.write("hello from the client\n");
        await until(() => serverOut.includes("hello from the client"));
        server.stdin!.write("hello from the server\n");
        await until(() => clientOut.includes("hello from the server"));
        stop.abort();
      },
    });
    const r = await run;
    const rows = rowsOf(r).filter((x) => x.pid === client!.pid || x.pid === server.pid);
    const seen = (text: string) => rows.filter((x) => x.text === text).map((x) => [x.pid === client!.pid ? "client" : "server", x.direction, x.function]);
    expect(seen("hello from the client\\n").sort()).toEqual([["client", "write", "SSL_write"], ["server", "read", "SSL_read"]]);
    expect(seen("hello from the server\\n").sort()).toEqual([["client", "read", "SSL_read"], ["server", "write", "SSL_write"]]);
    expect(new Set(rows.map((x) => x.comm))).toEqual(new Set(["openssl"]));
  });

  it("a binary that links OpenSSL statically is probed through its own symbol table", async () => {
    const w = await startHeldProcess(sslWritesStatic.bin, [cert.cert, cert.key, "40", "300"]);
    const spec = plan(events({ pid: w.pid })) as TlsEventsInstance;
    expect(spec.libraries).toEqual([sslWritesStatic.bin]);
    expect(spec.target).toContain("(statically linked)");
    let done: ReturnType<typeof w.go> | undefined;
    const r = await runDeclaration(events({ pid: w.pid }), { onAttached: () => { done = w.go(); } });
    expect((await done!).code).toBe(0);
    const rows = rowsOf(r);
    expect(rows.length).toBe(40);
    expect(rows.every((x) => x.function === "SSL_write" && x.library === sslWritesStatic.bin && x.len === 300 && x.ret === 300)).toBe(true);
    rows.forEach((x, i) => expect(Buffer.from(x.data as Uint8Array)).toEqual(message(i, 300)));
  });

  it("tls({ binary }) names the file; a process in another mount namespace is probed through /proc/PID/root", async () => {
    // its libssl is a copy only its own mount namespace sees
    const dir = mkdtempSync(join(tmpdir(), "probebook-tls-ns-"));
    try {
      const script = `mount -t tmpfs pb ${dir} && cp ${LIBSSL} ${dir}/ && LD_LIBRARY_PATH=${dir} exec ${sslWrites.bin} ${cert.cert} ${cert.key} 5 64 ex`;
      const w = await startHeldProcess("unshare", ["-m", "--propagation", "private", "sh", "-c", script]);
      const spec = plan(events({ pid: w.pid })) as TlsEventsInstance;
      expect(spec.libraries).toEqual([`${dir}/libssl.so.3`]);
      expect(spec.attach.every((a) => a.kind === "uprobe" && a.binary === `/proc/${w.pid}/root${dir}/libssl.so.3`)).toBe(true);
      let done: ReturnType<typeof w.go> | undefined;
      const r = await runDeclaration(events({ pid: w.pid }), { onAttached: () => { done = w.go(); } });
      expect((await done!).code).toBe(0);
      const rows = rowsOf(r);
      expect(rows.map((x) => [x.function, x.library, x.len])).toEqual(Array(5).fill(["SSL_write_ex", `${dir}/libssl.so.3`, 64]));
      rows.forEach((x, i) => expect(Buffer.from(x.data as Uint8Array)).toEqual(message(i, 64)));
      // and the file named outright: every process that calls it
      const named = plan(events({}, { binary: LIBSSL })) as TlsEventsInstance;
      expect(named.libraries).toEqual([LIBSSL]);
      expect(named.attach.map((a) => a.kind === "uprobe" && `${a.symbol}${a.retprobe ? " ret" : ""}`)).toEqual(
        ["SSL_read", "SSL_read ret", "SSL_write", "SSL_write ret", "SSL_read_ex", "SSL_read_ex ret", "SSL_write_ex", "SSL_write_ex ret"]);
    } finally {
      spawnSync("umount", [dir]); // gone with the namespace already; harmless
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tls() aggregations", () => {
  it("sum(len) by pid and direction: the bytes each side sent and received", async () => {
    const pair = await startTlsPair(cert, 7777, 33_333);
    let done: ReturnType<typeof pair.go> | undefined;
    const decl: AggregateDeclaration = { kind: "aggregate", source: { type: "tls" }, value: { op: "sum", field: "len" },
      keys: ["pid", "comm", "direction"], filter: {}, durationMs: 20_000 };
    const stop = new AbortController();
    const r = await runDeclaration(decl, { signal: stop.signal, onAttached: () => { done = pair.go().then((x) => (stop.abort(), x)); } });
    await done!;
    const ours = rowsOf(r).filter((x) => x.pid === pair.client.pid || x.pid === pair.server.pid)
      .map((x) => [x.comm, x.direction, x.sum]).sort();
    const req = request(7777).length, res = response(33_333).length;
    expect(ours).toEqual([["tls-client", "read", res], ["tls-client", "write", req], ["tls-server", "read", req], ["tls-server", "write", res]]);
  });

  it("count by function of a loop of SSL_write_ex calls, in the kernel", async () => {
    const w = await startHeldProcess(sslWrites.bin, [cert.cert, cert.key, "500", "100", "ex"]);
    let done: ReturnType<typeof w.go> | undefined;
    const decl: AggregateDeclaration = { kind: "aggregate", source: { type: "tls" }, value: { op: "count" },
      keys: ["function", "library"], filter: { pid: w.pid }, durationMs: 20_000 };
    const stop = new AbortController();
    const r = await runDeclaration(decl, { signal: stop.signal, onAttached: () => { done = w.go().then((x) => (stop.abort(), x)); } });
    await done!;
    expect(rowsOf(r).map((x) => [x.function, x.library, x.count])).toEqual([["SSL_write_ex", LIBSSL, 500]]);
    expect(r.stats.events).toBe(500);
  });
});

describe("tls() endings", () => {
  it("an interrupted run ends cleanly with the calls it collected", async () => {
    const w = await startHeldProcess(sslWrites.bin, [cert.cert, cert.key, "2000000", "64"]);
    const stop = new AbortController();
    const run = await startDeclaration(events({ pid: w.pid }), { signal: stop.signal, exactOnAbort: true, onAttached: () => { void w.go(); } });
    await new Promise((r) => setTimeout(r, 300));
    stop.abort();
    const r = await run.done;
    expect(r.stats.stoppedBy).toBe("abort");
    expect(r.rowCount).toBeGreaterThan(100);
    expect(r.stats.dropped).toBe(0);
    const data = r.columns.data as Uint8Array[];
    const wrong = data.findIndex((d, i) => !Buffer.from(d).equals(message(i, 64)));
    expect(wrong).toBe(-1); // every call in order, none lost or repeated
    w.child.kill("SIGKILL");
  });

  it("a target that exits mid-run: the run ends with everything it sent", async () => {
    const w = await startHeldProcess(sslWrites.bin, [cert.cert, cert.key, "300", "128"]);
    let done: ReturnType<typeof w.go> | undefined;
    const r = await runDeclaration(events({ pid: w.pid }), { onAttached: () => { done = w.go(); } });
    expect((await done!).code).toBe(0);
    expect(r.stats.stoppedBy).toBe("target-exited");
    expect(r.rowCount).toBe(300);
  });
});

describe("tls() errors that teach", () => {
  it("a process with no libssl: says so, with its pid and comm", async () => {
    const w = await startHeldProcess(PYTHON, ["-c", "print('ready', flush=True); import sys; sys.stdin.readline()"]);
    const e = planError(() => plan(events({ pid: w.pid })), "NO_TLS_LIBRARY");
    expect(e.message).toContain(`pid ${w.pid} (python3) maps no OpenSSL libssl`);
  });

  it("Go's crypto/tls is detected and named", async () => {
    const w = await startHeldProcess(goLike.bin, []);
    const e = planError(() => plan(events({ pid: w.pid })), "NO_TLS_LIBRARY");
    expect(e.message).toContain(`${goLike.bin} is a Go program: Go's crypto/tls is written in Go and calls no OpenSSL function`);
    expect(e.details.elsewhere).toEqual([{ what: "Go's crypto/tls", path: goLike.bin }]);
    planError(() => plan(events({}, { binary: goLike.bin })), "NO_TLS_LIBRARY");
  });

  it("a library without the symbols: none of them is an error; without the _ex variants the plan says so", () => {
    const e = planError(() => plan(events({}, { binary: notSsl.bin })), "NO_TLS_LIBRARY");
    expect(e.message).toContain("defines none of SSL_read, SSL_write, SSL_read_ex, SSL_write_ex");
    const spec = plan(events({}, { binary: sslLike.bin })) as TlsEventsInstance;
    expect([...new Set(spec.attach.map((a) => a.kind === "uprobe" && a.symbol))]).toEqual(["SSL_read", "SSL_write"]);
    expect(spec.target).toContain("without SSL_read_ex, SSL_write_ex (an OpenSSL before 1.1.1, or BoringSSL)");
  });

  it("a process that does not exist, a file that does not exist, a cap out of range", () => {
    planError(() => plan(events({ pid: 4_000_000 })), "UNKNOWN_PROCESS");
    planError(() => plan(events({}, { binary: "/nonexistent/libssl.so.3" })), "UNKNOWN_BINARY");
    planError(() => plan(events({}, { capBytes: (1 << 20) + 1 })), "BAD_DECLARATION");
    planError(() => plan(events({ where: [{ field: "nope", op: ">", value: 1 }] })), "UNKNOWN_FIELD");
  });
});

// keep PYTHON's ssl honest: the tests above assume it is linked to the system libssl
it("Debian's python3 ssl module maps the loader's libssl", () => {
  const out = spawnSync(PYTHON, ["-c", "import ssl, sys; print(open('/proc/self/maps').read())"], { encoding: "utf8" }).stdout;
  expect(out).toContain(LIBSSL);
});
