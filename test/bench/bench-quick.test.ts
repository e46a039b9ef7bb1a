// The quick bench (BENCH_QUICK=1) end to end, so `npm run bench` can't rot:
// every figure is produced, against its floor and peer, with exact event
// accounting, and nothing stays loaded. Targets are not asserted here (the
// full run reports them); a shared CI machine is too noisy for ratios.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Row {
  name: string;
  value: number | null;
  unit: string;
  floor: number | null;
  peer: number | null;
  target: string;
  meetsTarget: boolean;
  note?: string;
}

const root = join(import.meta.dirname, "..", "..");
const out = mkdtempSync(join(tmpdir(), "probebook-bench-quick-"));
let run: ReturnType<typeof spawnSync>;
let rows: Row[] = [];
let raw: any;

beforeAll(() => {
  run = spawnSync("bash", ["bench/run.sh"], {
    cwd: root,
    // The test command has run setup already. tslab stays out (a dir where it is not), so
    // the suite never depends on a third-party kernel that happens to be installed.
    env: { ...process.env, BENCH_QUICK: "1", BENCH_OUT: out, BENCH_SKIP_SETUP: "1", BENCH_NO_TSLAB: "1",
      BENCH_TSLAB_DIR: join(out, "no-tslab") },
    encoding: "utf8",
    timeout: 280_000,
  });
  if (run.status === 0) {
    rows = JSON.parse(readFileSync(join(out, "results.json"), "utf8")).rows;
    raw = JSON.parse(readFileSync(join(out, "raw", "raw.json"), "utf8"));
  }
}, 300_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

const row = (prefix: string): Row => {
  const r = rows.find((x) => x.name.startsWith(prefix));
  if (!r) throw new Error(`no row starting with "${prefix}" in ${rows.map((x) => x.name).join(" | ")}`);
  return r;
};

describe("npm run bench (BENCH_QUICK=1)", () => {
  it("runs every section and prints the table", () => {
    expect(run.error).toBeUndefined();
    expect(run.status, String(run.stderr).slice(-3000)).toBe(0);
    expect(run.stdout).toContain("| figure | probebook | floor (libbpf) | peer | target | met |");
    expect(readFileSync(join(out, "results.md"), "utf8")).toContain("| figure | probebook |");
  });

  it("writes one well-formed row per figure", () => {
    for (const prefix of [
      "time to attached, warm kernel", "detach on re-run", "cell re-run", "probe cell: end of collection",
      "getppid baseline", "per-event overhead: count by key", "per-event overhead: log2 latency histogram",
      "per-event overhead: event stream", "stream throughput into typed columns, 1 producer",
      "stream throughput into typed columns, 2 producers", "drop accounting", "time to attached, cold",
      "kernel launch -> kernel_info_reply", "complete_request latency p50", "kernel RSS idle", "kernel RSS holding",
      "playground: page load -> editable editor", "playground: bundle size", "playground: keypress -> completion list shown",
      "playground: interrupt a 60 s probe -> page ready",
      "SSL_write of 100 B, untraced", "per-call overhead: tls() events", "per-call overhead: tls().count()",
    ]) row(prefix);
    for (const r of rows) {
      expect(typeof r.name).toBe("string");
      expect(typeof r.unit).toBe("string");
      expect(r.target.length).toBeGreaterThan(0);
      expect(typeof r.meetsTarget).toBe("boolean");
      if (r.value === null) expect(r.note, r.name).toMatch(/not|no /);
      else expect(Number.isFinite(r.value), r.name).toBe(true);
      if (r.value === null) expect(r.meetsTarget).toBe(false);
    }
  });

  it("measures each traced row against the libbpf floor and bpftrace in the same run", () => {
    for (const prefix of ["time to attached, warm", "per-event overhead: count", "per-event overhead: log2", "per-event overhead: event stream", "stream throughput into typed columns, 1"]) {
      const r = row(prefix);
      expect(r.floor, prefix).toBeGreaterThan(0);
      expect(r.peer, prefix).toBeGreaterThan(0);
    }
    expect(row("per-event overhead: event stream").value).toBeGreaterThan(0);
  });

  it("sees every getppid call the loop made (floor and probebook, zero drops)", () => {
    // Other processes may call getppid meanwhile: a hair over 1 is allowed, under 1 is not.
    for (const key of ["count/floor", "hist/floor", "stream/floor", "stream/probebook"]) {
      for (const ratio of raw.overhead[key].ratio) {
        expect(ratio, key).toBeGreaterThanOrEqual(1);
        expect(ratio, key).toBeLessThan(1.001);
      }
    }
    expect(raw.overhead["stream/probebook"].drops).toEqual(raw.overhead["stream/probebook"].drops.map(() => 0));
  });

  it("tls(): every SSL_write of the loop seen, as a row and as a count, against bpftrace on the same uprobes", () => {
    for (const key of ["events", "count"]) expect(raw.tls[key].seen, key).toEqual(raw.tls[key].seen.map(() => 1));
    for (const prefix of ["per-call overhead: tls() events", "per-call overhead: tls().count()"]) {
      expect(row(prefix).peer, prefix).toBeGreaterThan(0);
      expect(row(prefix).note, prefix).toMatch(/in the BPF programs \(bpf_stats\): \d+ ns\/call/);
    }
  });

  it("counts every event lost when producers outrun the ring", () => {
    const { probebook, floor } = raw.throughput.tiny;
    expect(probebook.drops).toBeGreaterThan(0);
    expect(probebook.events + probebook.drops).toBe(probebook.seen);
    expect(probebook.seen).toBeGreaterThanOrEqual(probebook.calls);
    expect(floor.events + floor.drops).toBeGreaterThanOrEqual(floor.calls);
    expect(row("drop accounting").meetsTarget).toBe(true);
  });

  it("leaves none of its floor programs loaded", () => {
    // pb_* programs are checked by scripts/check-leftovers.mjs after the whole suite:
    // on a shared machine other people's runs may hold theirs right now.
    const progs = spawnSync("bpftool", ["prog", "show"], { encoding: "utf8" }).stdout;
    expect(progs).not.toMatch(/name floor_/);
  });
});
