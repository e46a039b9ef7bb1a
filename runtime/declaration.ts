// A probe declaration is plain, JSON-serialisable data. Cells build them through
// probes-lib inside the sandbox; the host validates them in the planner and maps
// them onto a template. Nothing in here refers to BPF: this is the user's intent.

/** Where to hook. */
export type Source = TracepointSource;

export interface TracepointSource {
  type: "tracepoint";
  /** "category:event", e.g. "syscalls:sys_enter_openat". */
  name: string;
}

/** In-kernel filters. Every key is optional; present keys are ANDed. */
export interface Filter {
  /** Process id (tgid) the event must come from. */
  pid?: number;
}

/** One row per event, with the common columns and the chosen tracepoint fields. */
export interface EventsDeclaration {
  kind: "events";
  source: Source;
  /** Tracepoint fields to capture; empty means every field of the format. */
  fields: string[];
  filter: Filter;
  /** How long to collect, in milliseconds. */
  durationMs: number;
  /** Stop after this many rows (optional). */
  limit?: number;
}

export type Declaration = EventsDeclaration;
