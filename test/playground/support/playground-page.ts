// The playground as a test fixture: Debian's jupyter-server serving the built
// page from dist/static (as `npm start` does with the classic Notebook), the
// kernelspec from a temporary prefix, and a headless Chromium page opened on
// the URL with the server's token, waited on until the kernel is ready.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { repoRoot } from "../../kernel/support/built-dist.js";
import { installKernelspecInTempPrefix, startJupyterServer, type JupyterServer, type KernelspecPrefix } from "../../frontends/support/jupyter-server.js";
import { launchChromium, type HeadlessChromium } from "./browser.js";

export const STATIC_ROOT = join(repoRoot, "dist/static");
/** Where the tests leave their screenshots (dist/ is not checked in). */
export const SCREENSHOTS = join(repoRoot, "dist/playground-screenshots");

export interface Playground {
  server: JupyterServer;
  prefix: KernelspecPrefix;
  chromium: HeadlessChromium;
  page: Page;
  url: string;
  /** Problems the page reported (uncaught errors): a test ends by expecting none. */
  pageErrors: string[];
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openPlayground(options: { rootDir?: string; width?: number; height?: number } = {}): Promise<Playground> {
  if (!existsSync(join(STATIC_ROOT, "playground/index.html"))) {
    throw new Error(`${STATIC_ROOT}/playground is missing: build it with \`node playground/build.mjs\` (npm test's setup does)`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const prefix = installKernelspecInTempPrefix();
  const server = await startJupyterServer({
    jupyterPath: prefix.jupyterPath,
    rootDir: options.rootDir,
    extraArgs: [`--ServerApp.extra_static_paths=${JSON.stringify([STATIC_ROOT])}`],
  });
  const chromium = await launchChromium({ width: options.width, height: options.height });
  const page = await chromium.browser.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const url = `${server.baseUrl}static/playground/index.html?token=${server.token}`;
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  return {
    server,
    prefix,
    chromium,
    page,
    url,
    pageErrors,
    async shot(name) {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path });
      return path;
    },
    async close() {
      await chromium.close();
      await server.stop();
      prefix.dispose();
    },
  };
}

/** Replaces the editor's text (insertText: no auto-closing brackets, as a paste). */
export async function setCode(page: Page, code: string): Promise<void> {
  await page.click(".pg-editor .monaco-editor .view-lines");
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(code);
}

/** Runs `code` with Shift-Enter and waits until the run has finished (the page is ready again). */
export async function runCode(page: Page, code: string, timeoutMs = 60_000): Promise<void> {
  const before = await page.locator(".pg-run").count();
  await setCode(page, code);
  await page.keyboard.press("Shift+Enter");
  await page.locator(".pg-run").nth(before).waitFor();
  await page.waitForFunction((i) => {
    const run = document.querySelectorAll<HTMLElement>(".pg-run")[i];
    return run && !["queued", "running"].includes(run.dataset.state ?? "") && document.body.dataset.ready === "true";
  }, before, { timeout: timeoutMs });
}

export const lastRun = (page: Page) => page.locator(".pg-run").last();
