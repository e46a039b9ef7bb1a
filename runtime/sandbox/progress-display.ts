// A one-line progress output for probe runs long enough to wait for: shown
// after the first half second, updated at most once a second through a
// display id, and replaced by a summary when the run ends.

import type { ExecuteContext } from "../../kernel/executor.js";
import type { EventsDeclaration } from "../declaration.js";
import type { RunProgress } from "./probe-runner.js";

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
    const of = `${seconds(progress.elapsedMs)} of ${seconds(this.#declaration.durationMs)}`;
    this.#show(`${this.#what()}: collecting, ${of}, ${progress.events} events${progress.dropped ? `, ${progress.dropped} DROPPED` : ""}`);
    this.#lastAt = progress.elapsedMs;
  }

  finish(stats: { events: number; dropped: number; durationMs: number }): void {
    if (!this.#shown) return;
    this.#show(`${this.#what()}: collected ${stats.events} events in ${seconds(stats.durationMs)}${stats.dropped ? `, ${stats.dropped} DROPPED` : ""}`);
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

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
