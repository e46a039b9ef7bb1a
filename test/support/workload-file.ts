// The hooks of a test file that loads real BPF while a workload it builds runs
// (test/bpf/support/<name>.c), registered in one call: build the workload (and
// the sandbox prelude, for files that run cells) before all tests; after each
// test dispose its steppers and kill every child it spawned, so a failed
// assertion leaves nothing running; after all, delete the build and check that
// every BPF object the file loaded was closed and freed, by id.
import { afterAll, afterEach, beforeAll } from "vitest";
import { buildSandbox } from "../../scripts/build-sandbox.mjs";
import { buildC, type BuiltC } from "../bpf/support/build-c.js";
import { startStepper, withStepper, type Stepper } from "../bpf/support/stepper.js";
import { killSpawned } from "./children.js";
import { expectReleasedAfterAll, type HeldRecorder } from "./held-bpf.js";

export interface WorkloadFile {
  /** The built workload (built in beforeAll: read it inside tests). */
  readonly bin: string;
  /** A stepper on the workload (agg-steps, stack-calls), disposed after the test. */
  stepper(): Promise<Stepper>;
  /** Runs `fn` with a fresh stepper, disposed when `fn` ends. */
  withStepper<T>(fn: (s: Stepper) => Promise<T>): Promise<T>;
  /** The file's leak recorder (expectReleasedAfterAll). */
  held: HeldRecorder;
}

export function workloadFile(name: string, { flags, sandbox = false }: { flags?: string[]; sandbox?: boolean } = {}): WorkloadFile {
  let build: BuiltC | undefined;
  const steppers: Stepper[] = [];
  beforeAll(async () => {
    // Cells run the TypeScript sources: bundle the prelude from them too (in the
    // qemu guest, the host did before the boot: esbuild there takes half a minute).
    if (sandbox && !process.env.PB_GUEST) await buildSandbox();
    build = buildC(name, flags);
  }, 60_000);
  const held = expectReleasedAfterAll();
  afterEach(async () => {
    await Promise.all(steppers.splice(0).map((s) => s.dispose()));
    await killSpawned();
  });
  afterAll(() => build?.cleanup());
  const bin = () => {
    if (!build) throw new Error(`the workload ${name} is not built: read workloadFile(...).bin inside a test, after beforeAll`);
    return build.bin;
  };
  const stepper = async () => {
    const s = await startStepper(bin());
    steppers.push(s);
    return s;
  };
  return {
    get bin() { return bin(); },
    stepper,
    withStepper: (fn) => withStepper(bin(), fn),
    held,
  };
}
