// The probe playground's first paint: the toolbar and the editor (Monaco,
// with the probe library's types once probe-types.json arrives). The kernel
// session, the history and the output renderers are a chunk of their own
// (session.ts), loaded as soon as the editor is up.

import "@jupyterlab/outputarea/style/index.css";
import "@jupyterlab/rendermime/style/index.css";
import "./style.css";
import * as monaco from "./monaco.js";
import { createEditor, type ProbeTypes } from "./editor.js";
import { show } from "./status.js";
import type { Session } from "./session.js";

const $ = (id: string) => document.getElementById(id)!;

async function main(): Promise<void> {
  show("starting");
  let session: Session | undefined;
  const editor = createEditor($("editor"), () => session?.kernel());
  // Types arrive while the editor is already editable; the worker re-checks the cell then.
  const types = fetch("probe-types.json").then(async (r) => editor.addTypes((await r.json()) as ProbeTypes));

  // Shift-Enter before the session is up queues the run until it is.
  let started: Promise<Session | undefined> | undefined;
  editor.editor.addAction({
    id: "probebook.run",
    label: "Run",
    keybindings: [monaco.KeyMod.Shift | monaco.KeyCode.Enter],
    run: () => {
      const code = editor.model.getValue();
      editor.model.setValue("");
      void started?.then((s) => s?.run(code));
    },
  });
  editor.editor.addAction({
    id: "probebook.interrupt",
    label: "Interrupt the kernel",
    keybindings: [monaco.KeyMod.Alt | monaco.KeyCode.KeyI],
    run: () => session?.interrupt(),
  });
  $("run").addEventListener("click", () => editor.editor.trigger("button", "probebook.run", null));

  // For the browser tests and the bench: what the TS worker reports (the
  // squiggles' messages), and when the editor became editable.
  (window as any).__playground = {
    markers: () => monaco.editor.getModelMarkers({ resource: editor.model.uri }).map((m) => ({ code: String(m.code ?? ""), message: m.message, severity: m.severity })),
    value: () => editor.model.getValue(),
  };
  editor.editor.focus();
  performance.mark("probebook:editor-ready");
  document.body.dataset.editor = "ready";

  started = import("./session.js").then(({ startSession }) => startSession(editor));
  session = await started;
  await types;
  document.body.dataset.types = "ready";
}

main().catch((error) => show("server-gone", `The playground failed to start: ${(error as Error).stack ?? error}`));
