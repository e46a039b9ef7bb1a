// One memory budget for everything a kernel process holds on a cell's behalf,
// so that no mix of cells and probes can take the machine down:
// - the sandbox's heap, counted at its limit (a cell may grow to it at any time);
// - BPF maps of every loaded probe, foreground and background, as the kernel
//   counts them (host/bpf-memory.ts); a probe whose planned maps don't fit is
//   refused before anything is allocated (templates/load.ts);
// - rows that event streams have collected and not yet handed over, and the
//   results of background runs that ended and wait for stop().
// A stream that reaches the budget stops there with what it collected (like the
// row cap: runs/ring.ts), and so does one whose rows reach half the sandbox's
// heap limit (its table must fit in the sandbox); a probe that can't fit is
// refused with a MemoryBudgetError. Both messages name the budget and how to raise it.
// The budget is the process's, not a session's: BPF memory belongs to the process.
import { ProbebookError } from "../spec/errors.js";
import { bpfMapBytes } from "./bpf-memory.js";

export const DEFAULT_MAX_MEMORY_MB = 2048;
export const MAX_MEMORY_ENV = "PROBEBOOK_MAX_MEMORY_MB";
/** The sandbox's own heap limit (runtime/session.ts), which the budget counts. */
export const SANDBOX_MEMORY_ENV = "PROBEBOOK_SANDBOX_MEMORY_MB";
const MB = 1024 * 1024;
/** How long a reading of the BPF maps' memory is reused (streams check the budget every batch). */
const BPF_READ_MS = 200;

/** The budget in MB: $PROBEBOOK_MAX_MEMORY_MB or DEFAULT_MAX_MEMORY_MB. */
export function maxMemoryMb(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_MEMORY_ENV];
  if (raw === undefined || raw === "") return DEFAULT_MAX_MEMORY_MB;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${MAX_MEMORY_ENV}=${JSON.stringify(raw)} is not a positive whole number of MB (default ${DEFAULT_MAX_MEMORY_MB})`);
  return n;
}

/** A probe refused because its maps would not fit in what is left of the budget (details: bytes asked, used, budget). */
export class MemoryBudgetError extends ProbebookError {
  override readonly name = "MemoryBudgetError";
  constructor(message: string, details: Record<string, unknown>) {
    super("MEMORY_BUDGET", message, details);
  }
}

/** What holds memory under the budget, besides BPF maps (which are measured). */
export type HoldKind = "sandbox" | "rows" | "result";

/** Memory one owner holds; it grows with add() and is given back once, with release(). */
export interface Hold {
  readonly kind: HoldKind;
  readonly bytes: number;
  add(bytes: number): void;
  release(): void;
}

export interface MemoryUse {
  sandbox: number;
  bpf: number;
  rows: number;
  results: number;
  total: number;
  budget: number;
}

/** What held the budget when a stream stopped at it, and why it stopped. */
export interface MemoryStop extends MemoryUse {
  why: "budget" | "sandbox";
  /** Bytes of the stream's own rows. */
  own: number;
  /** why "sandbox": the sandbox's heap limit. */
  sandboxLimit?: number;
}

export class MemoryBudget {
  readonly #holds = new Set<{ kind: HoldKind; bytes: number }>();
  readonly #budgetBytes: () => number;
  readonly #measureBpf: () => number;
  #bpf = { bytes: 0, at: Number.NEGATIVE_INFINITY };

  constructor({ budgetBytes = () => maxMemoryMb() * MB, measureBpf = () => bpfMapBytes() }: { budgetBytes?: () => number; measureBpf?: () => number } = {}) {
    this.#budgetBytes = budgetBytes;
    this.#measureBpf = measureBpf;
  }

  /** Starts holding `bytes` (more with add()) until release(). */
  hold(kind: HoldKind, bytes = 0): Hold {
    const entry = { kind, bytes };
    this.#holds.add(entry);
    const holds = this.#holds;
    return {
      kind,
      get bytes() { return entry.bytes; },
      add(n: number) { entry.bytes += n; },
      release() { holds.delete(entry); },
    };
  }

  /** What is held now. `fresh`: read the BPF maps' memory now rather than reuse a reading of the last 200 ms. */
  use(fresh = false): MemoryUse {
    const now = performance.now();
    if (fresh || now - this.#bpf.at > BPF_READ_MS) this.#bpf = { bytes: this.#measureBpf(), at: now };
    const of = (kind: HoldKind) => [...this.#holds].reduce((n, h) => n + (h.kind === kind ? h.bytes : 0), 0);
    const use = { sandbox: of("sandbox"), bpf: this.#bpf.bytes, rows: of("rows"), results: of("result") };
    return { ...use, total: use.sandbox + use.bpf + use.rows + use.results, budget: this.#budgetBytes() };
  }

  /** Why a stream holding `own` must stop collecting now, if it must: everything held has reached
   *  the budget ("budget"), or its own rows have reached half the sandbox's heap limit ("sandbox"):
   *  its table has to fit in the sandbox beside the cell's other values, or the cell fails. */
  reached(own: Hold): MemoryStop | undefined {
    const u = this.use();
    if (u.total >= u.budget) return { ...u, why: "budget", own: own.bytes };
    const sandbox = [...this.#holds].reduce((n, h) => Math.max(n, h.kind === "sandbox" ? h.bytes : 0), 0);
    if (sandbox > 0 && own.bytes >= sandbox / 2) return { ...u, why: "sandbox", own: own.bytes, sandboxLimit: sandbox };
    return undefined;
  }

  /** Throws a MemoryBudgetError when `bytes` more BPF maps for `what` would not fit in the budget. */
  admit(bytes: number, what: string): void {
    const u = this.use(true);
    if (u.total + bytes <= u.budget) return;
    throw new MemoryBudgetError(
      `${what} needs about ${mb(bytes)} of kernel memory for its maps, but only ${mb(Math.max(0, u.budget - u.total))} is left ` +
        `of this kernel's memory budget of ${mb(u.budget)} (${describeUse(u)}). Stop a background run (runs() lists them), ` +
        `ask for less (fewer keys with .maxKeys(n)), or set ${MAX_MEMORY_ENV} in the kernel's environment to raise the budget`,
      { asked: bytes, used: u.total, budget: u.budget, sandbox: u.sandbox, bpf: u.bpf, rows: u.rows, results: u.results },
    );
  }
}

/** Where the memory is, for messages: "the sandbox's heap limit 64 MB, BPF maps 12 MB, rows being collected 120 MB". */
export function describeUse(u: MemoryUse): string {
  return [
    `the sandbox's heap limit ${mb(u.sandbox)}`,
    `BPF maps ${mb(u.bpf)}`,
    `rows being collected ${mb(u.rows)}`,
    ...(u.results ? [`results of ended background runs ${mb(u.results)}`] : []),
  ].join(", ");
}

/** What the cell is told when `probe` stopped at `rows` rows because of memory (`stop`). */
export function memoryStopMessage(probe: string, rows: number, stop: MemoryStop): string {
  const why = stop.why === "budget"
    ? `this kernel's memory budget of ${mb(stop.budget)} is used up (${describeUse(stop)}). To keep more, set ${MAX_MEMORY_ENV} in the kernel's environment, or stop background runs (runs() lists them)`
    : `its rows (${mb(stop.own)}) reached half the sandbox's heap limit of ${mb(stop.sandboxLimit ?? 0)}, and the table has to fit in the sandbox. To keep more, set ${SANDBOX_MEMORY_ENV} (and ${MAX_MEMORY_ENV}, which counts it) in the kernel's environment, or keep fewer columns with .columns()`;
  return `${probe}: stopped at ${rows} rows: ${why}; to see everything, aggregate in the kernel instead (.count().by("comm"), .histogram()), or filter with .where().`;
}

export function mb(bytes: number): string {
  return `${bytes >= 10 * MB ? Math.round(bytes / MB) : (bytes / MB).toFixed(1)} MB`;
}

/** The kernel process's budget. */
export const memoryBudget = new MemoryBudget();

/** Bytes the JS values of a batch or a result's columns take, roughly: typed arrays' bytes;
 *  strings their characters plus V8's header, once per distinct value; 8 per array slot. */
export function columnsBytes(columns: Record<string, unknown>): number {
  let n = 0;
  for (const c of Object.values(columns)) {
    if (ArrayBuffer.isView(c)) n += c.byteLength;
    else if (Array.isArray(c)) n += stringsBytes(c);
    else if (c && typeof c === "object" && "codes" in c && "dictionary" in c) {
      const d = c as { codes: ArrayBufferView; dictionary: unknown[] };
      n += d.codes.byteLength + stringsBytes(d.dictionary);
    }
  }
  return n;
}

function stringsBytes(values: readonly unknown[]): number {
  let n = 8 * values.length;
  const distinct = new Set<unknown>(values); // rows of a result share their batch dictionaries' strings
  for (const v of distinct) if (typeof v === "string") n += 24 + v.length;
  return n;
}
