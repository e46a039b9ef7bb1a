// The editor: Monaco with TypeScript's language service in a worker, given the
// probe library's declaration files (probe-types.json, generated at build time
// from the sandbox's own sources), so completion, hover documentation and live
// diagnostics are the browser's own. The running kernel answers where the
// worker knows nothing: complete_request and inspect_request.

import * as monaco from "./monaco.js";
import type { Kernel } from "@jupyterlab/services";

const ts = monaco.typescript;

/**
 * Diagnostics that are not errors in a cell: top-level await (1375, 1378: a
 * cell is not a module, the kernel awaits it anyway) and declaring again a
 * name an earlier run declared (2451: re-running `const t = ...` is fine).
 */
const NOT_ERRORS_IN_A_CELL = [1375, 1378, 2451];

export interface ProbeTypes {
  files: Record<string, string>;
  globals: string[];
}

export interface Editor {
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  readonly model: monaco.editor.ITextModel;
  /** A run that succeeded: its declarations become visible to the next cells' types. */
  addRun(code: string): void;
}

export function createEditor(host: HTMLElement, types: ProbeTypes, kernel: () => Kernel.IKernelConnection | undefined): Editor {
  ts.typescriptDefaults.setCompilerOptions({
    target: ts.ScriptTarget.ESNext,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.NodeJs,
    lib: ["es2023"],
    strict: true,
    noEmit: true,
    allowNonTsExtensions: true,
    // The same as the kernel's language service: no DOM, no Node; the cell's globals are the sandbox's.
    types: [],
  });
  ts.typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false, diagnosticCodesToIgnore: NOT_ERRORS_IN_A_CELL });
  ts.typescriptDefaults.setEagerModelSync(true);
  for (const [path, text] of Object.entries(types.files)) ts.typescriptDefaults.addExtraLib(text, path);

  const model = monaco.editor.createModel("", "typescript", monaco.Uri.parse("file:///cell.ts"));
  const editor = monaco.editor.create(host, {
    model,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
    scrollBeyondLastLine: false,
    wordBasedSuggestions: "off",
    tabFocusMode: false,
    fixedOverflowWidgets: true,
    ariaLabel: "Code editor. Shift-Enter runs, Ctrl-Space completes, Ctrl-K Ctrl-I shows the documentation. Ctrl-M toggles Tab moving focus.",
  });

  let runs = 0;
  const worker = async () => (await ts.getTypeScriptWorker())(model.uri);

  // Kernel completions where the worker offers nothing (e.g. members of a
  // value the types can't see into). Monaco waits for every provider before
  // it shows the list: after a "." (the worker's fast path, measured in the
  // bench) this one steps aside; typing or Ctrl-Space asks it.
  monaco.languages.registerCompletionItemProvider("typescript", {
    async provideCompletionItems(m, position, context) {
      const k = kernel();
      if (!k || m !== model || context.triggerKind === monaco.languages.CompletionTriggerKind.TriggerCharacter) return { suggestions: [] };
      const code = m.getValue();
      const offset = m.getOffsetAt(position);
      const local = await worker().then((w) => w.getCompletionsAtPosition(m.uri.toString(), offset)).catch(() => undefined);
      if (local?.entries?.length) return { suggestions: [] };
      const reply = await k.requestComplete({ code, cursor_pos: offset }).catch(() => undefined);
      if (!reply || reply.content.status !== "ok") return { suggestions: [] };
      const start = m.getPositionAt(reply.content.cursor_start);
      const end = m.getPositionAt(reply.content.cursor_end);
      const range = new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column);
      return {
        suggestions: reply.content.matches.map((name) => ({ label: name, insertText: name, range, kind: monaco.languages.CompletionItemKind.Variable, detail: "from the kernel", sortText: `~${name}` })),
      };
    },
  });

  // Kernel inspection where the worker has no quick info (e.g. a name from a run).
  monaco.languages.registerHoverProvider("typescript", {
    async provideHover(m, position) {
      const k = kernel();
      if (!k || m !== model || !m.getWordAtPosition(position)) return null;
      const offset = m.getOffsetAt(position);
      const local = await worker().then((w) => w.getQuickInfoAtPosition(m.uri.toString(), offset)).catch(() => undefined);
      if (local) return null;
      const reply = await k.requestInspect({ code: m.getValue(), cursor_pos: offset, detail_level: 0 }).catch(() => undefined);
      if (!reply || reply.content.status !== "ok" || !reply.content.found) return null;
      const data = reply.content.data as Record<string, string>;
      return { contents: [{ value: data["text/markdown"] ?? "```\n" + (data["text/plain"] ?? "") + "\n```" }] };
    },
  });

  return {
    editor,
    model,
    addRun(code) {
      // Each successful run is a script the worker sees beside the cell, as
      // the kernel's language service sees the history.
      ts.typescriptDefaults.addExtraLib(code, `file:///runs/run-${++runs}.ts`);
    },
  };
}
