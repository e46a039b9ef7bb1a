// What a cell writes: tracepoint(...).columns(..., "kstack"/"ustack") and
// .count().by("ustack") through the real sandbox and the real kernel, on the
// stack-calls workload (one uniquely named function calls getppid).
import { expect, test } from "vitest";
import { workloadFile } from "../support/workload-file.js";
import { printed, realRunner, withSession } from "./fixtures/real-runner.js";
import { recordingContext } from "./fixtures/recording-context.js";

const calls = workloadFile("stack-calls", { flags: ["-O0", "-fno-omit-frame-pointer"], sandbox: true });

const MARKER = "probebook_stack_marker";

test(".columns(\"time_ns\", \"pid\", \"kstack\", \"ustack\") gives every event its stacks as folded text", async () => {
  const stepper = await calls.stepper();
  await withSession(realRunner(() => stepper.step("p 120")), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const t = await tracepoint("syscalls:sys_enter_getppid").where({ pid: ${stepper.pid} }).columns("time_ns", "pid", "kstack", "ustack").events({ for: "200ms" });`,
      `console.log(JSON.stringify({ names: t.columnNames(), rows: t.numRows(), inner: [...new Set(t.array("ustack").map((s) => s.split(";").at(-1)))],`,
      `  kernel: t.array("kstack").every((s) => /entry_SYSCALL|do_syscall_64/.test(s)) }))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual({ names: ["time_ns", "time", "pid", "kstack", "ustack"], rows: 120, inner: [MARKER], kernel: true });
  });
}, 60_000);

test(".count().by(\"ustack\") counts every call in one row whose stack ends in the calling function", async () => {
  const stepper = await calls.stepper();
  await withSession(realRunner(() => stepper.step("p 120")), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const t = await tracepoint("syscalls:sys_enter_getppid").where({ pid: ${stepper.pid} }).count().by("ustack").run({ for: "200ms" });`,
      `console.log(JSON.stringify(t.objects().map((r) => ({ ...r, ustack: r.ustack.split(";").at(-1) }))))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual([{ ustack: MARKER, pid: stepper.pid, count: 120 }]);
  });
}, 60_000);
