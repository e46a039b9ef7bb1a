// tls() from a cell through the real kernel path: the builder, the table's
// binary and boolean columns across the sandbox, an aggregation keyed by
// names, and the errors as the cell sees them.
import { afterAll, afterEach, expect, test } from "vitest";
import { killSpawned, spawnTracked } from "../support/children.js";
import { cellPrinted, realRunner, withSession } from "./fixtures/real-runner.js";
import { recordingContext } from "./fixtures/recording-context.js";
import { makeCertificate, request, response, startTlsPair } from "./runs/support/tls-workloads.js";

const cert = makeCertificate();
afterEach(killSpawned);
afterAll(() => cert.cleanup());

test("tls().events(): direction, len, captured, truncated, text and the bytes as a Uint8Array", async () => {
  const pair = await startTlsPair(cert, 500, 40);
  const out = await cellPrinted([
    `const t = await tls({ cap: 100 }).where({ pid: ${pair.client.pid} }).events({ for: "10s" });`,
    `const w = t.filter((d) => d.direction === "write").object(0), r = t.filter((d) => d.direction === "read").object(0);`,
    `console.log(JSON.stringify({ rows: t.numRows(), w: [w.len, w.captured, w.truncated, w.data instanceof Uint8Array, w.data.length, w.function, w.comm],`,
    `  r: [r.len, r.truncated, r.text], first: Array.from(w.data.slice(0, 4)) }))`,
  ].join("\n"), { onAttached: async () => void (await pair.go()) });
  const res = response(40);
  expect(out).toEqual({
    rows: 2,
    w: [request(500).length, 100, true, true, 100, "SSL_write_ex", "tls-client"],
    r: [res.length, false, res.toString("latin1").replace(/\r/g, "\\r").replace(/\n/g, "\\n")],
    first: [...request(500).subarray(0, 4)],
  });
}, 60_000);

test("a tls table as the notebook shows it: the text, and the bytes as their first bytes in hex and their size", async () => {
  const pair = await startTlsPair(cert, 500, 40);
  const shown = await withSession(realRunner(async () => void (await pair.go())), async (session) => {
    const outcome = await session.execute(`await tls({ cap: 100 }).where({ pid: ${pair.client.pid} }).events({ for: "10s" })`, recordingContext(1));
    return String((outcome as { result?: { data: Record<string, unknown> } }).result?.data["text/plain"]);
  });
  expect(shown).toContain("POST /upload HTTP/1.1\\r\\nHost");
  expect(shown).toContain(`${request(500).subarray(0, 12).toString("hex")}… (100 B)`);
  expect(shown).toContain(`${response(40).subarray(0, 12).toString("hex")}… (${response(40).length} B)`);
}, 60_000);

test("tls().sum(\"len\").by(\"comm\", \"direction\"): the bytes each side moved, keys as names", async () => {
  const pair = await startTlsPair(cert, 1234, 4321);
  const out = await cellPrinted([
    `const s = await tls().sum("len").by("pid", "comm", "direction").run({ for: "3s" });`,
    `console.log(JSON.stringify(s.filter(aq.escape((d) => [${pair.client.pid}, ${pair.server.pid}].includes(d.pid))).select("comm", "direction", "sum").orderby("comm", "direction").objects()))`,
  ].join("\n"), { onAttached: async () => void (await pair.go()) });
  const req = request(1234).length, res = response(4321).length;
  expect(out).toEqual([
    { comm: "tls-client", direction: "read", sum: res }, { comm: "tls-client", direction: "write", sum: req },
    { comm: "tls-server", direction: "read", sum: req }, { comm: "tls-server", direction: "write", sum: res },
  ]);
}, 60_000);

test("errors as the cell sees them: a process without libssl, a bad option", async () => {
  const sleeper = spawnTracked("sleep", ["30"], { stdio: "ignore" });
  expect(await cellPrinted(`try { await tls().where({ pid: ${sleeper.pid} }).events({ for: "1s" }) } catch (e) { console.log(JSON.stringify([e.code, e.message])) }`))
    .toEqual(["NO_TLS_LIBRARY", `tls: pid ${sleeper.pid} (sleep) maps no OpenSSL libssl and does not link OpenSSL statically. Is it using TLS at all? ` +
      "A program that loads libssl later (dlopen) has it in /proc/PID/maps only from then on; tls({ binary }) names a library outright."]);
  expect(await cellPrinted(`tls({ cap: 0 })`)).toEqual({ error: "RangeError: tls({\"cap\":0}): cap must be a whole number of bytes from 1 to 1048576, not 0" });
}, 60_000);
