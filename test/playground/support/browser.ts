// Debian's Chromium (/usr/bin/chromium, installed by scripts/setup-tests.sh)
// driven by playwright-core: headless, with a fresh profile, and nothing that
// reaches out to the network on its own. No browser is ever downloaded.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

export interface HeadlessChromium {
  browser: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(options: { width?: number; height?: number } = {}): Promise<HeadlessChromium> {
  const profile = mkdtempSync(join(tmpdir(), "probebook-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    acceptDownloads: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser: context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type { Browser };
