// The probe playground: an editor, a history of runs, an explain() panel, one
// kernel session on the notebook server that served this page.

import "@jupyterlab/outputarea/style/index.css";
import "@jupyterlab/rendermime/style/index.css";
import "./style.css";
import { OutputArea, OutputAreaModel } from "@jupyterlab/outputarea";
import { Widget } from "@lumino/widgets";
import * as monaco from "./monaco.js";
import { connect, type Link, type LinkState } from "./connection.js";
import { createEditor, type ProbeTypes } from "./editor.js";
import { History, rendermime, type Run } from "./runs.js";
import { lastDeclaration } from "./last-declaration.js";
import { codeCells, download, listNotebooks } from "./notebook.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $("status");
const banner = $("banner");
const runButton = $<HTMLButtonElement>("run");
const openSelect = $<HTMLSelectElement>("open");

let link: Link | undefined;
let state: LinkState = "starting";
const pending: Run[] = [];
let running = false;
let notice = "";

function show(next: LinkState, detail = ""): void {
  state = next;
  status.dataset.state = next;
  const words: Record<LinkState, string> = {
    starting: "starting…", idle: "ready", busy: running ? "running…" : "busy", restarting: "restarting…", died: "kernel died",
    dead: "kernel dead", disconnected: "reconnecting…", "server-gone": "server gone",
  };
  status.textContent = words[next];
  // A death the server recovered from stays on the banner until the next run:
  // the person must learn that the kernel's state is gone.
  if (next === "died") notice = detail;
  const trouble = next === "dead" || next === "server-gone" || next === "disconnected";
  const message = trouble ? detail : notice;
  banner.hidden = !message;
  banner.textContent = message;
  document.body.dataset.ready = String(next === "idle" && !running);
}

async function main(): Promise<void> {
  show("starting");
  const types = (await (await fetch("probe-types.json")).json()) as ProbeTypes;
  const editor = createEditor($("editor"), types, () => (state === "server-gone" ? undefined : link?.kernel()));
  const history = new History($("history"));
  const explainModel = new OutputAreaModel({ trusted: true });
  const explainArea = new OutputArea({ model: explainModel, rendermime });
  const explainHost = $("explain");

  const edit = (code: string) => {
    editor.model.setValue(code);
    editor.editor.focus();
    editor.editor.setPosition(editor.model.getPositionAt(code.length));
  };

  const drain = async () => {
    if (running || !link) return;
    running = true;
    show(state === "idle" ? "busy" : state);
    try {
      while (pending.length) {
        const run = pending.shift()!;
        const reply = await history.execute(run, link.kernel());
        if (reply?.status === "ok") {
          editor.addRun(run.code);
          await explainLast(run.code);
        } else {
          // stop_on_error: the kernel aborts what was queued behind a failure.
          for (const r of pending.splice(0)) r.state = "aborted";
        }
      }
    } finally {
      running = false;
      show(state === "busy" ? "idle" : state);
    }
  };

  const explainLast = async (code: string) => {
    const declaration = lastDeclaration(code);
    if (!declaration || !link) return;
    if (!explainArea.isAttached) {
      explainHost.textContent = "";
      Widget.attach(explainArea, explainHost);
    }
    explainHost.dataset.declaration = declaration;
    explainArea.future = link.kernel().requestExecute({ code: `explain(${declaration})`, store_history: false, stop_on_error: false });
    await explainArea.future.done.catch(() => undefined);
  };

  const run = (code: string, from?: Run) => {
    if (!code.trim()) return;
    if (notice) {
      notice = "";
      banner.hidden = true;
    }
    if (from?.state === "not run") {
      // A cell opened from a notebook runs where the REPL is: at the end.
      history.moveToEnd(from);
      from.state = "queued";
      pending.push(from);
    } else {
      pending.push(history.add(code, "queued", { edit, run }));
    }
    void drain();
  };

  editor.editor.addAction({
    id: "probebook.run",
    label: "Run",
    keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter],
    run: () => {
      const code = editor.model.getValue();
      editor.model.setValue("");
      run(code);
    },
  });
  editor.editor.addAction({
    id: "probebook.interrupt",
    label: "Interrupt the kernel",
    keybindings: [monaco.KeyMod.Alt | monaco.KeyCode.KeyI],
    run: () => void link?.interrupt(),
  });
  runButton.addEventListener("click", () => editor.editor.trigger("button", "probebook.run", null));
  $("interrupt").addEventListener("click", () => void link?.interrupt());
  $("restart").addEventListener("click", async () => {
    pending.splice(0);
    await link?.restart();
  });
  $("export").addEventListener("click", () => download(history.toNotebook(), `playground-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.ipynb`));
  openSelect.addEventListener("change", async () => {
    const path = openSelect.value;
    openSelect.value = "";
    if (!path || !link) return;
    for (const code of await codeCells(link.contents, path)) history.add(code, "not run", { edit, run });
  });

  // For the browser tests and the bench: what the TS worker reports (the
  // squiggles' messages), and when the editor became editable.
  (window as any).__playground = {
    markers: () => monaco.editor.getModelMarkers({ resource: editor.model.uri }).map((m) => ({ code: String(m.code ?? ""), message: m.message, severity: m.severity })),
  };
  editor.editor.focus();
  performance.mark("probebook:editor-ready");
  // The editor is usable (types and all) before the kernel is up.
  document.body.dataset.editor = "ready";
  try {
    link = await connect();
  } catch (error) {
    show("server-gone", `Could not start a probebook kernel on this server: ${(error as Error).message}. Is the token in the URL right, and the kernelspec installed (npm start does both)?`);
    return;
  }
  link.onState((next, detail) => show(next === "idle" && running ? "busy" : next, detail));
  show(link.kernel().status === "busy" ? "busy" : "idle");
  try {
    for (const path of await listNotebooks(link.contents)) openSelect.append(new Option(path, path));
  } catch {
    // a server without the contents API: only export then
  }
}

main().catch((error) => show("server-gone", `The playground failed to start: ${(error as Error).stack ?? error}`));
