// complete_request and inspect_request, answered by TypeScript's language
// service over what the sandbox knows: its globals (imported from the
// prelude's own sources, so TSDoc of probes-lib and arquero comes along), the
// cells that already ran, and the cell being edited. The service is made on
// first use: it loads typescript and the .d.ts files of the standard library.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as TS from "typescript";
import type { Completions, Inspection } from "../../kernel/executor.js";
import { SANDBOX_GLOBALS } from "./global-names.js";
import { projectRoot } from "./paths.js";
import { loadTypeScript, type TypeScript } from "./typescript.js";

/** Completions not offered: the bridge's own names. */
const HIDDEN = /^__probebook/;
const MAX_MATCHES = 500;

export class CellLanguageService {
  readonly #history: () => readonly string[];
  #state: { ts: TypeScript; service: TS.LanguageService; fileName: string } | undefined;
  #text = "";
  #version = 0;
  /** Where the current cell starts in the virtual document. */
  #cellOffset = 0;

  constructor(history: () => readonly string[]) {
    this.#history = history;
  }

  /** Forgets nothing but cached programs: history comes from the session on every call. */
  reset(): void {
    this.#version++;
  }

  complete(code: string, cursorPos: number): Completions {
    const { ts, service, fileName } = this.#prepare(code);
    const position = this.#cellOffset + cursorPos;
    const info = service.getCompletionsAtPosition(fileName, position, {
      includeCompletionsWithInsertText: true,
      includeCompletionsForModuleExports: false,
    });
    const wordStart = identifierStart(code, cursorPos);
    const typed = code.slice(wordStart, cursorPos);
    const start = info?.optionalReplacementSpan ? info.optionalReplacementSpan.start - this.#cellOffset : wordStart;
    const entries = (info?.entries ?? [])
      .filter((e) => !HIDDEN.test(e.name) && e.name.startsWith(typed))
      .sort((a, b) => (a.sortText === b.sortText ? a.name.localeCompare(b.name) : a.sortText < b.sortText ? -1 : 1))
      .slice(0, MAX_MATCHES);
    const cursorStart = Math.max(0, Math.min(start, cursorPos));
    return {
      matches: entries.map((e) => e.name),
      cursorStart,
      cursorEnd: cursorPos,
      metadata: {
        _jupyter_types_experimental: entries.map((e) => ({ start: cursorStart, end: cursorPos, text: e.name, type: jupyterType(ts, e.kind, e.name) })),
      },
    };
  }

  inspect(code: string, cursorPos: number, _detailLevel: number): Inspection {
    const { ts, service, fileName } = this.#prepare(code);
    for (const at of inspectPositions(code, cursorPos)) {
      const info = service.getQuickInfoAtPosition(fileName, this.#cellOffset + at);
      if (!info) continue;
      // Globals reach the service as imports: show them as what they are.
      const signature = ts
        .displayPartsToString(info.displayParts)
        .replace(/^\(alias\) /, "")
        // Namespace members (plot.histogram) come as "export histogram" aliases.
        .replace(/\n(?:import|export) \w+$/, "");
      const docs = ts.displayPartsToString(info.documentation);
      const tags = (info.tags ?? []).map((tag) => ({ name: tag.name, text: ts.displayPartsToString(tag.text) }));
      const plain = [signature, docs, ...tags.map((t) => `@${t.name}${t.text ? ` ${t.text}` : ""}`)].filter(Boolean).join("\n\n");
      const markdown = ["```ts\n" + signature + "\n```", docs, ...tags.map((t) => (t.name === "example" ? `**Example**\n\n${fenced(t.text)}` : `*@${t.name}* ${t.text}`))]
        .filter(Boolean)
        .join("\n\n");
      return { found: true, data: { "text/plain": plain, "text/markdown": markdown } };
    }
    return { found: false, data: {} };
  }

  #prepare(code: string): { ts: TypeScript; service: TS.LanguageService; fileName: string } {
    const state = (this.#state ??= this.#create());
    const prefix = `import { ${SANDBOX_GLOBALS.join(", ")} } from "./runtime/sandbox/prelude/globals.js";\n`;
    const previous = this.#history().map((cell) => `${cell}\n;\n`).join("");
    this.#text = prefix + previous + code;
    this.#cellOffset = prefix.length + previous.length;
    this.#version++;
    return state;
  }

  #create(): { ts: TypeScript; service: TS.LanguageService; fileName: string } {
    const ts = loadTypeScript();
    const root = projectRoot();
    // In the project root, so "./runtime/..." and "arquero" resolve as in the repository.
    const fileName = join(root, "__probebook_cells__.ts");
    const options: TS.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2023.d.ts"],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowJs: false,
    };
    const snapshots = new Map<string, TS.IScriptSnapshot | undefined>();
    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => options,
      getScriptFileNames: () => [fileName],
      getScriptVersion: (name) => (name === fileName ? String(this.#version) : "1"),
      getScriptSnapshot: (name) => {
        if (name === fileName) return ts.ScriptSnapshot.fromString(this.#text);
        if (!snapshots.has(name)) {
          let text: string | undefined;
          try {
            text = readFileSync(name, "utf8");
          } catch {
            text = undefined;
          }
          snapshots.set(name, text === undefined ? undefined : ts.ScriptSnapshot.fromString(text));
        }
        return snapshots.get(name);
      },
      getCurrentDirectory: () => root,
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (name) => name === fileName || ts.sys.fileExists(name),
      readFile: (name) => (name === fileName ? this.#text : ts.sys.readFile(name)),
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    const service = ts.createLanguageService(host, ts.createDocumentRegistry());
    return { ts, service, fileName };
  }
}

function identifierStart(code: string, cursor: number): number {
  let start = cursor;
  while (start > 0 && /[A-Za-z0-9_$]/.test(code[start - 1]!)) start--;
  return start;
}

/** Where to ask for quick info: at the cursor, just before it, or at the function whose "(" precedes it. */
function inspectPositions(code: string, cursor: number): number[] {
  const positions = [cursor, cursor - 1];
  let i = cursor - 1;
  while (i >= 0 && /\s/.test(code[i]!)) i--;
  if (code[i] === "(") {
    i--;
    while (i >= 0 && /\s/.test(code[i]!)) i--;
    positions.push(i);
  }
  return positions.filter((p) => p >= 0 && p <= code.length);
}

function fenced(text: string): string {
  return text.includes("```") ? text : "```ts\n" + text + "\n```";
}

function jupyterType(ts: TypeScript, kind: TS.ScriptElementKind, name: string): string {
  const K = ts.ScriptElementKind;
  switch (kind) {
    case K.alias:
      // Aliases are the sandbox globals (imported) and arquero's re-exports:
      // all functions except the arquero namespace itself.
      return name === "aq" ? "module" : "function";
    case K.functionElement:
    case K.localFunctionElement:
      return "function";
    case K.memberFunctionElement:
      return "method";
    case K.memberVariableElement:
    case K.memberGetAccessorElement:
    case K.memberSetAccessorElement:
      return "property";
    case K.classElement:
      return "class";
    case K.interfaceElement:
    case K.typeElement:
      return "type";
    case K.moduleElement:
      return "module";
    case K.keyword:
      return "keyword";
    default:
      return "instance";
  }
}
