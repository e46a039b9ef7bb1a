// (issue 14) The probe playground in Debian's Chromium: page load -> an
// editable editor, the bundle's size, keypress -> completion list shown, and
// interrupt of a long probe -> the page ready again. The page is served as
// `npm start` serves it (extra_static_paths of the notebook server; here
// Debian's jupyter-server, the classic Notebook's engine), with a real kernel.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, median, percentile, sleep } from "../lib/procs.mjs";
import { num } from "../lib/results.mjs";

const STATIC = join(ROOT, "dist/static");
const PAGE_DIR = join(STATIC, "playground");
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  }).on("error", reject);
});

async function startServer() {
  const home = mkdtempSync(join(tmpdir(), "probebook-bench-playground-"));
  execFileSync(process.execPath, [join(ROOT, "bin/probebook.js"), "install", "--prefix", join(home, "prefix")], { cwd: ROOT });
  const port = await freePort();
  const token = randomBytes(24).toString("hex");
  const env = { ...process.env, JUPYTER_PATH: join(home, "prefix/share/jupyter"), JUPYTER_CONFIG_DIR: join(home, "config"),
    JUPYTER_DATA_DIR: join(home, "data"), JUPYTER_RUNTIME_DIR: join(home, "runtime"), JUPYTER_PLATFORM_DIRS: "1" };
  const child = spawn("/usr/bin/python3", ["-m", "jupyter_server", `--ServerApp.token=${token}`, `--port=${port}`, "--ServerApp.port_retries=0",
    "--ServerApp.ip=127.0.0.1", `--ServerApp.root_dir=${home}`, "--no-browser", "--allow-root", `--ServerApp.extra_static_paths=${JSON.stringify([STATIC])}`],
    { env, stdio: "ignore" });
  const base = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}api/status`, { headers: { Authorization: `token ${token}` } })).ok) break;
    } catch { /* not yet */ }
    if (i > 300 || child.exitCode !== null) throw new Error("bench: jupyter-server did not start");
    await sleep(100);
  }
  return {
    url: `${base}static/playground/index.html?token=${token}`,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function withPage(url, fn) {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "probebook-bench-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 }, args: CHROMIUM_FLAGS });
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Navigation start -> the editor is created and focused (the page's own
 * performance mark), the bytes of the files fetched by then (the page is split:
 * the session, renderers and vega come later), and navigation start -> the
 * kernel ready (body[data-ready=true]: a run can start).
 */
async function loadToEditable(page, url) {
  await page.goto(url);
  await page.waitForSelector("body[data-editor=ready]", { timeout: 60000 });
  await page.waitForSelector("body[data-ready=true]", { timeout: 60000 });
  const readyMs = await page.evaluate(() => performance.now());
  return page.evaluate((ready) => {
    const editable = performance.getEntriesByName("probebook:editor-ready")[0].startTime;
    const fetched = performance.getEntriesByType("resource").filter((r) => r.responseEnd <= editable && !r.name.includes("/api/"));
    return { editable, bytes: fetched.reduce((a, r) => a + r.decodedBodySize, 0), ready };
  }, readyMs);
}

/** The "." keydown -> the first row of the suggest widget on screen, measured in the page. */
async function completionLatencies(page, n) {
  await page.click(".pg-editor .monaco-editor .view-lines");
  await page.keyboard.insertText('tracepoint("sched:sched_switch")');
  const out = [];
  for (let i = 0; i < n; i++) {
    await page.evaluate(() => {
      window.__bench = new Promise((resolve) => {
        addEventListener("keydown", (e) => {
          const t0 = e.timeStamp;
          const check = () => {
            const row = document.querySelector(".suggest-widget.visible .monaco-list-row .label-name");
            if (row && row.textContent) resolve(performance.now() - t0);
            else requestAnimationFrame(check);
          };
          check();
        }, { once: true, capture: true });
      });
    });
    await page.keyboard.type(".");
    out.push(await page.evaluate(() => window.__bench));
    await page.keyboard.press("Escape");
    await page.keyboard.press("Backspace");
    await sleep(100);
  }
  return out;
}

/** Alt-I during a 60 s probe -> body[data-ready=true]. */
async function interruptToReady(page) {
  await page.click(".pg-editor .monaco-editor .view-lines");
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText('await tracepoint("sched:sched_switch").count().run({ for: "60s" })');
  await page.keyboard.press("Shift+Enter");
  await page.locator(".pg-run").last().locator(".jp-OutputArea-output").filter({ hasText: "collecting" }).waitFor({ timeout: 60000 });
  const t0 = Date.now();
  await page.keyboard.press("Alt+I");
  await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  return Date.now() - t0;
}

export async function playgroundFigures({ reps, completes, log }) {
  const files = Object.fromEntries(readdirSync(PAGE_DIR).map((f) => [f, statSync(join(PAGE_DIR, f)).size]));
  const total = Object.values(files).reduce((a, b) => a + b, 0);
  const gzipped = Object.keys(files).reduce((a, f) => a + gzipSync(readFileSync(join(PAGE_DIR, f))).length, 0);
  const server = await startServer();
  const loads = [], firstPaintBytes = [], kernelReady = [], completions = [], firstCompletions = [], interrupts = [];
  try {
    for (let rep = 0; rep < reps; rep++) {
      log(`playground rep ${rep + 1}/${reps}`);
      await withPage(server.url, async (page) => {
        const load = await loadToEditable(page, server.url);
        loads.push(load.editable);
        firstPaintBytes.push(load.bytes);
        kernelReady.push(load.ready);
        const lat = await completionLatencies(page, completes + 1);
        firstCompletions.push(lat[0]);
        completions.push(...lat.slice(1));
        interrupts.push(await interruptToReady(page));
      });
    }
  } finally {
    await server.stop();
  }
  const mib = (b) => b / 2 ** 20;
  const reference = "reference: no target in issue 14";
  const rows = [
    { name: "playground: page load -> editable editor (fresh profile, loopback)", value: num(median(loads)), unit: "ms", floor: null, peer: null, target: reference, meetsTarget: true },
    { name: "playground: page load -> kernel ready (a run can start)", value: num(median(kernelReady)), unit: "ms", floor: null, peer: null, target: reference, meetsTarget: true },
    { name: "playground: bytes fetched before the editor is editable", value: num(mib(median(firstPaintBytes))), unit: "MiB", floor: null, peer: null, target: reference, meetsTarget: true,
      note: "the first paint's modules and stylesheet (uncompressed); the TS worker, the types, the session chunk and vega load after" },
    { name: "playground: bundle size (every file the page may load)", value: num(mib(total)), unit: "MiB", floor: null, peer: null, target: reference, meetsTarget: true,
      note: `${num(mib(gzipped))} MiB gzipped; ${Object.entries(files).sort((a, b) => b[1] - a[1]).map(([f, b]) => `${f} ${num(mib(b), 2)} MiB`).join(", ")}` },
    { name: "playground: keypress -> completion list shown p50", value: num(median(completions)), unit: "ms", floor: null, peer: null, target: reference, meetsTarget: true,
      note: `p90 ${num(percentile(completions, 90))} ms over ${completions.length}; the first of each page (TS worker warming) ${num(median(firstCompletions))} ms` },
    { name: "playground: interrupt a 60 s probe -> page ready", value: num(median(interrupts)), unit: "ms", floor: null, peer: null, target: "< 1000 ms (issue 14)", meetsTarget: median(interrupts) < 1000 },
  ];
  return { rows, raw: { files, gzipped, loads, firstPaintBytes, kernelReady, completions, firstCompletions, interrupts } };
}
