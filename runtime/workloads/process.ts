// One running workload: the program started through its launcher (workloads/
// launch.c: PR_SET_PDEATHSIG, so it dies with the kernel process even by
// SIGKILL; RLIMIT_CPU), in a process group of its own (spawn's `detached`),
// held until go(). The programs speak one small protocol on stdout:
//   info KEY VALUE     (before "ready": facts for the handle, e.g. a port)
//   ready              (set up, waiting for one byte on stdin)
//   count KEY N        (at the end: what it did)

import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { WORKLOAD_MAX_CPU_S, WORKLOAD_MAX_MS, type WorkloadName } from "../spec/workload-catalog.js";
import type { WorkloadEnd, WorkloadInfo } from "../spec/workload-protocol.js";
import { programFor, workloadsDir } from "./programs.js";

/** How long a program may take to say "ready". */
const READY_TIMEOUT_MS = 10_000;

export class WorkloadProcess {
  readonly info: WorkloadInfo;
  /** Resolves when the process has exited (never rejects). */
  readonly ended: Promise<WorkloadEnd>;
  readonly #child: ChildProcess;
  #wentAt = 0;
  #endedBy: WorkloadEnd["endedBy"] = "exit";
  #exited = false;

  private constructor(info: WorkloadInfo, child: ChildProcess, ended: Promise<WorkloadEnd>) {
    this.info = info;
    this.#child = child;
    this.ended = ended;
  }

  /** Spawns `name` with checked params and resolves once it is ready (held). */
  static async start(id: number, name: WorkloadName, params: Record<string, number>, maxMs = WORKLOAD_MAX_MS): Promise<WorkloadProcess> {
    const program = programFor(name, params);
    const launcher = join(workloadsDir(), "launch");
    const child = spawn(launcher, [String(process.pid), String(WORKLOAD_MAX_CPU_S), program.binary, ...program.args], {
      stdio: ["pipe", "pipe", "pipe"],
      detached: true, // its own process group (setsid): one kill(-pid) ends it and its children
    });
    const counts: Record<string, number> = {};
    const info: Record<string, string | number> = { ...program.info };
    let out = "", err = "";
    let ready = () => {}, failed = (_e: Error) => {};
    const whenReady = new Promise<void>((resolve, reject) => { ready = resolve; failed = reject; });
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      let nl;
      while ((nl = out.indexOf("\n")) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const [word, key, value] = line.split(" ");
        if (word === "ready") ready();
        else if (word === "count" && key && value !== undefined) counts[key] = Number(value);
        else if (word === "info" && key && value !== undefined) info[key] = /^\d+$/.test(value) ? Number(value) : value;
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => { if (err.length < 4000) err += chunk; });
    child.stdin!.on("error", () => {}); // the program may exit before it reads
    let self: WorkloadProcess | undefined;
    const ended = new Promise<WorkloadEnd>((resolve) => {
      child.once("error", (e) => failed(e));
      // "close", not "exit": the last counts may still be in the pipe when the process exits
      child.once("close", (code, signal) => {
        failed(new Error(`the workload ${name} exited (${signal ?? `status ${code}`}) before it was ready${err ? `: ${err.trim()}` : ""}`));
        if (self) self.#exited = true;
        clearTimeout(cap);
        resolve({
          exitCode: code, signal, endedBy: self ? self.#endedBy : "exit", counts,
          durationMs: self && self.#wentAt ? Math.round(performance.now() - self.#wentAt) : 0,
        });
      });
    });
    const cap = setTimeout(() => self?.kill("time-cap"), maxMs);
    cap.unref();
    const readyTimer = setTimeout(() => failed(new Error(`the workload ${name} did not get ready within ${READY_TIMEOUT_MS / 1000} s${err ? `: ${err.trim()}` : ""}`)), READY_TIMEOUT_MS);
    try {
      await whenReady;
    } catch (error) {
      killGroup(child);
      throw error;
    } finally {
      clearTimeout(readyTimer);
    }
    const pid = child.pid!;
    const workload: WorkloadInfo = { id, name, params, pid, tids: tidsOf(pid), comm: commOf(pid), binary: program.binary, info };
    self = new WorkloadProcess(workload, child, ended);
    return self;
  }

  /** Lets the held program do its work. */
  go(): void {
    if (this.#wentAt || this.#exited) return;
    this.#wentAt = performance.now();
    this.#child.stdin!.end("g");
  }

  /** SIGKILLs the program and everything in its process group. */
  kill(why: WorkloadEnd["endedBy"] = "stopped"): void {
    if (this.#exited) return;
    this.#endedBy = why;
    killGroup(this.#child);
  }

  get running(): boolean {
    return !this.#exited;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

function tidsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b);
  } catch {
    return [pid];
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}
