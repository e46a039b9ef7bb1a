// The named setups of the examples: a few names an example may use without
// defining them, where the shorter form reads better. README.md ("Examples
// that run") lists each with its value (a test checks that it does); the
// doctest runner puts a setup's code before every example that uses its name
// without declaring it.

export interface Setup {
  /** `const name = value;`: the value is what README.md shows. */
  code: string;
}

export const SETUPS: Record<string, Setup> = {
  libc: { code: 'const libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";' },
  opens: { code: 'const opens = await tracepoint("syscalls:sys_enter_openat").fields("filename", "flags").events({ for: "2s" });' },
};
