// Every function, method and accessor a cell can reach (the sandbox's
// globals, the plot namespace, and the classes their results are: read with
// the TypeScript compiler by test/doctests/extract-examples.ts) has a TSDoc
// summary and an @example, which inspect and help() show and the doctests
// run (test/doctests/examples.test.ts). Internal helpers carry no @example:
// a cell never sees it, and the doctests would not run it (their examples are
// unit tests, e.g. test/probes-lib/helpers.test.ts).
import { expect, test } from "vitest";
import { cellVisibleDocs, exampleSites } from "../doctests/extract-examples.js";

test("every cell-visible function, method and accessor has a TSDoc summary and an @example", () => {
  const docs = cellVisibleDocs();
  expect(docs.length).toBeGreaterThan(90);
  const missing = docs.flatMap((d) => [...(d.summary ? [] : [`${d.name}: no summary`]), ...(d.examples.length ? [] : [`${d.name}: no @example`])]);
  expect(missing).toEqual([]);
}, 60_000);

test("no @example sits on a declaration a cell can't see", () => {
  const visible = new Set(cellVisibleDocs().map((d) => d.at));
  expect(exampleSites().filter((s) => !visible.has(s.at)).map((s) => `${s.at} ${s.name}`)).toEqual([]);
}, 60_000);
