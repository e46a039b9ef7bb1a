// The names of the sandbox's own globals (the exports of prelude/globals.ts).
// The language service needs them without loading the prelude in the host; a
// test checks this list against the prelude the sandbox actually runs.

export const SANDBOX_GLOBALS = [
  "aq",
  "tracepoint",
  "syscall",
  "uprobe",
  "uretprobe",
  "usdt",
  "kprobe",
  "kretprobe",
  "fentry",
  "profile",
  "tcp",
  "block",
  "runqueue",
  "explain",
  "runs",
  "parseDuration",
  "plot",
  "save",
  "load",
  "display",
  "clear_output",
  "clearOutput",
  "sleep",
  "setTimeout",
  "clearTimeout",
  "input",
  "help",
  "console",
] as const;
