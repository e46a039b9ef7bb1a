// A one-line progress output for probe runs long enough to wait for: shown
// after the first half second, updated at most once a second through a
// display id. When the run ends it gives way to the result: emptied, so the
// cell's output is the result, or, when events were lost, the line that says
// how many (the result alone would not show it).

import type { ExecuteContext } from "../../kernel/executor.js";
import type { EventsDeclaration } from "../spec/declaration.js";
import type { RunProgress } from "../spec/protocol.js";

const FIRST_AFTER_MS = 500;
const EVERY_MS = 1000;

let nextId = 0;

/** What the display reads of a declaration: its duration (and, for tracepoints, the name). */
type ProgressOf = Pick<EventsDeclaration, "durationMs"> & { source?: { name?: string } };

export class ProgressDisplay {
  readonly #declaration: ProgressOf;
  readonly #ctx: ExecuteContext | undefined;
  readonly #label: string | undefined;
  readonly #id = `probebook-run-${process.pid}-${++nextId}`;
  #shown = false;
  #lastAt = 0;

  /** `label` names the probe (default: the tracepoint's name). */
  constructor(declaration: ProgressOf, ctx: ExecuteContext | undefined, label?: string) {
    this.#declaration = declaration;
    this.#ctx = ctx;
    this.#label = label;
  }

  update(progress: RunProgress): void {
    if (!this.#ctx || progress.elapsedMs < FIRST_AFTER_MS) return;
    if (this.#shown && progress.elapsedMs - this.#lastAt < EVERY_MS) return;
    const { durationMs } = this.#declaration;
    const of = Number.isFinite(durationMs) ? `${seconds(progress.elapsedMs)} of ${seconds(durationMs)}` : seconds(progress.elapsedMs);
    const rate = Math.round(progress.events / (progress.elapsedMs / 1000));
    this.#show(`${this.#what()}: collecting, ${of}, ${progress.events} events (${rate}/s)${losses(progress)}`);
    this.#lastAt = progress.elapsedMs;
  }

  finish(stats: { events: number; dropped: number; lost?: number; missed?: number; durationMs: number; stoppedBy?: string }): void {
    if (!this.#shown) return;
    const lost = losses(stats);
    // A run that ended before its duration for a reason of its own says so.
    const why = ENDED_EARLY[stats.stoppedBy ?? ""] ?? "";
    this.#show(lost || why ? `${this.#what()}: collected ${stats.events} events in ${seconds(stats.durationMs)}${why}${lost}` : "");
  }

  fail(): void {
    if (this.#shown) this.#show(`${this.#what()}: stopped`);
  }

  #what(): string {
    return this.#label ?? this.#declaration.source?.name ?? "probe";
  }

  #show(text: string): void {
    this.#ctx?.display({ "text/plain": text }, { displayId: this.#id, update: this.#shown });
    this.#shown = true;
  }
}

/** What the progress line adds when a run ended early for a reason of its own. */
const ENDED_EARLY: Record<string, string> = {
  "target-exited": ", then the traced process exited",
  "target-unmapped": ", then the traced process unmapped the traced file",
  "target-replaced": ", then the traced file was replaced on disk",
  memory: ", then this kernel's memory budget was used up",
};

/** Losses are shouted: a result with drops is not the whole truth. */
function losses({ dropped, lost, missed }: { dropped: number; lost?: number; missed?: number }): string {
  return `${dropped ? `, ${dropped} DROPPED` : ""}${lost ? `, ${lost} LOST (map full)` : ""}` +
    `${missed ? `, ${missed} MISSED (another BPF program was running on the CPU)` : ""}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
