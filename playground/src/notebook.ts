// Saving and opening: the session becomes an .ipynb (downloaded, and runnable
// by nbclient like the notebooks in notebooks/); a notebook on the server
// (contents API) gives its code cells to the REPL, in order.

import type { ContentsManager } from "@jupyterlab/services";
import type * as nbformat from "@jupyterlab/nbformat";
import type { OpenedCell } from "./runs.js";

export function download(notebook: nbformat.INotebookContent, name: string): void {
  const blob = new Blob([JSON.stringify(notebook, null, 1) + "\n"], { type: "application/x-ipynb+json" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Every notebook under the server's root, depth first (a few folders deep). */
export async function listNotebooks(contents: ContentsManager, path = "", depth = 0): Promise<string[]> {
  const listing = await contents.get(path, { content: true });
  const found: string[] = [];
  for (const item of (listing.content ?? []) as { type: string; path: string; name: string }[]) {
    if (item.name.startsWith(".")) continue;
    if (item.type === "notebook") found.push(item.path);
    else if (item.type === "directory" && depth < 3) found.push(...(await listNotebooks(contents, item.path, depth + 1)));
  }
  return found.sort();
}

/** The code cells of a notebook on the server, in order, with their saved outputs. */
export async function notebookCells(contents: ContentsManager, path: string): Promise<OpenedCell[]> {
  const model = await contents.get(path, { content: true, type: "notebook" });
  const notebook = model.content as nbformat.INotebookContent;
  return notebook.cells
    .filter((cell): cell is nbformat.ICodeCell => cell.cell_type === "code")
    .map((cell) => ({
      source: Array.isArray(cell.source) ? cell.source.join("") : cell.source,
      outputs: cell.outputs ?? [],
      executionCount: cell.execution_count ?? null,
    }))
    .filter((cell) => cell.source.trim() !== "");
}
