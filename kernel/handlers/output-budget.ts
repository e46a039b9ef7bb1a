// The cap on one cell's output. A cell that prints in a loop or displays a
// huge value would otherwise push it all through iopub to every frontend (and
// into the saved notebook); past the cap its further output is dropped, once
// said plainly on stderr, while the cell itself runs on to its result.

export const DEFAULT_MAX_OUTPUT_MB = 16;
export const MAX_OUTPUT_ENV = "PROBEBOOK_MAX_OUTPUT_MB";

/** The cap in bytes: $PROBEBOOK_MAX_OUTPUT_MB (a positive number) or the default. */
export function maxOutputBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[MAX_OUTPUT_ENV];
  const mb = raw === undefined || raw === "" ? DEFAULT_MAX_OUTPUT_MB : Number(raw);
  if (!Number.isFinite(mb) || mb <= 0) {
    throw new Error(`${MAX_OUTPUT_ENV}=${JSON.stringify(raw)} is not a positive number of megabytes (default ${DEFAULT_MAX_OUTPUT_MB})`);
  }
  return Math.floor(mb * 1024 * 1024);
}

export function outputCapMessage(capBytes: number): string {
  const mb = +(capBytes / 1024 / 1024).toFixed(2);
  return `\n[probebook] this cell's output reached the cap of ${mb} MB per cell; the rest of its output is discarded ` +
    `(the cell runs on). Print less (a table shows its first rows; .slice() or .limit() keeps fewer), ` +
    `or set ${MAX_OUTPUT_ENV} in the kernel's environment to raise the cap.\n`;
}

export class OutputBudget {
  #used = 0;
  #told = false;

  constructor(readonly capBytes: number) {}

  /** How much of `bytes` may still be sent (all of it, part, or 0). */
  take(bytes: number): number {
    const granted = Math.max(0, Math.min(bytes, this.capBytes - this.#used));
    this.#used += granted;
    return granted;
  }

  /** All of `bytes` or nothing (a display bundle can't be cut): when it doesn't fit, the budget is spent. */
  takeAll(bytes: number): boolean {
    if (this.#used + bytes <= this.capBytes) {
      this.#used += bytes;
      return true;
    }
    this.#used = this.capBytes;
    return false;
  }

  /** True the first time it is asked after the budget ran out: say so once. */
  shouldTell(): boolean {
    if (this.#told || this.#used < this.capBytes) return false;
    this.#told = true;
    return true;
  }
}
