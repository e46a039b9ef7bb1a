// Every child a test spawns goes through here, so that a failed assertion
// can never leave one running (with probes attached, or holding a workload's
// ring): files that spawn call `afterEach(killSpawned)`.
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

const running = new Set<ChildProcess>();

/** `spawn`, remembered until the child exits. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  running.add(child);
  child.once("exit", () => running.delete(child));
  child.once("error", () => running.delete(child));
  return child;
}

/** SIGKILLs every tracked child still running and waits until each has exited. */
export async function killSpawned(): Promise<void> {
  await Promise.all([...running].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  })));
  running.clear();
}
