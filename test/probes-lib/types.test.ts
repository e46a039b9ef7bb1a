// Invalid combinations fail to compile: each snippet is type-checked with the
// TypeScript compiler against probes-lib, as a cell would be by the language
// service. The valid ones must compile cleanly.
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";

const root = join(import.meta.dirname, "../..");
const header = `import { tracepoint, syscall, uprobe, uretprobe, usdt, kprobe, kretprobe, fentry, profile, tcp, block, runqueue, explain } from "./probes-lib/index.js";\nconst libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";\n`;

/** Type errors of each snippet, checked in one program. */
function check(snippets: string[]): string[][] {
  const files = new Map(snippets.map((s, i) => [join(root, `__types_${i}__.ts`), `${header}export async function cell() {\n${s}\n}\n`]));
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => files.get(f) ?? read(f);
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => files.has(f) || exists(f);
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang) => (files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang) : getSource(f, lang));
  const program = ts.createProgram([...files.keys()], options, host);
  return [...files.keys()].map((f) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")));
}

describe("types", () => {
  test("valid combinations compile, invalid ones do not", () => {
    const valid = [
      `await syscall("read").latency().by("comm").histogram({ for: "10s" });`,
      `const run = tracepoint("sched:sched_switch").count().by("cpu").every("1s").start(); await run.stop();`,
      `await tracepoint("kmem:kmalloc").histogram("bytes_req", { linear: { min: 0, max: 1024, step: 64 }, for: "1s" });`,
      `await explain(syscall("read").latency().histogram());`,
      `await uretprobe(libc, "getpid").returns("r", "int").events({ for: "1s" });`,
      `await kretprobe("do_sys_openat2").arg("filename", 1, "string").returns("fd", "int").events({ for: "1s" });`,
      `await uprobe(libc, "lldiv").where({ pid: 1 }).latency().by("comm").histogram({ for: "1s" }); await kprobe("vfs_read").latency().stats({ for: "1s" }); await fentry("vfs_read").latency().events({ over: "1ms", for: "1s" });`,
      `await usdt(libc, "libc", "setjmp").arg("env", 0, "pointer").limit(5).events({ for: "1s" }); await kretprobe("vfs_read").where({ pid: 1 }).returns("n").events({ for: "1s" });`,
      `await uprobe(libc, "malloc").arg("size", 0, "ulong").where({ comm: "x", size: { gt: 64 } }).histogram("size", { for: "1s" });`,
      `await uretprobe(libc, "getpid").returns("r", "int").where({ r: { lt: 0 } }).count().by("comm", "kstack").run({ for: "1s" });`,
      `await usdt(libc, "libc", "setjmp").arg("v", 0).sum("v").every("100ms").run({ for: "1s" }); await tcp().count().by("new_state").run({ for: "1s" });`,
      `await kprobe("vfs_read").where({ comm: "x" }).count().by("kstack").run({ for: "1s" });`,
      `await block().events({ over: "1ms", for: "1s" }); await runqueue().by("comm").stats({ for: "1s" }); await profile({ hz: 99 }).run({ for: "1s" }); await tcp().events({ for: "1s" });`,
    ];
    const invalid: [string, RegExp][] = [
      [`tracepoint("sched:sched_switch").histogram();`, /Expected 1-2 arguments, but got 0/],
      [`tracepoint("sched:sched_switch").every("1s");`, /Property 'every' does not exist on type 'TracepointProbe'/],
      [`tracepoint("sched:sched_switch").events({ for: "1s" }).then((t) => t); syscall("read").count().limit(5);`, /Property 'limit' does not exist on type 'AggregationProbe'/],
      [`tracepoint("sched:sched_switch").latency();`, /Property 'latency' does not exist on type 'TracepointProbe'/],
      [`uprobe(libc, "malloc").count().limit(5);`, /Property 'limit' does not exist on type 'AggregationProbe'/],
      [`tcp().count().events({ for: "1s" });`, /Property 'events' does not exist on type 'AggregationProbe'/],
      [`uprobe(libc, "malloc").count().latency();`, /Property 'latency' does not exist on type 'AggregationProbe'/],
      [`syscall("read").latency().sum("count");`, /Expected 0-1 arguments, but got 1|has no properties in common|not assignable/],
      [`await syscall("read").count().events({ for: "1s" });`, /Property 'events' does not exist on type 'AggregationProbe'/],
      [`syscall("read").histogram("count", { linear: { min: 0, max: 10 } });`, /Property 'step' is missing/],
      [`profile({ hz: 99 }).every("1s");`, /Property 'every' does not exist on type 'ProfileProbe'/],
      [`uretprobe(libc, "getpid").latency();`, /The 'this' context of type 'FunctionProbe<"return">' is not assignable to method's 'this' of type 'FunctionProbe<"entry">'/],
      [`kretprobe("vfs_read").where({ pid: 1 }).latency();`, /The 'this' context of type 'FunctionProbe<"return">' is not assignable/],
      [`usdt(libc, "libc", "setjmp").latency();`, /The 'this' context of type 'FunctionProbe<"usdt">' is not assignable/],
      [`uprobe(libc, "getpid").limit(3).returns("r");`, /The 'this' context of type 'FunctionProbe<"entry">' is not assignable to method's 'this' of type 'FunctionProbe<"return">'/],
    ];
    const results = check([...valid, ...invalid.map(([s]) => s)]);
    expect(results.slice(0, valid.length)).toEqual(valid.map(() => []));
    invalid.forEach(([snippet, message], i) => {
      const errors = results[valid.length + i]!;
      expect(errors.length, snippet).toBeGreaterThan(0);
      expect(errors.join("\n"), snippet).toMatch(message);
    });
  }, 60_000);
});
