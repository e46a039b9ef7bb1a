// Drives support/agg-steps.c one command at a time: step() resolves when the
// workload printed "done", so every syscall of the step has happened by then.
import { spawnTracked } from "../../support/children.js";

export interface Stepper {
  pid: number;
  step(command: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function startStepper(bin: string): Promise<Stepper> {
  const child = spawnTracked(bin, [], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  let waiting: { token: string; resolve: () => void; reject: (e: Error) => void } | undefined;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then((code) => waiting?.reject(new Error(`${bin} exited (${code}) during a step`)));
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (waiting && out.includes(waiting.token)) {
      out = out.slice(out.indexOf(waiting.token) + waiting.token.length);
      const w = waiting;
      waiting = undefined;
      w.resolve();
    }
  });
  const wait = (token: string) => new Promise<void>((resolve, reject) => {
    waiting = { token, resolve, reject };
    if (out.includes(token)) {
      out = out.slice(out.indexOf(token) + token.length);
      waiting = undefined;
      resolve();
    }
  });
  await wait("ready\n");
  return {
    pid: child.pid!,
    step: (command) => {
      const done = wait("done\n");
      child.stdin!.write(command + "\n");
      return done;
    },
    dispose: async () => {
      if (child.exitCode === null) {
        child.stdin!.end("q\n");
        const t = setTimeout(() => child.kill("SIGKILL"), 2000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/** Runs `fn` with a fresh stepper on `bin`, disposed afterwards whatever happens. */
export async function withStepper<T>(bin: string, fn: (s: Stepper) => Promise<T>): Promise<T> {
  const s = await startStepper(bin);
  try {
    return await fn(s);
  } finally {
    await s.dispose();
  }
}
