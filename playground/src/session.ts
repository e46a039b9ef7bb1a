// The kernel half of the page, loaded once the editor is up (a chunk of its
// own: @jupyterlab/services, the output area and its renderers are not needed
// for the first paint): the kernel session, the history of runs, the
// explain() panel, export and open.

import { OutputArea, OutputAreaModel } from "@jupyterlab/outputarea";
import { Widget } from "@lumino/widgets";
import type { Kernel } from "@jupyterlab/services";
import { connect, type Link } from "./connection.js";
import type { Editor } from "./editor.js";
import { History, rendermime, type Run } from "./runs.js";
import { lastDeclaration } from "./last-declaration.js";
import { notebookCells, download, listNotebooks } from "./notebook.js";
import { clearNotice, page, show } from "./status.js";

export interface Session {
  run(code: string): void;
  interrupt(): void;
  kernel(): Kernel.IKernelConnection | undefined;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export async function startSession(editor: Editor): Promise<Session | undefined> {
  const history = new History($("history"));
  const explainArea = new OutputArea({ model: new OutputAreaModel({ trusted: true }), rendermime });
  const explainHost = $("explain");
  const openSelect = $<HTMLSelectElement>("open");
  const pending: Run[] = [];
  let link: Link | undefined;

  const edit = (code: string) => {
    editor.model.setValue(code);
    editor.editor.focus();
    editor.editor.setPosition(editor.model.getPositionAt(code.length));
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

  const drain = async () => {
    if (page.running || !link) return;
    page.running = true;
    show(page.state === "idle" ? "busy" : page.state);
    try {
      while (pending.length) {
        const run = pending.shift()!;
        const reply = await history.execute(run, link.kernel());
        if (reply?.status === "ok") {
          editor.addRun(run.code);
          await explainLast(run.code);
        } else {
          // stop_on_error: the kernel aborts what was queued behind a failure.
          for (const r of pending.splice(0)) history.setState(r, "aborted");
        }
      }
    } finally {
      page.running = false;
      show(page.state === "busy" ? "idle" : page.state);
    }
  };

  const run = (code: string, from?: Run) => {
    if (!code.trim()) return;
    if (page.notice) clearNotice();
    if (from?.state === "not run") {
      // A cell opened from a notebook runs where the REPL is: at the end.
      history.moveToEnd(from);
      history.setState(from, "queued");
      pending.push(from);
    } else {
      pending.push(history.add(code, "queued", { edit, run }));
    }
    void drain();
  };

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
    for (const cell of await notebookCells(link.contents, path)) history.add(cell.source, "not run", { edit, run }, cell);
  });

  try {
    link = await connect();
  } catch (error) {
    show("server-gone", `Could not start a probebook kernel on this server: ${(error as Error).message}. Is the token in the URL right, and the kernelspec installed (npm start does both)?`);
    return undefined;
  }
  link.onState((next, detail) => {
    // A new kernel knows none of the earlier runs: neither do the editor's types.
    if (next === "restarting" || next === "died") editor.forgetRuns();
    show(next === "idle" && page.running ? "busy" : next, detail);
  });
  show(link.kernel().status === "busy" ? "busy" : "idle");

  // The notebooks on the server, listed again whenever the list is opened (an export saved there shows up).
  const listed = link;
  const refresh = async () => {
    try {
      const paths = await listNotebooks(listed.contents);
      openSelect.replaceChildren(new Option("…", ""), ...paths.map((p) => new Option(p, p)));
    } catch {
      // a server without the contents API: only export then
    }
  };
  await refresh();
  openSelect.addEventListener("focus", () => void refresh());

  return {
    run: (code) => run(code),
    interrupt: () => void link?.interrupt(),
    kernel: () => (page.state === "server-gone" ? undefined : link?.kernel()),
  };
}
