// The named setups of the examples: a few names an example may use without
// defining them, where the shorter form reads better. README.md ("Examples")
// lists them, so the reader knows what they stand for; the doctest runner puts
// a setup's code before every example that uses its name without declaring it.

export interface Setup {
  /** What README.md says the name is. */
  means: string;
  code: string;
}

export const SETUPS: Record<string, Setup> = {
  libc: {
    means: 'the path of the C library, "/usr/lib/x86_64-linux-gnu/libc.so.6" (Debian\'s, on x86-64)',
    code: 'const libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";',
  },
  opens: {
    means: "the files opened on the machine: an events table of openat(2) with filename and flags",
    code: 'const opens = await tracepoint("syscalls:sys_enter_openat").fields("filename", "flags").events({ for: "2s" });',
  },
};
