// The probe playground in a real browser: Debian's Chromium (playwright-core)
// on the page jupyter-server serves, with a real probebook kernel, real probes
// and a workload the test starts. Each state is also saved as a screenshot in
// dist/playground-screenshots/ for a look.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildWorkload, startHeld, type HeldWorkload } from "../bpf/support/workload.js";
import { killSpawned } from "../support/children.js";
import { DEBIAN_PYTHON } from "../frontends/support/jupyter-server.js";
import { SCREENSHOTS, lastRun, openPlayground, runCode, setCode, type Playground } from "./support/playground-page.js";

let pg: Playground;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "probebook-playground-root-"));
  // A notebook on the server, for "open a notebook's code cells".
  writeFileSync(join(root, "two-cells.ipynb"), JSON.stringify({
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { cell_type: "markdown", id: "m", metadata: {}, source: "# not code" },
      { cell_type: "code", id: "a", metadata: {}, source: "const opened = 20 + 1", outputs: [], execution_count: null },
      { cell_type: "code", id: "b", metadata: {}, source: ["opened ", "* 2"], outputs: [], execution_count: null },
    ],
  }));
  pg = await openPlayground({ rootDir: root });
}, 120_000);

afterAll(async () => {
  await pg?.close();
  rmSync(root, { recursive: true, force: true });
}, 60_000);

afterEach(killSpawned);

const markers = () => pg.page.evaluate(() => (window as any).__playground.markers() as { code: string; message: string }[]);

describe("the probe playground in Chromium", () => {
  it("shows the probe library's methods in the completion list after tracepoint(...).", async () => {
    const { page } = pg;
    await setCode(page, 'tracepoint("sched:sched_switch")');
    await page.keyboard.type(".");
    const rows = page.locator(".suggest-widget .monaco-list-row");
    await rows.first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    const labels = await page.locator(".suggest-widget .monaco-list-row .label-name").allTextContents();
    await pg.shot("1-completion");
    expect(labels).toEqual(expect.arrayContaining(["avg", "count", "events", "fields", "histogram", "limit"]));
    // The documentation of the focused entry comes from the library's TSDoc.
    await page.keyboard.press("Escape");
  });

  it("shows the library's documentation on hover, from the keyboard (Ctrl-K Ctrl-I)", async () => {
    const { page } = pg;
    await setCode(page, 'tracepoint("sched:sched_switch")');
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    const hover = page.locator(".monaco-hover").filter({ hasText: "Starts a probe on a kernel tracepoint" });
    await hover.first().waitFor({ timeout: 30_000 });
    await pg.shot("1-hover");
    expect(await hover.first().textContent()).toMatch(/const tracepoint: \(name: string\) => TracepointProbe/);
    // TSDoc rendered: @param as a list item naming the parameter, @example as a code block.
    expect(await hover.first().locator("li").allTextContents()).toEqual([expect.stringMatching(/^name — e\.g\. "syscalls:sys_enter_openat" or "sched:sched_switch"\.$/)]);
    expect(await hover.first().locator("li code").first().textContent()).toBe("name");
    const example = hover.first().locator("pre, .monaco-tokenized-source, code").filter({ hasText: 'const opens = await tracepoint("syscalls:sys_enter_openat")' });
    expect(await example.count()).toBeGreaterThan(0);
    expect(await example.last().textContent()).toContain('.fields("filename", "flags")');
    await page.keyboard.press("Escape");
  });

  it("renders a method's @example as a code block in its hover", async () => {
    const { page } = pg;
    await setCode(page, 'tracepoint("sched:sched_switch").count().by("cpu")');
    // The cursor onto "by".
    await page.keyboard.press("End");
    for (let i = 0; i < '("cpu")'.length + 1; i++) await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    const hover = page.locator(".monaco-hover").filter({ hasText: "by(" });
    await hover.first().waitFor({ timeout: 30_000 });
    await pg.shot("1-hover-method");
    const text = (await hover.first().textContent())!;
    expect(text).not.toMatch(/@example/);
    expect(text).toMatch(/Example/);
    const blocks = hover.first().locator(".monaco-tokenized-source").filter({ hasText: 'await syscall("read").count().by("comm", "pid").run({ for: "5s" })' });
    expect(await blocks.count()).toBe(1);
    // The example's two lines stay two lines (a flattened tag ran them together).
    expect(await blocks.first().evaluate((el) => (el as HTMLElement).innerText.split("\n").filter((l) => l.includes("await")).length)).toBeGreaterThanOrEqual(2);
    await page.keyboard.press("Escape");
  });

  it("shows a type error as a diagnostic: .histogram() with no field", async () => {
    const { page } = pg;
    await setCode(page, 'const h = tracepoint("sched:sched_switch").histogram();');
    await page.waitForFunction(() => (window as any).__playground.markers().some((m: { message: string }) => /Expected/.test(m.message)), undefined, { timeout: 30_000 });
    await page.locator(".squiggly-error").first().waitFor();
    await pg.shot("2-diagnostic");
    const found = await markers();
    expect(found.map((m) => m.message)).toEqual([expect.stringMatching(/Expected 1-2 arguments, but got 0/)]);
  });

  describe("a probe run against a workload", () => {
    const N = 12;
    let workload: { bin: string; cleanup: () => void } | undefined;
    let child: HeldWorkload | undefined;
    let dir: string | undefined;

    afterAll(() => {
      child?.dispose();
      workload?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(`shows a table of exactly the ${N} opens and a plot drawn by vega`, async () => {
      const { page } = pg;
      dir = mkdtempSync(join(tmpdir(), "probebook-playground-open-"));
      const target = join(dir, "opened.txt");
      writeFileSync(target, "probebook\n");
      workload = buildWorkload("open-loop");
      child = await startHeld(workload.bin, [target, String(N)]);
      // The workload runs once the probe is attached: the progress display says so.
      const code = `const opens = await tracepoint("syscalls:sys_enter_openat").where({ pid: ${child.pid} }).fields("filename").events({ for: "3s" });\nopens`;
      const before = await page.locator(".pg-run").count();
      await setCode(page, code);
      await page.keyboard.press("Shift+Enter");
      await page.locator(".pg-run").nth(before).locator(".jp-OutputArea-output").first().waitFor({ timeout: 30_000 });
      await pg.shot("3-progress");
      expect(await child.go()).toBe(0);
      await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
      const table = lastRun(page).locator("table");
      await pg.shot("3-table");
      expect(await table.locator("caption").textContent()).toMatch(new RegExp(`^${N} rows × \\d+ columns`));
      expect(await table.locator("tbody tr").count()).toBe(N);
      expect(await table.locator("tbody td").filter({ hasText: target }).count()).toBe(N);

      await runCode(page, `plot.bar(opens.groupby("filename").count(), { x: "filename", y: "count" })`);
      const vega = lastRun(page).locator(".jp-RenderedVegaCommon5 .vega-embed");
      await vega.locator("canvas, svg.marks").first().waitFor({ timeout: 30_000 });
      await pg.shot("4-plot");
      // Drawn by vega: one bar (one file) in vega's blue, on its canvas or as an SVG mark.
      const marks = await vega.evaluate((el) => {
        const svgBars = el.querySelectorAll("svg .mark-rect path").length;
        const canvas = el.querySelector("canvas");
        if (!canvas) return { svgBars, bluePixels: 0 };
        const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
        let bluePixels = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (Math.abs(data[i]! - 0x4c) < 12 && Math.abs(data[i + 1]! - 0x78) < 12 && Math.abs(data[i + 2]! - 0xa8) < 12) bluePixels++;
        }
        return { svgBars, bluePixels };
      });
      expect(marks.svgBars === 1 || marks.bluePixels > 500, JSON.stringify(marks)).toBe(true);
    }, 90_000);
  });

  it("interrupts a 60 s probe from the keyboard (Alt-I), and the page is ready again within a second", async () => {
    const { page } = pg;
    const before = await page.locator(".pg-run").count();
    await setCode(page, `await tracepoint("sched:sched_switch").count().by("cpu").run({ for: "60s" })`);
    await page.keyboard.press("Shift+Enter");
    // Attached and collecting: the progress line is out.
    const outputs = page.locator(".pg-run").nth(before).locator(".jp-OutputArea-output");
    await outputs.filter({ hasText: "collecting" }).waitFor({ timeout: 30_000 });
    // Live progress: update_display_data rewrites the one progress output in place.
    await outputs.filter({ hasText: /collecting, [1-9]\.\d s of 60\.0 s/ }).waitFor({ timeout: 30_000 });
    expect(await outputs.count()).toBe(1);
    await pg.shot("5-long-probe");
    const t0 = Date.now();
    await page.keyboard.press("Alt+I");
    await page.waitForSelector("body[data-ready=true]", { timeout: 10_000 });
    const readyMs = Date.now() - t0;
    await pg.shot("5-interrupted");
    const run = page.locator(".pg-run").nth(before);
    expect(await run.getAttribute("data-state")).toBe("interrupted");
    expect(await run.locator(".pg-prompt").textContent()).toMatch(/^\[\d+\] interrupted$/);
    expect(await run.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").textContent()).toMatch(/KeyboardInterrupt/);
    expect(readyMs).toBeLessThan(1000);
  }, 60_000);

  it("shows a misspelled tracepoint's error with the closest names", async () => {
    const { page } = pg;
    await runCode(page, `await tracepoint("sched:sched_swich").count().run({ for: "1s" })`);
    await pg.shot("6-misspelled");
    const run = lastRun(page);
    expect(await run.getAttribute("data-state")).toBe("error");
    const text = await run.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").textContent();
    expect(text).toMatch(/sched:sched_swich/);
    expect(text).toMatch(/sched:sched_switch/);
    // With its traceback: where in the cell, and the cell's line.
    expect(text).toMatch(/at In\[\d+\], line 1\s+1 \| await tracepoint\("sched:sched_swich"\)/);
  });

  it("is usable by keyboard: Tab walks the toolbar, a run's Enter puts its code back into the editor", async () => {
    const { page } = pg;
    await page.locator("#run").focus();
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      order.push(await page.evaluate(() => document.activeElement?.id ?? ""));
    }
    expect(order).toEqual(["interrupt", "restart", "export", "open"]);
    // The focused run: Enter edits it (its code into the editor, the editor focused).
    const first = page.locator(".pg-run").first();
    const code = await first.locator(".pg-source").textContent();
    await first.focus();
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => (window as any).__playground.value())).toBe(code);
    expect(await page.evaluate(() => document.activeElement?.closest(".pg-editor") !== null)).toBe(true);
    await pg.shot("7-keyboard-edit");
  });

  it("completes and inspects, through the kernel, a name a run defined before it failed", async () => {
    const { page } = pg;
    // The run defines \`early\`, then fails: the page's types only take runs
    // that succeeded, the kernel's language service has every run it started.
    await runCode(page, 'const early = { threshold: 5, label: "cpu" };\nawait tracepoint("sched:sched_swich").count().run({ for: "1s" })');
    expect(await lastRun(page).getAttribute("data-state")).toBe("error");
    await setCode(page, "early.thr");
    await page.keyboard.press("Control+Space");
    const rows = page.locator(".suggest-widget .monaco-list-row");
    await rows.first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    await pg.shot("6-kernel-completion");
    expect(await rows.locator(".label-name").allTextContents()).toEqual(["threshold"]);
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => (window as any).__playground.value())).toBe("early.threshold");
    // Inspect: the kernel's answer in the hover, from the keyboard.
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    const hover = page.locator(".monaco-hover").filter({ hasText: "threshold" });
    await hover.first().waitFor({ timeout: 30_000 });
    await pg.shot("6-kernel-inspect");
    expect((await hover.first().textContent())!.replace(/\s+/g, " ")).toMatch(/const early: \{ threshold: number; label: string; ?\}/);
    await page.keyboard.press("Escape");
  });

  it("opens a notebook's code cells into the history, and runs them", async () => {
    const { page } = pg;
    const before = await page.locator(".pg-run").count();
    await page.selectOption("#open", "two-cells.ipynb");
    await page.locator(".pg-run").nth(before + 1).waitFor();
    expect(await page.locator(".pg-run .pg-source").nth(before).textContent()).toBe("const opened = 20 + 1");
    expect(await page.locator(".pg-run .pg-source").nth(before + 1).textContent()).toBe("opened * 2");
    // Each runs where the REPL is (at the end of the history), in the notebook's order.
    for (const source of ["const opened = 20 + 1", "opened * 2"]) {
      await page.locator(".pg-run[data-state='not run']").filter({ hasText: source }).getByRole("button", { name: "Run", exact: true }).click();
      await page.waitForSelector("body[data-ready=true]");
    }
    await pg.shot("7-opened");
    expect(await page.locator(".pg-run").count()).toBe(before + 2);
    expect(await page.locator(".pg-run").nth(before).getAttribute("data-state")).toBe("ok");
    expect(await lastRun(page).locator(".jp-OutputArea-executeResult").textContent()).toMatch(/42/);
  });

  it("exports every run as an .ipynb (errors and interrupted runs included) that nbclient runs, and opens it back", async () => {
    const { page } = pg;
    const ran = page.locator(".pg-run:is([data-state=ok], [data-state=error], [data-state=interrupted])");
    const sources = await ran.locator(".pg-source").allTextContents();
    const states = await ran.evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.state));
    // What the earlier tests left: successes, failures and the interrupted 60 s probe.
    expect(new Set(states)).toEqual(new Set(["ok", "error", "interrupted"]));
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export")]);
    const path = join(root, "exported.ipynb");
    await download.saveAs(path);
    const notebook = JSON.parse(readFileSync(path, "utf8"));
    expect(notebook.metadata.kernelspec.name).toBe("probebook");
    expect(notebook.cells.map((c: { source: string }) => c.source)).toEqual(sources);
    type Cell = { source: string; metadata: { tags?: string[]; probebook?: { interrupted?: boolean } }; outputs: { output_type: string; ename?: string; traceback?: string[] }[] };
    notebook.cells.forEach((cell: Cell, i: number) => {
      const errors = cell.outputs.filter((o) => o.output_type === "error");
      if (states[i] === "ok") {
        expect(cell.metadata, cell.source).toEqual({});
        expect(errors, cell.source).toEqual([]);
      } else {
        // The failure as the kernel reported it: an error output with its traceback, tagged for nbclient.
        expect(cell.metadata.tags, cell.source).toEqual(["raises-exception"]);
        expect(errors.length, cell.source).toBe(1);
        expect(errors[0]!.traceback!.length, cell.source).toBeGreaterThan(0);
        if (states[i] === "interrupted") {
          expect(errors[0]!.ename).toBe("KeyboardInterrupt");
          expect(cell.metadata.probebook).toEqual({ interrupted: true });
        }
      }
    });
    const misspelled = notebook.cells.find((c: Cell) => c.source.includes("sched_swich") && !c.source.includes("early"));
    expect(misspelled.outputs.find((o: { output_type: string }) => o.output_type === "error").traceback.join("\n")).toMatch(/sched:sched_switch/);

    // The notebooks' own check (test/frontends/test_notebooks.py): nbclient runs
    // it top to bottom; no untagged cell errs or writes to stderr, and each
    // failure tagged raises-exception fails again (the interrupted probe runs in full).
    const script = [
      "import sys, json, nbformat, nbclient",
      "nb = nbformat.read(sys.argv[1], as_version=4)",
      "nbformat.validate(nb)",
      "nbclient.NotebookClient(nb, kernel_name='probebook', timeout=120).execute()",
      "bad = lambda c: [o for o in c.outputs if o.output_type == 'error' or (o.output_type == 'stream' and o.name == 'stderr')]",
      "print(json.dumps([len(bad(c)) > 0 for c in nb.cells]))",
    ].join("\n");
    const out = execFileSync(DEBIAN_PYTHON, ["-c", script, path], { env: { ...process.env, JUPYTER_PATH: pg.prefix.jupyterPath }, encoding: "utf8", timeout: 300_000 });
    expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual(states.map((s) => s === "error"));

    // Open it back: every run comes into the REPL in order, not run yet, showing what it showed.
    const before = await page.locator(".pg-run").count();
    await page.focus("#open");
    await page.locator("#open option[value='exported.ipynb']").waitFor({ state: "attached" });
    await page.selectOption("#open", "exported.ipynb");
    await page.locator(".pg-run").nth(before + sources.length - 1).waitFor();
    expect(await page.locator(".pg-run .pg-source").evaluateAll((els, from) => els.slice(from).map((e) => e.textContent), before)).toEqual(sources);
    expect(await page.locator(".pg-run").evaluateAll((els, from) => els.slice(from).map((e) => (e as HTMLElement).dataset.state), before)).toEqual(sources.map(() => "not run"));
    const reopenedMisspelled = page.locator(".pg-run[data-state='not run']").filter({ hasText: "sched_swich" }).filter({ hasNotText: "early" });
    expect(await reopenedMisspelled.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").textContent()).toMatch(/sched:sched_switch/);
    await pg.shot("7-reopened-export");
  }, 400_000);

  // After the export: a run that asked for input needs a person, and nbclient has none.
  it("answers an input() prompt in the page", async () => {
    const { page } = pg;
    const before = await page.locator(".pg-run").count();
    await setCode(page, 'const answer = await input("pid to trace? ");\n`got ${answer}`');
    await page.keyboard.press("Shift+Enter");
    const box = page.locator(".pg-run").nth(before).locator(".jp-Stdin-input");
    await box.waitFor({ timeout: 30_000 });
    expect(await page.locator(".pg-run").nth(before).locator(".jp-Stdin-prompt").textContent()).toBe("pid to trace? ");
    await pg.shot("6-input");
    await box.fill("4242");
    await box.press("Enter");
    await page.waitForSelector("body[data-ready=true]");
    expect(await page.locator(".pg-run").nth(before).locator(".jp-OutputArea-executeResult").textContent()).toMatch(/got 4242/);
  });

  it("works at common window sizes", async () => {
    const { page } = pg;
    for (const [width, height] of [[1920, 1080], [1366, 768], [1024, 768], [800, 600]] as const) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(300);
      await pg.shot(`8-size-${width}x${height}`);
      const layout = await page.evaluate(() => {
        const box = (sel: string) => document.querySelector(sel)!.getBoundingClientRect();
        return { scrollWidth: document.documentElement.scrollWidth, innerWidth, editor: box(".pg-editor"), run: box("#run"), side: box(".pg-side") };
      });
      // Nothing sticks out sideways; the editor, the run button and the explain panel are on screen.
      expect(layout.scrollWidth, `${width}x${height}`).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.editor.height, `${width}x${height}`).toBeGreaterThanOrEqual(120);
      expect(layout.editor.bottom, `${width}x${height}`).toBeLessThanOrEqual(height + 1);
      expect(layout.run.right, `${width}x${height}`).toBeLessThanOrEqual(width);
      expect(layout.side.width, `${width}x${height}`).toBeGreaterThan(200);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("says plainly when the URL's token is wrong (the server wants its token)", async () => {
    const page = await pg.chromium.browser.newPage();
    try {
      await page.goto(pg.url.replace(/token=[^&]+/, "token=wrong"));
      await page.locator("#banner").filter({ hasText: "Could not start a probebook kernel on this server" }).waitFor({ timeout: 30_000 });
      expect(await page.locator("#banner").textContent()).toMatch(/Is the token in the URL right/);
      expect(await page.locator("#status").textContent()).toBe("server gone");
      await page.screenshot({ path: join(SCREENSHOTS, "9-wrong-token.png") });
    } finally {
      await page.close();
    }
  });

  it("says so when the kernel dies, and when the server goes away", async () => {
    const { page } = pg;
    // The kernel is the server's child (found by parent pid: never by name).
    const kernelPid = childrenOf(pg.server.child.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("probebook"));
    expect(kernelPid).toBeDefined();
    process.kill(kernelPid!, "SIGKILL");
    await page.locator("#banner").filter({ hasText: "The kernel died" }).waitFor({ timeout: 30_000 });
    await pg.shot("9-kernel-died");
    // The server starts a new kernel; a run works again and clears the notice.
    await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
    await runCode(page, "6 * 7");
    expect(await lastRun(page).locator(".jp-OutputArea-executeResult").textContent()).toMatch(/42/);
    expect(await page.locator("#banner").isHidden()).toBe(true);

    await pg.server.stop();
    await page.locator("#banner").filter({ hasText: "does not answer" }).waitFor({ timeout: 30_000 });
    expect(await page.locator("#status").textContent()).toBe("server gone");
    await pg.shot("10-server-gone");
    expect(pg.pageErrors).toEqual([]);
  }, 120_000);
});

function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
    if (text) found.push(...text.split(/\s+/).map(Number));
  }
  return found;
}
