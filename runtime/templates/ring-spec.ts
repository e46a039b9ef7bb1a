// What a spec of a ring-buffer template beyond tp_events carries (uprobe_events,
// tcp_events): plain data the one loader and the ring reader take.
import type { ProbeAttach } from "./attach-point.js";
import type { OutputColumn } from "./columns.js";

/** A ring-buffer template's spec: object, configuration, attach points, the ring and its columns. */
export interface RingEventsInstance {
  template: string;
  object: string;
  /** For messages: "uprobe /usr/lib/x86_64-linux-gnu/libc.so.6:lldiv". */
  target: string;
  /** The programs to load (default: those the attach points name). */
  programs?: string[];
  attachTargets?: Record<string, string>;
  rodata: Record<string, unknown>;
  maps: Record<string, { maxEntries: number }>;
  attach: ProbeAttach[];
  ring: { map: string; recordSize: number; pollMs: number; batchRows: number };
  counters: { drops: string; seen: string };
  columns: OutputColumn[];
  durationMs: number;
  limit?: number;
}
