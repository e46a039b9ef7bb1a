// The parts of Monaco the playground uses: the editor core with the editing
// contributions a person expects (suggest, hover, parameter hints, markers,
// find, comments, folding, multi-cursor), TypeScript's tokenizer and
// TypeScript's language service in a worker. The other 80 languages of
// monaco-editor's main entry stay out of the bundle.

import "monaco-editor/editor/browser/coreCommands.js";
import "monaco-editor/editor/browser/widget/codeEditor/codeEditorWidget.js";
import "monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching.js";
import "monaco-editor/editor/contrib/clipboard/browser/clipboard.js";
import "monaco-editor/editor/contrib/codeAction/browser/codeActionContributions.js";
import "monaco-editor/editor/contrib/comment/browser/comment.js";
import "monaco-editor/editor/contrib/contextmenu/browser/contextmenu.js";
import "monaco-editor/editor/contrib/cursorUndo/browser/cursorUndo.js";
import "monaco-editor/editor/contrib/find/browser/findController.js";
import "monaco-editor/editor/contrib/folding/browser/folding.js";
import "monaco-editor/editor/contrib/gotoError/browser/gotoError.js";
import "monaco-editor/editor/contrib/gotoError/browser/markerSelectionStatus.js";
import "monaco-editor/editor/contrib/hover/browser/hoverContribution.js";
import "monaco-editor/editor/contrib/linesOperations/browser/linesOperations.js";
import "monaco-editor/editor/contrib/multicursor/browser/multicursor.js";
import "monaco-editor/editor/contrib/parameterHints/browser/parameterHints.js";
import "monaco-editor/editor/contrib/snippet/browser/snippetController2.js";
import "monaco-editor/editor/contrib/suggest/browser/suggestController.js";
import "monaco-editor/editor/contrib/tokenization/browser/tokenization.js";
import "monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter.js";
import "monaco-editor/editor/contrib/wordOperations/browser/wordOperations.js";
import "monaco-editor/editor/common/standaloneStrings.js";
import "monaco-editor/languages/definitions/typescript/register.js";
export * as typescript from "monaco-editor/languages/features/typescript/register.js";
export * from "monaco-editor/editor/editor.api.js";

// Workers are separate bundles next to the page's modules (see playground/build.mjs).
const base = new URL(".", import.meta.url);
(globalThis as any).MonacoEnvironment = {
  getWorker(_id: string, label: string): Worker {
    return new Worker(new URL(label === "typescript" || label === "javascript" ? "ts.worker.js" : "editor.worker.js", base), { name: label });
  },
};
