// tls(): the plaintext of TLS traffic at OpenSSL's SSL_read/SSL_write, on
// loopback, with workloads this test starts: exact bytes, lengths and sums.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { TlsEventsDeclaration } from "../../../runtime/spec/declaration.js";
import { runDeclaration } from "../../../runtime/runs/run.js";
import { killSpawned } from "../../support/children.js";
import { expectReleasedAfterAll } from "../../support/held-bpf.js";
import { makeCertificate, request, response, startTlsPair } from "./support/tls-workloads.js";

const cert = makeCertificate();
expectReleasedAfterAll();
afterEach(killSpawned);
afterAll(() => cert.cleanup());

function rowsOf(r: { columns: Record<string, ArrayLike<unknown>>; rowCount: number }) {
  return Array.from({ length: r.rowCount }, (_, i) => Object.fromEntries(Object.entries(r.columns).map(([k, v]) => [k, v[i]])));
}

describe("tls() events", () => {
  it("Python's ssl (SSL_write_ex/SSL_read_ex): the request and the response, exactly", async () => {
    const pair = await startTlsPair(cert, 3000, 5000);
    let done: ReturnType<typeof pair.go> | undefined;
    const decl: TlsEventsDeclaration = { kind: "events", source: { type: "tls" }, filter: { pid: pair.client.pid }, durationMs: 20_000 };
    const r = await runDeclaration(decl, { onAttached: () => { done = pair.go(); }, targetPid: pair.client.pid });
    const ends = await done!;
    expect(ends.client.code).toBe(0);
    const rows = rowsOf(r);
    console.log(rows.map((x) => ({ ...x, data: undefined, text: String(x.text).slice(0, 80) })));
    const writes = rows.filter((x) => x.direction === "write"), reads = rows.filter((x) => x.direction === "read");
    expect(Buffer.concat(writes.map((x) => x.data as Uint8Array))).toEqual(request(3000));
    expect(Buffer.concat(reads.map((x) => x.data as Uint8Array))).toEqual(response(5000));
  });
});
