// The editor: Monaco with TypeScript's language service in a worker, given the
// probe library's declaration files (probe-types.json, generated at build time
// from the sandbox's own sources), so completion, hover documentation and live
// diagnostics are the browser's own. The running kernel answers where the
// worker knows nothing: complete_request and inspect_request.

import * as monaco from "./monaco.js";
import type { Kernel } from "@jupyterlab/services";
import { SuggestAdapter } from "monaco-editor/languages/features/typescript/languageFeatures.js";
import { docMarkdown, type DocPart, type DocTag } from "./tsdoc.js";

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
  /** The probe library's declaration files (probe-types.json). */
  addTypes(types: ProbeTypes): void;
  /** A run that succeeded: its declarations become visible to the next cells' types. */
  addRun(code: string): void;
  /** The kernel restarted or died: the runs' declarations are gone. */
  forgetRuns(): void;
}

export function createEditor(host: HTMLElement, kernel: () => Kernel.IKernelConnection | undefined): Editor {
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
  // Hovers are ours (below), so that TSDoc renders; the rest is Monaco's.
  ts.typescriptDefaults.setModeConfiguration({ ...ts.typescriptDefaults.modeConfiguration, hovers: false });
  // The completion list's details panel renders TSDoc through this one static
  // method of Monaco's adapter: the same Markdown as the hovers.
  SuggestAdapter.createDocumentationString = (details: { documentation?: DocPart[]; tags?: DocTag[] }) => docMarkdown(details.documentation, details.tags);

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
  let runLibs: monaco.IDisposable[] = [];
  const worker = async () => (await ts.getTypeScriptWorker())(model.uri);

  // Kernel completions for what the worker doesn't know (names a run defined
  // before it failed, members of a value typed `any`): the kernel's matches
  // the worker's list lacks. Monaco waits for every provider before it shows
  // the list: after a "." (the worker's fast path, measured in the bench) this
  // one steps aside; typing on or Ctrl-Space asks it.
  monaco.languages.registerCompletionItemProvider("typescript", {
    async provideCompletionItems(m, position, context) {
      const k = kernel();
      if (!k || m !== model || context.triggerKind === monaco.languages.CompletionTriggerKind.TriggerCharacter) return { suggestions: [] };
      const code = m.getValue();
      const offset = m.getOffsetAt(position);
      const [local, reply] = await Promise.all([
        worker().then((w) => w.getCompletionsAtPosition(m.uri.toString(), offset)).catch(() => undefined),
        k.requestComplete({ code, cursor_pos: codePoints(code, offset) }).catch(() => undefined),
      ]);
      if (!reply || reply.content.status !== "ok") return { suggestions: [] };
      const known = new Set<string>((local?.entries ?? []).map((e: { name: string }) => e.name));
      const start = m.getPositionAt(utf16(code, reply.content.cursor_start));
      const end = m.getPositionAt(utf16(code, reply.content.cursor_end));
      const range = new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column);
      return {
        suggestions: reply.content.matches.filter((name) => !known.has(name)).map((name) => ({ label: name, insertText: name, range, kind: monaco.languages.CompletionItemKind.Variable, detail: "from the kernel" })),
      };
    },
  });

  // Hovers: the worker's quick info, its TSDoc rendered by docMarkdown (code
  // blocks for @example); where the worker knows nothing (a name from a run),
  // the kernel's inspect_request.
  monaco.languages.registerHoverProvider("typescript", {
    async provideHover(m, position) {
      if (m !== model || !m.getWordAtPosition(position)) return null;
      const offset = m.getOffsetAt(position);
      const local = await worker().then((w) => w.getQuickInfoAtPosition(m.uri.toString(), offset)).catch(() => undefined);
      // kind "" is a name the worker can't resolve (it says "any"): the kernel may know it.
      if (local && local.kind !== "") {
        const start = m.getPositionAt(local.textSpan.start);
        const end = m.getPositionAt(local.textSpan.start + local.textSpan.length);
        const signature = local.displayParts.map((p: { text: string }) => p.text).join("");
        return {
          range: new monaco.Range(start.lineNumber, start.column, end.lineNumber, end.column),
          contents: [{ value: "```typescript\n" + signature + "\n```" }, { value: docMarkdown(local.documentation, local.tags) }],
        };
      }
      const k = kernel();
      if (!k) return null;
      const reply = await k.requestInspect({ code: m.getValue(), cursor_pos: codePoints(m.getValue(), offset), detail_level: 0 }).catch(() => undefined);
      if (!reply || reply.content.status !== "ok" || !reply.content.found) return null;
      const data = reply.content.data as Record<string, string>;
      return { contents: [{ value: data["text/markdown"] ?? "```\n" + (data["text/plain"] ?? "") + "\n```" }] };
    },
  });

  return {
    editor,
    model,
    addTypes(types) {
      for (const [path, text] of Object.entries(types.files)) ts.typescriptDefaults.addExtraLib(text, path);
    },
    addRun(code) {
      // Each successful run is a script the worker sees beside the cell, as
      // the kernel's language service sees the history. (A run that failed
      // may have defined names before it failed: only the kernel knows, and
      // its complete_request and inspect_request answer for them.)
      runLibs.push(ts.typescriptDefaults.addExtraLib(code, `file:///runs/run-${++runs}.ts`));
    },
    forgetRuns() {
      for (const lib of runLibs) lib.dispose();
      runLibs = [];
    },
  };
}

// The protocol counts cursor positions in code points, Monaco in UTF-16 units.
const codePoints = (code: string, utf16Offset: number) => [...code.slice(0, utf16Offset)].length;
const utf16 = (code: string, codePointOffset: number) => [...code].slice(0, codePointOffset).join("").length;
