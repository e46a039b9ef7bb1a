// The history of runs, in the REPL's order: each run is its code, its
// execution count, its state, and its outputs in a JupyterLab OutputArea, so
// tables (HTML), plots (the vega5 renderer for Vega-Lite v5), errors with
// tracebacks, live progress (update_display_data) and input() prompts render
// exactly as JupyterLab renders them.

import type { Kernel, KernelMessage } from "@jupyterlab/services";
import type * as nbformat from "@jupyterlab/nbformat";
import { OutputArea, OutputAreaModel } from "@jupyterlab/outputarea";
import { RenderMimeRegistry, standardRendererFactories } from "@jupyterlab/rendermime";
import vegaExtension from "@jupyterlab/vega5-extension";
import { Widget } from "@lumino/widgets";
import { marked } from "marked";

export const rendermime = new RenderMimeRegistry({
  initialFactories: standardRendererFactories,
  // JupyterLab's markdown parser is an application plugin; marked does the same job here.
  markdownParser: { render: async (source: string) => marked.parse(source) },
});
// At the rank JupyterLab gives it (57, the extension's own): before the PNG
// (90) a plot's bundle also carries, so plots are vega's, interactive.
rendermime.addFactory(vegaExtension.rendererFactory, vegaExtension.rank);

export type RunState = "queued" | "running" | "ok" | "error" | "interrupted" | "aborted" | "not run";

/** nbclient's tag for a cell whose error is expected: the notebook runs on past it. */
export const RAISES_EXCEPTION = "raises-exception";

/** A code cell of a notebook being opened: its source, and what it showed when saved. */
export interface OpenedCell {
  source: string;
  outputs: nbformat.IOutput[];
  executionCount: number | null;
}

export interface Run {
  readonly code: string;
  readonly element: HTMLElement;
  readonly outputs: OutputAreaModel;
  state: RunState;
  executionCount: number | null;
}

export class History {
  readonly runs: Run[] = [];
  readonly #host: HTMLElement;

  constructor(host: HTMLElement) {
    this.#host = host;
  }

  /** Adds a run at the end (or a cell opened from a notebook, not run yet). */
  add(code: string, state: RunState, actions: { edit: (code: string) => void; run?: (code: string, from: Run) => void }, opened?: OpenedCell): Run {
    const element = document.createElement("article");
    element.className = "pg-run";
    element.tabIndex = 0;
    const head = document.createElement("div");
    head.className = "pg-run-head";
    const prompt = document.createElement("span");
    prompt.className = "pg-prompt";
    const source = document.createElement("pre");
    source.className = "pg-source";
    source.textContent = code;
    const edit = button("Edit", "Put this code back into the editor", () => actions.edit(code));
    head.append(prompt, edit);
    if (actions.run) head.append(button("Run", state === "not run" ? "Run this cell (it moves to the end of the history)" : "Run this code again (as a new run)", () => actions.run!(code, run)));
    const outputs = new OutputAreaModel({ trusted: true });
    const area = new OutputArea({ model: outputs, rendermime });
    area.addClass("pg-outputs");
    element.append(head, source);
    this.#host.append(element);
    Widget.attach(area, element);
    // An opened cell shows what it showed when the notebook was saved, until it runs here.
    if (opened) outputs.fromJSON(opened.outputs);
    const run: Run = { code, element, outputs, state, executionCount: opened?.executionCount ?? null };
    (element as any).__area = area;
    this.#show(run);
    // Keyboard: Enter on a focused run puts its code into the editor.
    element.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && e.target === element) {
        // Or the Enter goes on to the editor, now focused, as a newline.
        e.preventDefault();
        actions.edit(code);
      }
    });
    this.runs.push(run);
    return run;
  }

  /** Moves a run to the end of the history (a cell opened from a notebook, about to run). */
  moveToEnd(run: Run): void {
    this.runs.splice(this.runs.indexOf(run), 1);
    this.runs.push(run);
    this.#host.append(run.element);
  }

  /** Runs `run` on the kernel: outputs stream into its area as they arrive. */
  async execute(run: Run, kernel: Kernel.IKernelConnection): Promise<KernelMessage.IExecuteReplyMsg["content"] | undefined> {
    const area = (run.element as any).__area as OutputArea;
    run.state = "running";
    run.outputs.clear();
    this.#show(run);
    run.element.scrollIntoView({ block: "end" });
    const future = kernel.requestExecute({ code: run.code, allow_stdin: true, stop_on_error: true, store_history: true });
    area.future = future;
    try {
      const reply = await future.done;
      const content = reply.content;
      run.executionCount = content.execution_count;
      run.state = content.status === "ok" ? "ok" : content.status !== "error" ? "aborted" : content.ename === "KeyboardInterrupt" ? "interrupted" : "error";
      return content;
    } catch {
      // The future is disposed when the kernel restarts or dies mid-run.
      run.state = "aborted";
      return undefined;
    } finally {
      this.#show(run);
      run.element.scrollIntoView({ block: "end" });
    }
  }

  setState(run: Run, state: RunState): void {
    run.state = state;
    this.#show(run);
  }

  #show(run: Run): void {
    run.element.dataset.state = run.state;
    const prompt = run.element.querySelector(".pg-prompt")!;
    const count = run.executionCount ?? (run.state === "running" ? "*" : " ");
    prompt.textContent = `[${count}] ${run.state}`;
  }

  /**
   * The session as a notebook: every run, in the REPL's order, with its
   * outputs, failures and interrupted runs included (their error outputs as
   * they were). Those carry nbclient's "raises-exception" tag, so the notebook
   * runs top to bottom under nbclient as the session did; an interrupted run's
   * metadata says so (run again, it runs in full). Cells opened but not run
   * and runs still queued are not runs yet: left out.
   */
  toNotebook(): nbformat.INotebookContent {
    const ran = this.runs.filter((run) => run.state === "ok" || run.state === "error" || run.state === "interrupted");
    return {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {
        kernelspec: { name: "probebook", display_name: "probebook (TypeScript + eBPF)", language: "typescript" },
        language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/typescript" },
      },
      cells: ran.map((run, i) => ({
        cell_type: "code",
        id: `playground-${i + 1}`,
        metadata: run.state === "ok" ? {} : { tags: [RAISES_EXCEPTION], ...(run.state === "interrupted" ? { probebook: { interrupted: true } } : {}) },
        source: run.code,
        execution_count: run.executionCount,
        outputs: run.outputs.toJSON(),
      })),
    };
  }
}

function button(label: string, title: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.textContent = label;
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}
