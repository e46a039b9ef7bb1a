// The planner is pure given a tracefs: formats are parsed, declarations
// validated with errors for people, and mapped onto tp_events instances.
import { describe, expect, it } from "vitest";
import type { EventsDeclaration } from "../../../runtime/spec/declaration.js";
import { PlanError } from "../../../runtime/spec/errors.js";
import { thrown } from "../../support/thrown.js";
import { plan } from "../../../runtime/planner/plan.js";
import type { TracefsSource } from "../../../runtime/host/tracefs.js";
import { parseFieldDeclaration, parseFormat, readFormat } from "../../../runtime/host/tracefs.js";

const OPENAT = `name: sys_enter_openat
ID: 782
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
	field:int dfd;	offset:16;	size:8;	signed:0;
	field:const char * filename;	offset:24;	size:8;	signed:0;
	field:int flags;	offset:32;	size:8;	signed:0;
	field:umode_t mode;	offset:40;	size:8;	signed:0;

print fmt: "dfd: 0x%08lx, filename: 0x%08lx, flags: 0x%08lx, mode: 0x%08lx", ((unsigned long)(REC->dfd))
`;

const EXEC = `name: sched_process_exec
ID: 365
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:__data_loc char[] filename;	offset:8;	size:4;	signed:0;
	field:pid_t pid;	offset:12;	size:4;	signed:1;
	field:pid_t old_pid;	offset:16;	size:4;	signed:1;
`;

const SWITCH = `name: sched_switch
ID: 372
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;

	field:char prev_comm[16];	offset:8;	size:16;	signed:0;
	field:pid_t prev_pid;	offset:24;	size:4;	signed:1;
	field:long prev_state;	offset:32;	size:8;	signed:1;
	field:void * skb;	offset:40;	size:8;	signed:0;
	field:__u8 saddr[4];	offset:48;	size:4;	signed:0;
	field:unsigned long args[2];	offset:56;	size:16;	signed:0;
	field:__data_loc unsigned long[] stack;	offset:72;	size:4;	signed:0;
`;

/** A tracefs with a handful of events, so messages are exact and kernel-independent. */
const fakeTracefs: TracefsSource = {
  list: () => [
    "sched:sched_process_exec", "sched:sched_switch", "sched:sched_wakeup", "syscalls:sys_enter_open",
    "syscalls:sys_enter_openat", "syscalls:sys_enter_openat2", "syscalls:sys_exit_openat",
  ],
  format: (c, e) => ({ "syscalls:sys_enter_openat": OPENAT, "sched:sched_process_exec": EXEC,
    "sched:sched_switch": SWITCH } as Record<string, string>)[`${c}:${e}`],
};

function decl(name: string, extra: Partial<EventsDeclaration> = {}): EventsDeclaration {
  return { kind: "events", source: { type: "tracepoint", name }, fields: [], filter: {}, durationMs: 1000, ...extra };
}

const planError = (d: EventsDeclaration) => thrown(() => plan(d, { tracefs: fakeTracefs }), PlanError);

describe("tracefs format parsing", () => {
  it("types every field of sys_enter_openat and skips common_*", () => {
    const f = parseFormat(OPENAT, "syscalls", "sys_enter_openat");
    expect(f.id).toBe(782);
    expect(f.fields.map((x) => [x.name, x.cType, x.offset, x.size, x.signed])).toEqual([
      ["__syscall_nr", "int", 8, 4, true],
      ["dfd", "int", 16, 8, false],
      ["filename", "const char *", 24, 8, false],
      ["flags", "int", 32, 8, false],
      ["mode", "umode_t", 40, 8, false],
    ]);
    expect(f.fields[2]).toMatchObject({ isPointer: true, stringPointer: "user", isArray: false, isDataLoc: false });
  });

  it("recognises arrays, __data_loc, __rel_loc and kernel pointers", () => {
    expect(parseFieldDeclaration("char prev_comm[16]", "sched")).toMatchObject(
      { name: "prev_comm", cType: "char[16]", baseType: "char", isArray: true, arrayLength: 16 });
    expect(parseFieldDeclaration("__data_loc char[] filename", "sched")).toMatchObject(
      { name: "filename", cType: "__data_loc char[]", baseType: "char", isDataLoc: true, isRelLoc: false });
    expect(parseFieldDeclaration("__rel_loc char[] name", "x")).toMatchObject({ name: "name", isRelLoc: true });
    expect(parseFieldDeclaration("__u8 saddr[sizeof(struct sockaddr_in6)]", "sock")).toMatchObject(
      { name: "saddr", isArray: true, baseType: "__u8" });
    expect(parseFieldDeclaration("__u8 saddr[sizeof(struct sockaddr_in6)]", "sock").arrayLength).toBeUndefined();
    expect(parseFieldDeclaration("const char *name", "irq")).toMatchObject(
      { name: "name", cType: "const char *", isPointer: true, stringPointer: "kernel" });
    expect(parseFieldDeclaration("const void * skbaddr", "net")).toMatchObject(
      { name: "skbaddr", isPointer: true });
    expect(parseFieldDeclaration("const void * skbaddr", "net").stringPointer).toBeUndefined();
  });

  it("reads the running kernel's formats", () => {
    const f = readFormat("syscalls:sys_enter_openat")!;
    expect(f.fields.map((x) => x.name)).toEqual(["__syscall_nr", "dfd", "filename", "flags", "mode"]);
    expect(readFormat("syscalls:sys_enter_nope")).toBeUndefined();
    expect(readFormat("../../etc:passwd")).toBeUndefined();
  });
});

describe("plan() errors", () => {
  it("names an unknown tracepoint and lists the closest names", () => {
    const e = planError(decl("syscalls:sys_enter_opnat"));
    expect(e.code).toBe("UNKNOWN_TRACEPOINT");
    // by edit distance: 1, 2, 3, 3 (then shorter first)
    expect(e.message).toBe('Unknown tracepoint "syscalls:sys_enter_opnat". Closest: syscalls:sys_enter_openat, ' +
      "syscalls:sys_enter_openat2, syscalls:sys_enter_open, syscalls:sys_exit_openat.");
    expect(e.details.suggestions).toEqual(["syscalls:sys_enter_openat", "syscalls:sys_enter_openat2",
      "syscalls:sys_enter_open", "syscalls:sys_exit_openat"]);
  });

  it("explains the category:event shape when the category is missing", () => {
    expect(planError(decl("sched_swich")).message).toBe('Unknown tracepoint "sched_swich". Tracepoint names ' +
      'are "category:event", e.g. "syscalls:sys_enter_openat". Closest: sched:sched_switch.');
    expect(planError(decl("openat")).message).toBe('Unknown tracepoint "openat". Tracepoint names are ' +
      '"category:event", e.g. "syscalls:sys_enter_openat". Closest: syscalls:sys_exit_openat, ' +
      "syscalls:sys_enter_openat, syscalls:sys_enter_openat2.");
  });

  it("says when nothing is close", () => {
    expect(planError(decl("block:bio_queue")).message).toBe('Unknown tracepoint "block:bio_queue". None is ' +
      "close; the full list is in /sys/kernel/tracing/available_events.");
  });

  it("suggests from the running kernel's list too", () => {
    let e: PlanError | undefined;
    try {
      plan(decl("syscalls:sys_enter_opnat"));
    } catch (x) {
      e = x as PlanError;
    }
    expect((e!.details.suggestions as string[])[0]).toBe("syscalls:sys_enter_openat");
  });

  it("lists the real fields with their types for an unknown field", () => {
    const e = planError(decl("syscalls:sys_enter_openat", { fields: ["fname"] }));
    expect(e.code).toBe("UNKNOWN_FIELD");
    expect(e.message).toBe('Tracepoint syscalls:sys_enter_openat has no field "fname". Its fields: ' +
      "__syscall_nr (int), dfd (int), filename (const char *), flags (int), mode (umode_t).");
    expect(planError(decl("syscalls:sys_enter_openat", { fields: ["filenme"] })).message).toBe(
      'Tracepoint syscalls:sys_enter_openat has no field "filenme". Did you mean "filename"? Its fields: ' +
      "__syscall_nr (int), dfd (int), filename (const char *), flags (int), mode (umode_t).");
  });

  it("refuses a field the template cannot copy, saying why", () => {
    const e = planError(decl("sched:sched_switch", { fields: ["stack"] }));
    expect(e.code).toBe("UNSUPPORTED_FIELD");
    expect(e.message).toBe("Field stack (__data_loc unsigned long[]) of sched:sched_switch: dynamic arrays of " +
      "unsigned long (__data_loc unsigned long[]) are not supported yet; dynamic strings are.");
  });

  it("checks pid, duration, limit and filters", () => {
    expect(planError(decl("syscalls:sys_enter_openat", { filter: { pid: -3 } })).message).toBe(
      "filter.pid must be a process id (a whole number from 1 to 4194304), got -3");
    expect(planError(decl("syscalls:sys_enter_openat", { filter: { pid: 1.5 } })).code).toBe("BAD_DECLARATION");
    expect(planError(decl("syscalls:sys_enter_openat", { durationMs: 0 })).message).toBe(
      "the duration must be a positive number of milliseconds up to 24 h, got 0");
    expect(planError(decl("syscalls:sys_enter_openat", { limit: 0 })).message).toBe(
      "limit must be a positive whole number of rows, got 0");
    const f = planError(decl("syscalls:sys_enter_openat", { filter: { port: 80 } as never }));
    expect(f.code).toBe("UNSUPPORTED_FILTER");
    expect(f.message).toBe(
      "filter.port is not supported by the events of syscalls:sys_enter_openat (supported: pid, tid, comm, uid, cgroup, where, sample)");
    const w = planError(decl("syscalls:sys_enter_openat", { filter: { where: [{ field: "flag", op: "==", value: 1 }] } }));
    expect(w.code).toBe("UNKNOWN_FIELD");
    expect(w.message).toMatch(/^filter.where\[0\]: tracepoint syscalls:sys_enter_openat has no field "flag". Did you mean "flags"\?/);
    expect(planError(decl("syscalls:sys_enter_openat", { filter: { comm: "a-name-longer-than-15" } })).message).toBe(
      'filter.comm must be a command name of 1 to 15 bytes (the kernel keeps no more), got "a-name-longer-than-15"');
    // the registry sends an events declaration to the template of its source: uprobes to uprobe_events
    expect(planError({ ...decl("x:y"), source: { type: "uprobe", name: "x" } as never }).message).toBe(
      'uprobe: binary must be an absolute path such as "/usr/lib/x86_64-linux-gnu/libc.so.6", got undefined');
    expect(planError({ ...decl("x:y"), kind: "nope" } as never).message).toBe(
      'unknown declaration kind "nope" (known: "events", "aggregate", "latency", "profile", "tcp")');
  });
});

describe("plan() instances", () => {
  it("maps sys_enter_openat onto tp_events: user string, syscall ints narrowed to their C types", () => {
    const p = plan(decl("syscalls:sys_enter_openat", { fields: ["filename", "dfd", "mode"], filter: { pid: 42 } }),
      { tracefs: fakeTracefs, pidNamespace: { dev: 0, ino: 0 } });
    expect(p.template).toBe("tp_events");
    expect(p.object).toBe("bpf/build/tp_events.bpf.o"); // relative to the package root: the loader resolves it
    expect(p.program).toBe("pb_tp_events");
    expect(p.attach).toEqual([{ kind: "tracepoint", program: "pb_tp_events", category: "syscalls", event: "sys_enter_openat" }]);
    expect(p.rodata.cfg).toEqual({
      event_size: 320,
      nfields: 3,
      wakeup_bytes: 2097152,
      // every common column by default: struct pb_event_header's own layout
      header: { ts_ns: 0, cgroup_id: 8, cpu: 16, pid: 20, tid: 24, uid: 28, gid: 32, comm: 36 },
      filter: {
        tgid: 42, tid: 0, uid: 0, has_uid: 0, has_comm: 0, npreds: 0, unfiltered: 0, cgroup_id: 0n, sample_every: 0,
        pidns_dev: 0, pidns_ino: 0, comm: "", preds: [],
      },
      fields: [
        { src_off: 24, size: 8, dst_off: 56, max_len: 256, kind: "TP_FIELD_USER_STR" },
        { src_off: 16, size: 4, dst_off: 312, max_len: 0, kind: "TP_FIELD_INT" },
        { src_off: 40, size: 2, dst_off: 316, max_len: 0, kind: "TP_FIELD_INT" },
      ],
    });
    expect(p.maps).toEqual({ pb_events: { maxEntries: 8388608 } }); // 16 384 records
    expect(p.ring).toEqual({ map: "pb_events", recordSize: 320, pollMs: 20, batchRows: 4096 });
    expect(p.columns.map((c) => `${c.name}:${c.kind}@${c.offset}${c.length ? `/${c.length}` : ""}=${c.type}`)).toEqual([
      "time_ns:u64_f64@0=float64", "cpu:u32@16=uint32", "pid:u32@20=uint32", "tid:u32@24=uint32",
      "uid:u32@28=uint32", "gid:u32@32=uint32", "cgroup:u64_f64@8=float64", "comm:cstring@36/16=string",
      "filename:cstring@56/256=string", "dfd:s32@312=int32", "mode:u16@316=uint16",
    ]);
    // plain data (cgroup ids are 64-bit: bigint)
    const bigints = (_k: string, v: unknown) => (typeof v === "bigint" ? { bigint: String(v) } : v);
    const revive = (_k: string, v: unknown) => (v && typeof v === "object" && "bigint" in v ? BigInt((v as { bigint: string }).bigint) : v);
    expect(JSON.parse(JSON.stringify(p, bigints), revive)).toEqual(p);
  });

  it("records only the common columns a declaration keeps, packed in the header's order", () => {
    const p = plan(decl("syscalls:sys_enter_openat", { fields: ["dfd"], columns: ["pid", "time_ns", "cpu"] }),
      { tracefs: fakeTracefs, pidNamespace: { dev: 0, ino: 0 } });
    // time (8 bytes), then cpu and pid: a 16-byte header, as a hand-written 3-field record
    expect(p.rodata.cfg.header).toEqual(
      { ts_ns: 0, cgroup_id: 0xffff, cpu: 8, pid: 12, tid: 0xffff, uid: 0xffff, gid: 0xffff, comm: 0xffff });
    expect(p.rodata.cfg.fields).toEqual([{ src_off: 16, size: 4, dst_off: 16, max_len: 0, kind: "TP_FIELD_INT" }]);
    expect(p.rodata.cfg.event_size).toBe(24);
    expect(p.ring.recordSize).toBe(24);
    expect(p.columns.map((c) => `${c.name}:${c.kind}@${c.offset}`)).toEqual(
      ["time_ns:u64_f64@0", "cpu:u32@8", "pid:u32@12", "dfd:s32@16"]);
    const lean = plan(decl("syscalls:sys_enter_openat", { fields: ["dfd"], columns: ["comm"] }), { tracefs: fakeTracefs });
    expect(lean.columns.map((c) => `${c.name}@${c.offset}`)).toEqual(["comm@0", "dfd@16"]);
    const none = plan(decl("syscalls:sys_enter_openat", { fields: ["dfd"], columns: [] }), { tracefs: fakeTracefs });
    expect(none.columns.map((c) => `${c.name}@${c.offset}`)).toEqual(["dfd@0"]);
    expect(none.rodata.cfg.event_size).toBe(8);
    expect(planError(decl("syscalls:sys_enter_openat", { columns: ["time"] })).message).toBe(
      '"time" is not a common column. Did you mean "time_ns"? Common columns: time_ns, cpu, pid, tid, uid, gid, cgroup, comm ' +
        "(tracepoint fields go in fields).");
  });

  it("puts pids in the given pid namespace", () => {
    const p = plan(decl("syscalls:sys_enter_openat", { filter: { pid: 7 } }),
      { tracefs: fakeTracefs, pidNamespace: { dev: 4, ino: 4026532178 } });
    expect(p.rodata.cfg.filter).toMatchObject({ tgid: 7, pidns_dev: 4, pidns_ino: 4026532178 });
  });

  it("plans every filter clause into the kernel's struct pb_filter", () => {
    const p = plan(decl("syscalls:sys_enter_openat", {
      filter: { pid: 7, tid: 8, uid: 0, cgroup: 1234, comm: "cat", sample: 3,
        where: [{ field: "flags", op: "&", value: "0x80000" }, { field: "dfd", op: "<", value: -50 }] },
    }), { tracefs: fakeTracefs, pidNamespace: { dev: 0, ino: 0 } });
    expect(p.rodata.cfg.filter).toEqual({
      tgid: 7, tid: 8, uid: 0, has_uid: 1, has_comm: 1, npreds: 2, unfiltered: 0, cgroup_id: 1234n, sample_every: 3,
      pidns_dev: 0, pidns_ino: 0, comm: "cat",
      preds: [
        { value: 0x80000n, src_off: 32, size: 4, is_signed: 1, op: "PB_PRED_MASK" },
        { value: BigInt.asUintN(64, -50n), src_off: 16, size: 4, is_signed: 1, op: "PB_PRED_LT" },
      ],
    });
  });

  it("takes every supported field by default, prefixing names that clash with common columns", () => {
    const p = plan(decl("sched:sched_process_exec"), { tracefs: fakeTracefs });
    expect(p.columns.slice(8).map((c) => `${c.name}:${c.kind}`)).toEqual(
      ["filename:cstring", "tp_pid:s32", "old_pid:s32"]);
    expect(p.rodata.cfg.fields[0]).toEqual({ src_off: 8, size: 4, dst_off: 56, max_len: 256, kind: "TP_FIELD_DATA_LOC" });
  });

  it("shapes arrays, pointers and 64-bit integers, and reports what it skipped", () => {
    const p = plan(decl("sched:sched_switch"), { tracefs: fakeTracefs });
    expect(p.columns.slice(8).map((c) => `${c.name}:${c.kind}=${c.type}`)).toEqual([
      "prev_comm:cstring=string", "prev_pid:s32=int32", "prev_state:s64_f64=float64", "skb:u64=biguint64",
      "saddr:hex=string", "args_0:u64_f64=float64", "args_1:u64_f64=float64",
    ]);
    expect(p.skippedFields).toEqual([{ name: "stack", cType: "__data_loc unsigned long[]",
      reason: "dynamic arrays of unsigned long (__data_loc unsigned long[]) are not supported yet; dynamic strings are" }]);
  });
});
