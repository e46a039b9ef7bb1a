// One kernel process for a whole test file, connected and ready: spawned in
// beforeAll (the bundled test-executor kernel, or with `built` the kernel users
// run, `node bin/probebook.js kernel`), closed and killed in afterAll. Tests
// read `kernel` and `client` and run cells with `execute`.
import { afterAll, beforeAll } from "vitest";
import { probebookBin, requireBuiltDist } from "./built-dist.js";
import { TestClient, type Msg } from "./client.js";
import { spawnKernel, type KernelProcess } from "./kernel-process.js";

/** The content of an execute_request as a notebook sends it, with `extra` fields on top. */
export function executeRequest(code: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true, ...extra };
}

export interface Executed {
  id: string;
  reply: Msg;
  content: Msg["content"];
  /** Every iopub message of the cell, busy through idle. */
  iopub: Msg[];
  types: string[];
  /** The execute_result's text/plain, if there was one. */
  text: string | undefined;
  /** Everything the cell wrote to stderr. */
  stderr: string;
}

export interface FileKernel {
  readonly kernel: KernelProcess;
  readonly client: TestClient;
  /** Runs `code` as one execute_request and collects its reply and iopub traffic. */
  execute(code: string, options?: { timeoutMs?: number; extra?: Record<string, unknown> }): Promise<Executed>;
  /** Waits until the kernel's log (stderr, which reaches us a little after the socket traffic) matches. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** `command`: the kernel to run (default: the test kernel, or with `built` the real one); `cwd`: its working directory (the notebook's). */
export function fileKernel({ built = false, env, command, cwd }: { built?: boolean; env?: NodeJS.ProcessEnv; command?: string[]; cwd?: string } = {}): FileKernel {
  let kernel: KernelProcess | undefined;
  let client: TestClient | undefined;
  beforeAll(async () => {
    if (built || command) requireBuiltDist();
    kernel = await spawnKernel({
      ...(built && { command: [process.execPath, probebookBin, "kernel"] }),
      ...(command && { command }),
      ...(env && { env }),
      ...(cwd && { cwd }),
    });
    client = new TestClient(kernel.info);
    await client.waitForReady();
  }, 30_000);
  afterAll(async () => {
    client?.close();
    await kernel?.dispose();
  });
  const started = <T>(x: T | undefined): T => {
    if (x === undefined) throw new Error("the kernel has not started (see the beforeAll error above)");
    return x;
  };
  const self: FileKernel = {
    get kernel() { return started(kernel); },
    get client() { return started(client); },
    async execute(code, { timeoutMs = 30_000, extra = {} } = {}) {
      const c = self.client;
      const id = await c.send("shell", "execute_request", executeRequest(code, extra));
      const reply = await c.reply("shell", id, timeoutMs);
      const iopub = await c.iopubUntilIdle(id, timeoutMs);
      const result = iopub.find((m) => m.header.msg_type === "execute_result");
      const stderr = iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === "stderr").map((m) => m.content.text as string).join("");
      return { id, reply, content: reply.content, iopub, types: iopub.map((m) => m.header.msg_type), text: result?.content.data["text/plain"] as string | undefined, stderr };
    },
    async waitForLog(pattern, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(self.kernel.stderr())) {
        if (Date.now() > deadline) throw new Error(`kernel log never matched ${pattern}:\n${self.kernel.stderr()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  return self;
}
