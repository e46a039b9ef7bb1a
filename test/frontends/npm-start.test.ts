// `npm start` as a new user runs it (scripts/serve.sh): it prints the notebook
// URL and the playground's, both on 127.0.0.1 with one token; both pages are
// served, the probebook kernelspec is installed, the API wants the token, and
// the server listens on loopback only.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../kernel/support/built-dist.js";
import { freePort } from "../kernel/support/kernel-process.js";

let home: string;
let server: ChildProcess;
let output = "";
let port: number;
let urls: { notebook: URL; playground: URL };

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "probebook-npm-start-"));
  port = await freePort();
  // HOME: the kernelspec `install --user` writes, and the server's runtime files, stay in the test's own directory
  server = spawn("bash", ["scripts/serve.sh"], { cwd: repoRoot, env: { ...process.env, HOME: home, PORT: String(port) }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout!.setEncoding("utf8").on("data", (c: string) => (output += c));
  server.stderr!.setEncoding("utf8").on("data", (c: string) => (output += c));
  const deadline = Date.now() + 240_000; // setup.sh runs first: on a set-up machine it only checks
  for (;;) {
    const open = /probebook: open (\S+)/.exec(output)?.[1];
    const playground = /probebook: playground (\S+)/.exec(output)?.[1];
    if (open && playground) {
      urls = { notebook: new URL(open), playground: new URL(playground) };
      break;
    }
    if (server.exitCode !== null) throw new Error(`npm start exited (${server.exitCode}) before printing its URLs:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm start printed no URLs within 240 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // the server answers once it is listening
  for (const end = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 200))) {
    try {
      if ((await fetch(new URL("api/status", urls.notebook.origin + "/"), { headers: token() })).ok) break;
    } catch {
      if (Date.now() > end) throw new Error(`the server at ${urls.notebook.origin} never answered:\n${output}`);
    }
  }
}, 330_000);

afterAll(async () => {
  if (server?.exitCode === null) {
    const exited = new Promise((r) => server.once("exit", r));
    process.kill(-server.pid!, "SIGTERM");
    const killer = setTimeout(() => process.kill(-server.pid!, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
  }
  rmSync(home, { recursive: true, force: true });
});

const token = () => ({ Authorization: `token ${urls.notebook.searchParams.get("token")}` });

describe("npm start", () => {
  it("prints the notebook and the playground URLs: one server on 127.0.0.1, the port asked for, one token", () => {
    for (const url of [urls.notebook, urls.playground]) {
      expect(url.host).toBe(`127.0.0.1:${port}`);
      expect(url.searchParams.get("token")).toMatch(/^[0-9a-f]{48}$/);
    }
    expect(urls.playground.searchParams.get("token")).toBe(urls.notebook.searchParams.get("token"));
    expect(urls.playground.pathname).toBe("/static/playground/index.html");
  });

  it("serves the notebook page and the playground's page", async () => {
    const notebook = await fetch(urls.notebook);
    expect(notebook.status).toBe(200);
    expect(await notebook.text()).toMatch(/<title>[^<]*(Jupyter|Home)[^<]*<\/title>/);
    const playground = await fetch(urls.playground);
    expect(playground.status).toBe(200);
    const page = await playground.text();
    expect(page).toContain("<title>probebook playground</title>");
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(new URL(script!, urls.playground))).status).toBe(200); // the bundle, from the same server
  });

  it("offers the probebook kernel, and the API refuses a request without the token", async () => {
    const specs = await fetch(new URL("api/kernelspecs", urls.notebook.origin + "/"), { headers: token() });
    expect(Object.keys(((await specs.json()) as { kernelspecs: object }).kernelspecs)).toContain("probebook");
    expect((await fetch(new URL("api/kernelspecs", urls.notebook.origin + "/"))).status).toBe(403);
  });

  it("listens on loopback only (the kernel's own table of listening sockets)", () => {
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    const listening = (file: string) => readFileSync(file, "utf8").split("\n").slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[3] === "0A" && f[1]?.endsWith(`:${hexPort}`))
      .map((f) => f[1]!.split(":")[0]);
    expect(listening("/proc/net/tcp")).toEqual(["0100007F"]); // 127.0.0.1, little-endian
    expect(listening("/proc/net/tcp6").filter((a) => a !== "00000000000000000000000001000000")).toEqual([]); // at most ::1
  });
});
