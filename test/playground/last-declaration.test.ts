// Which expression the explain() panel explains after a run.
import { describe, expect, it } from "vitest";
import { lastDeclaration } from "../../playground/src/last-declaration.js";

describe("lastDeclaration", () => {
  it("takes the last probe chain, without the method that runs it", () => {
    expect(lastDeclaration('const t = await tracepoint("sched:sched_switch").where({ pid: 1 }).fields("prev_pid").events({ for: "1s" });')).toBe(
      'tracepoint("sched:sched_switch").where({ pid: 1 }).fields("prev_pid")',
    );
    expect(lastDeclaration('await syscall("read").count().by("comm").run({ for: "1s" })\nconst u = uprobe("/bin/x", "f")\n  .latency()\n  .histogram()')).toBe(
      'uprobe("/bin/x", "f")\n  .latency()\n  .histogram()',
    );
  });

  it("skips strings with brackets in them, and ignores calls of the same name on other objects", () => {
    expect(lastDeclaration('tracepoint("a:b").where({ comm: ")(" }).count(); x.tracepoint("c:d")')).toBe('tracepoint("a:b").where({ comm: ")(" }).count()');
  });

  it("finds nothing in a cell without a probe", () => {
    expect(lastDeclaration("aq.table({ x: [1, 2] })")).toBeUndefined();
    expect(lastDeclaration('tracepoint("unclosed"')).toBeUndefined();
  });
});
