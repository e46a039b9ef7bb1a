// TLS workloads of the tls() tests, on loopback: a certificate made at test
// time with openssl, and tls-pair.py's client and server (Python's ssl
// module: SSL_read_ex/SSL_write_ex), each held until go().
import { execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnTracked } from "../../../support/children.js";

const here = dirname(fileURLToPath(import.meta.url));
/** Debian's interpreter: its _ssl links the system's libssl.so.3 (the pyenv one on PATH may not). */
export const PYTHON = "/usr/bin/python3";

/** A self-signed certificate for localhost, made now. */
export function makeCertificate(): { cert: string; key: string; dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "probebook-tls-"));
  const cert = join(dir, "cert.pem"), key = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost"],
    { stdio: "ignore" });
  return { cert, key, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** tls-pair.py's body(): the bytes the workload sends, to compare with. */
export function body(n: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => ((seed + i * 7) % 95) + 32));
}
export const request = (n: number) =>
  Buffer.concat([Buffer.from(`POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${n}\r\n\r\n`), body(n, 1)]);
export const response = (n: number) =>
  Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n`), body(n, 2)]);

export interface HeldProcess {
  child: ChildProcess;
  pid: number;
  /** Lines it printed before "ready". */
  lines: string[];
  /** Lets it run; resolves with its exit code and what it printed after. */
  go(): Promise<{ code: number | null; out: string }>;
  exited: Promise<{ code: number | null; out: string }>;
}

/** Starts `command args`, waits for its "ready" line, and holds it until go(). */
export async function startHeldProcess(command: string, args: string[]): Promise<HeldProcess> {
  const child = spawnTracked(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once("exit", (code) => resolve({ code, out: out.slice(out.indexOf("ready\n") + 6) })));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ready\n")) resolve();
    });
    void exited.then(({ code }) => reject(new Error(`${command} ${args.join(" ")} exited (${code}) before it was ready: ${err}`)));
  });
  return {
    child, pid: child.pid!, lines: out.slice(0, out.indexOf("ready\n")).split("\n").filter(Boolean), exited,
    go: () => {
      child.stdin!.write("go\n");
      return exited;
    },
  };
}

/** tls-pair.py's server (answers one request with `responseBytes` of body) and client (sends `requestBytes`). */
export async function startTlsPair(cert: { cert: string; key: string }, requestBytes: number, responseBytes: number) {
  const script = join(here, "tls-pair.py");
  const server = await startHeldProcess(PYTHON, [script, "server", cert.cert, cert.key, String(responseBytes)]);
  const client = await startHeldProcess(PYTHON, [script, "client", server.lines[0]!, String(requestBytes)]);
  return {
    server, client,
    /** Runs the exchange; resolves once both have exited (the client with the response's length). */
    go: async () => {
      const s = server.go();
      const c = await client.go();
      return { client: c, server: await s };
    },
  };
}
