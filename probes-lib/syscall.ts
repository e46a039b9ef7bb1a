// syscall("read"): the syscalls:sys_enter_read tracepoint, whose fields are the
// syscall's arguments by name (fd, buf, count), plus the pairing of entry and
// exit: .latency() and .returns().

import { LatencyProbe } from "./latency.js";
import { quote } from "./quote.js";
import { TracepointProbe, type TracepointState } from "./tracepoint.js";

/**
 * A probe on a system call's entry. Its fields are the syscall's arguments by
 * name, as in `/sys/kernel/tracing/events/syscalls/sys_enter_<name>/format`
 * (e.g. `fd`, `buf`, `count` for read). Without a name: every syscall
 * (`raw_syscalls:sys_enter`, fields `id` and `args`).
 *
 * @param name - the syscall, e.g. `"read"`, `"openat"`, `"getppid"`.
 * @example
 * ```ts
 * await syscall("getppid").count().by("pid").run({ for: "1s" })
 * await syscall("openat").fields("filename", "flags").events({ for: "5s" })
 * await syscall("read").latency().histogram({ for: "5s" })
 * ```
 */
export function syscall(name?: string): SyscallProbe {
  if (name === undefined) {
    return new SyscallProbe({ code: "syscall()", name: "raw_syscalls:sys_enter", filter: {}, fields: [] });
  }
  if (typeof name !== "string" || !/^[a-z0-9_]+$/.test(name)) {
    throw new TypeError(`syscall(${quote(name)}): the name must be a syscall such as "read" or "openat" (lowercase letters, digits and _)`);
  }
  return new SyscallProbe({ code: `syscall(${quote(name)})`, name: `syscalls:sys_enter_${name}`, filter: {}, fields: [] });
}

/** A syscall probe being built. Made by {@link syscall}. */
export class SyscallProbe extends TracepointProbe {
  /** @internal use {@link syscall} */
  constructor(state: TracepointState) {
    super(state);
  }

  /**
   * The syscall's name, or undefined for every syscall.
   *
   * @example
   * ```ts
   * syscall("openat").syscall  // "openat"
   * syscall().syscall          // undefined
   * ```
   */
  get syscall(): string | undefined {
    return this.state.name.startsWith("syscalls:sys_enter_") ? this.state.name.slice("syscalls:sys_enter_".length) : undefined;
  }

  /**
   * The time from the syscall's entry to its exit, per thread, measured in the
   * kernel. Filters set with `.where()` apply to the entry. Shape it with
   * `.histogram()`, `.stats()`, … or get slow calls with `.events({ over })`.
   *
   * @example
   * ```ts
   * await syscall("read").latency().by("comm").histogram({ for: "10s" })
   * ```
   */
  latency(): LatencyProbe {
    if (this.state.fields.length > 0 || this.state.limit !== undefined) {
      throw new TypeError(`${this.code}.latency(): .fields() and .limit() are for events; a latency's columns are its keys (.by(...)) and values`);
    }
    const name = this.syscall;
    return new LatencyProbe({
      code: `${this.code}.latency()`,
      pair: name === undefined ? { type: "syscall" } : { type: "syscall", name },
      filter: { ...this.state.filter },
      keys: [],
    });
  }

  /**
   * The syscall's exit (`syscalls:sys_exit_<name>`, field `ret`: the return
   * value), with the same filters.
   *
   * @example
   * ```ts
   * await syscall("openat").returns().where({ ret: { lt: 0 } }).count().by("comm").run({ for: "5s" })
   * ```
   */
  returns(): TracepointProbe {
    const exit = this.syscall === undefined ? "raw_syscalls:sys_exit" : `syscalls:sys_exit_${this.syscall}`;
    return new TracepointProbe({ ...this.state, name: exit, code: `${this.code}.returns()` });
  }
}
