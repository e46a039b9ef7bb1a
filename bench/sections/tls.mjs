// (issue 13) What tls() adds to one SSL_write: a loop of SSL_write calls of
// 100 bytes (floor/build/ssl-writes, the tests' workload: it times the calls
// themselves, not the drain of the other end) untraced, then traced by tls()
// as events (the bytes copied into the ring) and as an in-kernel count, and by
// bpftrace's uprobe + uretprobe on SSL_write that only count (the peer: the
// same two traps per call, the least a program can do there). Each repetition
// runs the untraced loop before and after the traced ones; a last pass with
// kernel.bpf_stats_enabled gives the programs' own run time per call.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FLOOR_BIN, LOOP_CPU, median, ROOT, rotate, run, sleep } from "../lib/procs.mjs";
import { num } from "../lib/results.mjs";
import { enableRunStats, programs } from "../lib/bpf-stats.mjs";

const SIZE = 100;

const dist = (relative) => import(pathToFileURL(join(ROOT, "dist", relative)).href);

/** ssl-writes held after its handshake: go() runs the N calls and resolves with ns per call. */
async function startWorkload(cert, calls) {
  const child = spawn("taskset", ["-c", String(LOOP_CPU), join(FLOOR_BIN, "ssl-writes"), cert.cert, cert.key, String(calls), String(SIZE)],
    { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await new Promise((resolve, reject) => {
    child.stdout.on("data", () => out.includes("ready\n") && resolve());
    exited.then((code) => reject(new Error(`ssl-writes exited (${code}) before it was ready: ${err}`)));
  });
  return {
    pid: child.pid,
    async go() {
      child.stdin.end("g");
      const code = await exited;
      if (code !== 0) throw new Error(`ssl-writes failed (${code}): ${err}`);
      return Number(out.slice(out.indexOf("ready\n") + 6).trim()) / calls;
    },
    kill: () => child.kill("SIGKILL"),
  };
}

/** BPF program ids a process holds (its fds), and how many perf events (attached uprobes). */
function heldBy(pid) {
  const progs = new Set();
  let perf = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (link === "anon_inode:[perf_event]") perf++;
    if (link !== "anon_inode:bpf-prog" && link !== "anon_inode:[perf_event]") continue;
    try {
      const m = /^prog_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"));
      if (m) progs.add(Number(m[1]));
    } catch {
      // closed meanwhile
    }
  }
  return { progs, perf };
}

/** The tracers; start(pid) resolves once attached, stop() gives the calls it saw. */
function variants(libssl) {
  const probebook = (decl, seen) => async (pid) => {
    const { startDeclaration } = await dist("runtime/runs/run.js");
    const stop = new AbortController();
    const r = await startDeclaration(decl(pid), { signal: stop.signal, exactOnAbort: true });
    return { pid: process.pid, stop: async () => { stop.abort(); return seen(await r.done); } };
  };
  return [
    { who: "events", title: "tls() events (100 B copied per call)", start: probebook(
      (pid) => ({ kind: "events", source: { type: "tls" }, filter: { pid }, durationMs: 3600_000, limit: 1e9 }),
      (r) => r.rowCount) },
    { who: "count", title: "tls().count() in the kernel", start: probebook(
      (pid) => ({ kind: "aggregate", source: { type: "tls" }, value: { op: "count" }, keys: ["function"], filter: { pid }, durationMs: 3600_000 }),
      (r) => Array.from(r.columns.count ?? []).reduce((s, c) => s + Number(c), 0)) },
    { who: "bpftrace", title: "bpftrace uprobe + uretprobe on SSL_write, counting", start: async (pid) => {
      const script = `uprobe:${libssl}:SSL_write /pid == ${pid}/ { @calls = count(); } uretprobe:${libssl}:SSL_write /pid == ${pid}/ { @returns = count(); }`;
      const child = spawn("bpftrace", ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // attached: both uprobes are perf events in its fd table (the kernel's view, not its output)
      for (let i = 0; i < 600 && heldBy(child.pid).perf < 2; i++) await sleep(50);
      if (heldBy(child.pid).perf < 2) throw new Error("bpftrace did not attach its uprobes");
      return { pid: child.pid, stop: async () => {
        child.kill("SIGINT");
        await exited;
        return Number(/^@calls: (\d+)$/m.exec(out)?.[1] ?? NaN);
      } };
    } },
  ];
}

export async function tlsOverhead({ reps, n, log }) {
  const calls = Math.max(10_000, Math.round(n / 10));
  const { loaderLibssl } = await dist("runtime/host/tls-libraries.js");
  const libssl = loaderLibssl()[0];
  if (!libssl) throw new Error("no libssl in the loader's search path");
  const dir = mkdtempSync(join(tmpdir(), "probebook-bench-tls-"));
  const cert = { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
  await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", cert.key, "-out", cert.cert, "-days", "1", "-subj", "/CN=localhost"]);
  const untraced = async () => (await startWorkload(cert, calls)).go();
  const traced = async (v) => {
    const w = await startWorkload(cert, calls);
    try {
      const t = await v.start(w.pid);
      let nsPerCall, seen;
      try {
        nsPerCall = await w.go();
      } finally {
        seen = await t.stop();
      }
      return { nsPerCall, seen };
    } finally {
      w.kill();
    }
  };
  try {
    const vs = variants(libssl);
    const samples = new Map(vs.map((v) => [v.who, { added: [], ratio: [], seen: [] }]));
    const bases = [];
    for (let rep = 0; rep < reps; rep++) {
      const pre = await untraced();
      const got = [];
      for (const v of rotate(vs, rep)) got.push([v, await traced(v)]);
      const base = (pre + (await untraced())) / 2;
      bases.push(base);
      for (const [v, r] of got) {
        const s = samples.get(v.who);
        s.added.push(r.nsPerCall - base);
        s.ratio.push(r.nsPerCall / base);
        s.seen.push(r.seen / calls);
      }
      log(`tls rep ${rep + 1}/${reps}: SSL_write ${base.toFixed(0)} ns; ` + got.map(([v, r]) => `${v.who} +${(r.nsPerCall - base).toFixed(0)}`).join(", "));
    }
    // the programs' own run time per call, with run statistics on
    const inKernel = new Map();
    const stats = await enableRunStats();
    try {
      for (const v of vs) {
        const w = await startWorkload(cert, calls);
        try {
          const t = await v.start(w.pid);
          // the run's own programs (a run before it may still be closing): per id, in both snapshots
          const before = await programs();
          const ids = [...heldBy(t.pid).progs].filter((id) => v.who === "bpftrace" || before.get(id)?.name.startsWith("pb_tls_"));
          await w.go();
          const after = await programs();
          await t.stop();
          const ns = ids.reduce((a, id) => a + ((after.get(id)?.runTimeNs ?? 0) - (before.get(id)?.runTimeNs ?? 0)), 0);
          inKernel.set(v.who, ns / calls);
        } finally {
          w.kill();
        }
      }
    } finally {
      stats.close();
    }
    const base = median(bases);
    const med = (who, f) => median(samples.get(who)[f]);
    const peer = med("bpftrace", "added");
    const rows = [{
      name: `SSL_write of ${SIZE} B, untraced`, value: num(base, 1), unit: "ns/call", floor: null, peer: null,
      target: "reference: the tls rows add to it", meetsTarget: true,
      note: `ssl-writes on CPU ${LOOP_CPU}, ${calls} calls per run, OpenSSL ${libssl}`,
    }];
    for (const v of vs.filter((x) => x.who !== "bpftrace")) {
      const added = med(v.who, "added");
      rows.push({
        name: `per-call overhead: ${v.title}`, value: num(added, 1), unit: "ns/call", floor: null, peer: num(peer, 1),
        target: "<= 1.5x bpftrace's counting uprobe + uretprobe on SSL_write (the same two traps)",
        meetsTarget: added <= 1.5 * peer,
        note: `${med(v.who, "ratio").toFixed(2)}x the untraced call; ${(added / peer).toFixed(2)}x bpftrace; calls seen/made ${med(v.who, "seen").toFixed(4)} ` +
          `(bpftrace ${med("bpftrace", "seen").toFixed(4)}); in the BPF programs (bpf_stats): ${inKernel.get(v.who)?.toFixed(0)} ns/call, ` +
          `bpftrace ${inKernel.get("bpftrace")?.toFixed(0)}`,
      });
    }
    return { rows, raw: { bases, ...Object.fromEntries(samples), inKernel: Object.fromEntries(inKernel) } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
